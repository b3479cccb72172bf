// <ot-qr value="…" label="…">: shows value as a QR code (an SVG image with an accessible name).
import { qrSvg } from '../qr.js';

class QrCode extends HTMLElement {
  static get observedAttributes() { return ['value', 'label']; }

  attributeChangedCallback() { this.render(); }

  connectedCallback() { this.render(); }

  render() {
    const value = this.getAttribute('value');
    if (!value) { this.replaceChildren(); return; }
    const box = document.createElement('div');
    box.className = 'qr';
    box.append(qrSvg(value, this.getAttribute('label') || 'QR'));
    this.replaceChildren(box);
  }
}

customElements.define('ot-qr', QrCode);
