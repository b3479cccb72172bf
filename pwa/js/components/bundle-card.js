// <ot-bundle-card>: one bundle (一件事) as a card: name, what it covers, departments, time limit
// and the burden figures (what the resident no longer has to do). Set .bundle = {...}.
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

/** The burden figures of a bundle as [[label key, number]], whatever names the API uses. */
export function burdenFigures(burden = {}) {
  const figure = (...names) => names.map((n) => burden[n]).find((v) => typeof v === 'number');
  return [
    ['burden_trips', figure('trips_saved', 'visits_saved', 'trips_before')],
    ['burden_materials', figure('materials_saved', 'documents_saved')],
    ['burden_forms', figure('forms_saved', 'fields_saved')],
    ['burden_days', figure('days_saved')],
  ].filter(([, n]) => typeof n === 'number' && n > 0);
}

class BundleCard extends HTMLElement {
  set bundle(bundle) { this._bundle = bundle; this.render(); }

  render() {
    const b = this._bundle;
    if (!b) return;
    const departments = b.departments?.length ?? b.department_count;
    const items = b.items?.length ?? b.item_count;
    const limit = b.time_limit_days ?? b.promised_days;
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
