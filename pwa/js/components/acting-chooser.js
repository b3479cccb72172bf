// <ot-acting-chooser>: after sign-in, a person who holds mandates chooses whom they act for
// (themselves, or one of their principals), as DigiD Machtigen asks at the start.
// Raises 'ot:acting-chosen' with {principal} (null: myself); the banner acts on it.
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

function mandateText(mandate) {
  const what = mandate.bundle_name ? pick(mandate, 'bundle_name') : t('mandates_target_application', { number: mandate.application_number });
  return t('acting_until', { what, until: mandate.expires_on });
}

class ActingChooser extends HTMLElement {
  set principals(list) { this.list = list; this.render(); }

  render() {
    const choose = (principal) => this.dispatchEvent(new CustomEvent('ot:acting-chosen', { bubbles: true, detail: { principal } }));
    const options = (this.list || []).map((p) => el('li', { className: 'acting-chooser__option' },
      el('button', { type: 'button', className: 'button', textContent: t('acting_choose_for', { name: p.name }),
        on: { click: () => choose(p) } }),
      el('span', { className: 'field__hint', textContent: p.mandates.map(mandateText).join('；') })));
    const self = el('li', { className: 'acting-chooser__option' },
      el('button', { type: 'button', className: 'button button--secondary', textContent: t('acting_choose_self'),
        on: { click: () => choose(null) } }));
    const title = el('h2', { id: 'acting-chooser-title', textContent: t('acting_choose_title') });
    const section = el('section', { className: 'banner banner--info acting-chooser', attrs: { 'aria-labelledby': 'acting-chooser-title' } },
      title, el('ul', { className: 'acting-chooser__options' }, options, self));
    this.replaceChildren(section);
  }
}

customElements.define('ot-acting-chooser', ActingChooser);
