// <ot-error-summary>: the GOV.UK error summary. show([{key, id, message}]) lists the problems as links
// to their fields and moves focus to the summary; clear() hides it.
import { el } from '../dom.js';
import { t } from '../i18n.js';

class ErrorSummary extends HTMLElement {
  connectedCallback() { this.hidden = true; }

  show(problems) {
    if (!problems.length) { this.clear(); return; }
    // A problem on this page links to its field; one on another page (p.href) is an ordinary link.
    const links = problems.map((p) => el('li', {}, el('a', { href: p.href || `#${p.id}`, textContent: p.message,
      on: { click: (event) => { if (!p.href) { event.preventDefault(); focusField(p.id); } } } })));
    const box = el('div', { className: 'error-summary', tabIndex: -1, attrs: { role: 'alert', 'aria-labelledby': 'error-summary-title' } },
      el('h2', { id: 'error-summary-title', textContent: t('error_summary_title') }), el('ul', {}, links));
    this.replaceChildren(box);
    this.hidden = false;
    box.focus();
  }

  clear() { this.replaceChildren(); this.hidden = true; }
}

function focusField(id) {
  const target = document.getElementById(id);
  if (!target) return;
  const fieldset = target.closest('fieldset');
  (fieldset?.querySelector('legend') || target).scrollIntoView({ block: 'start' });
  target.focus({ preventScroll: true });
}

customElements.define('ot-error-summary', ErrorSummary);
