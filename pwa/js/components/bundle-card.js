// <ot-bundle-card>: one bundle (一件事) as a card: name, what it covers, departments, time limit
// and the burden figures (what the resident no longer has to do). Set .bundle = {...}.
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

/** The burden figures of a bundle (what a typical applicant is spared) as [[label key, number]]. */
export function burdenFigures(burden = {}) {
  const spared = (before, after) => (typeof before === 'number' ? before - (after || 0) : 0);
  return [
    ['burden_trips', spared(burden.trips_before, burden.trips_after)],
    ['burden_materials', spared(burden.materials_separately, burden.uploads_left)],
    ['burden_forms', spared(burden.fields_separately, burden.questions_to_type)],
  ].filter(([, n]) => n > 0);
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
      limit !== undefined ? t('bundle_time_limit', { days: limit }) : null,
    ].filter(Boolean).join(' · ');
    const figures = burdenFigures(b.burden).map(([key, n]) => el('li', {}, el('strong', { textContent: String(n) }), ' ', t(key)));
    this.replaceChildren(el('article', { className: 'card' },
      el('h3', {}, el('a', { className: 'card__link', href: `/app/bundles/${encodeURIComponent(b.code)}`, textContent: pick(b, 'name') })),
      pick(b, 'summary') || pick(b, 'description') ? el('p', { textContent: pick(b, 'summary') || pick(b, 'description') }) : null,
      meta ? el('p', { className: 'card__meta', textContent: meta }) : null,
      figures.length ? el('ul', { className: 'figures', attrs: { 'aria-label': t('burden_label') } }, figures) : null));
  }
}

customElements.define('ot-bundle-card', BundleCard);
