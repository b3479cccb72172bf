// <ot-bundle-card>: one bundle (一件事) as a card: name, what it covers, departments, time limit
// and the burden figures (what the resident no longer has to do). Set .bundle = {...}.
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

/** What the server says a bundle or an application spares (burden.saved), as [[label key, number]].
 * The numbers are shown as they come: the server computes them once for every screen. */
export function burdenFigures(burden = {}) {
  const saved = burden.saved || {};
  return [['burden_trips', saved.trips], ['burden_materials', saved.materials], ['burden_forms', saved.fields]]
    .filter(([, n]) => typeof n === 'number' && n > 0);
}

/** The figures as a list: "<strong>10</strong> fewer trips", each label agreeing with its number. */
export function burdenList(burden, label) {
  const figures = burdenFigures(burden);
  if (!figures.length) return null;
  return el('ul', { className: 'figures', attrs: label ? { 'aria-label': label } : {} },
    figures.map(([key, n]) => el('li', { attrs: { 'data-figure': key } }, el('strong', { textContent: String(n) }), ' ', t(key, { count: n }))));
}

class BundleCard extends HTMLElement {
  set bundle(bundle) { this._bundle = bundle; this.render(); }

  render() {
    const b = this._bundle;
    if (!b) return;
    const departments = b.departments?.length ?? b.department_count;
    const items = b.items?.length ?? b.item_count;
    const limit = b.time_limit_days;
    const meta = [
      items !== undefined ? t('bundle_items', { count: items }) : null,
      departments !== undefined ? t('bundle_departments', { count: departments }) : null,
      limit !== undefined ? t('bundle_time_limit', { days: limit, count: limit }) : null,
    ].filter(Boolean).join(' · ');
    this.replaceChildren(el('article', { className: 'card' },
      el('h3', {}, el('a', { className: 'card__link', href: `/app/bundles/${encodeURIComponent(b.code)}`, textContent: pick(b, 'name') })),
      pick(b, 'summary') || pick(b, 'description') ? el('p', { textContent: pick(b, 'summary') || pick(b, 'description') }) : null,
      meta ? el('p', { className: 'card__meta', textContent: meta }) : null,
      burdenList(b.burden, t('burden_label_up_to'))));
  }
}

customElements.define('ot-bundle-card', BundleCard);
