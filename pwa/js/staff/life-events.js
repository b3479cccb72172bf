// Finding a life event for a resident at the desk, in the words they use on the phone ("我爸去世了",
// "生孩子", "退休金", pinyin): the same server search as the home page (GET /api/v1/bundles?q=).
// Each result opens the bundle's public page in a new tab, so the opened resident stays on the desk.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { pick, t } from '../i18n.js';

/** Returns the section node: a search field and the bundles it finds, best first. */
export function lifeEventFinder() {
  const input = el('input', { id: 'staff-life-event', name: 'q', type: 'search', autocomplete: 'off', maxLength: 100,
    attrs: { 'aria-describedby': 'staff-life-event-hint' } });
  const results = el('div', { attrs: { 'aria-live': 'polite' } });
  const find = async (event) => {
    event.preventDefault();
    const words = input.value.trim();
    if (!words) { fill(results); return; }
    try {
      const { bundles = [] } = await api.bundles({ q: words });
      fill(results, bundles.length
        ? el('ul', { className: 'staff-life-events' }, bundles.map((b) => el('li', {},
          el('a', { href: `/app/bundles/${encodeURIComponent(b.code)}`, target: '_blank', rel: 'noopener', textContent: pick(b, 'name') }),
          ' ', el('span', { className: 'muted', textContent: pick(b, 'summary') }))))
        : el('p', { textContent: t('search_none', { words }) }));
    } catch (error) {
      fill(results, el('p', { textContent: error.message || t('catalog_unavailable') }));
    }
  };
  return el('section', { className: 'staff-life-event', attrs: { 'aria-labelledby': 'staff-life-event-title' } },
    el('h2', { id: 'staff-life-event-title', textContent: t('staff_life_event_title') }),
    el('form', { noValidate: true, className: 'filters', attrs: { role: 'search' }, on: { submit: find } },
      el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'staff-life-event', textContent: t('staff_life_event_label') }),
        el('p', { className: 'field__hint', id: 'staff-life-event-hint', textContent: t('staff_life_event_hint') }), input),
      el('button', { type: 'submit', className: 'button button--secondary', textContent: t('search_button') })),
    results);
}
