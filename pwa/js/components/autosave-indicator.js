// <ot-autosave>: says whether the answers are saved: saving…, saved at 10:42, kept on this device
// (offline), or could not save. A polite live region, so screen readers hear it without losing focus.
import { t } from '../i18n.js';

class AutosaveIndicator extends HTMLElement {
  connectedCallback() {
    this.className = 'autosave';
    this.setAttribute('role', 'status');
    this.setAttribute('aria-live', 'polite');
  }

  /** state: 'saving' | 'saved' | 'offline' | 'error' | 'conflict' */
  set(state, when = new Date()) {
    this.dataset.state = state;
    const time = when.toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' });
    this.textContent = t(`autosave_${state}`, { time });
  }
}

customElements.define('ot-autosave', AutosaveIndicator);
