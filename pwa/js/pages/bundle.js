// A bundle (一件事): what it covers, which departments, time limits, why each item is in or out,
// what you no longer need to bring (the burden figures), and the way in.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { pick, t } from '../i18n.js';
import { burdenList } from '../components/bundle-card.js';

function materialLine(material, itemNames) {
  const by = material.satisfied_by;
  const how = !by ? t('bundle_material_upload')
    : by.source ? t('bundle_material_shared', { source: pick(by, 'source_name') })
      : t('bundle_material_from_item', { item: itemNames[by.item] || by.item });
  return el('li', {}, el('span', { textContent: pick(material, 'name') }), ' — ', el('span', { className: by ? 'muted' : '', textContent: how }));
}

function itemCard(entry, departments, itemNames) {
  const item = entry.item;
  const conditional = Boolean(entry.when);
  const department = departments[item.department];
  return el('li', { className: 'card' },
    el('h3', { textContent: pick(item, 'name') }),
    el('p', { className: 'card__meta', textContent: [pick(department, 'name') || item.department,
      t('bundle_time_limit', { days: item.time_limit_days, count: item.time_limit_days })].join(' · ') }),
    conditional ? el('p', {}, el('strong', { className: 'tag tag--yellow', textContent: t('bundle_conditional') })) : null,
    needsLine(item.needs, itemNames),
    el('p', { textContent: conditional ? `${t('bundle_why_in')}${pick(entry, 'reason_in')} ${t('bundle_why_out')}${pick(entry, 'reason_out')}` : t('bundle_always') }),
    pick(item, 'result') ? el('p', {}, el('strong', { textContent: t('bundle_result') }), ' ', pick(item, 'result')) : null,
    el('details', {}, el('summary', { textContent: t('bundle_details') }),
      el('h4', { textContent: t('bundle_materials') }), el('ul', {}, (item.materials || []).map((m) => materialLine(m, itemNames))),
      el('h4', { textContent: t('bundle_legal_basis') }), el('ul', {}, (item.legal_basis || []).map((law) => el('li', { textContent: pick({ law }, 'law') }))),
      el('h4', { textContent: t('bundle_process') }), el('ol', {}, (item.internal_process || []).map((step) => el('li', { textContent: pick({ step }, 'step') })))));
}

// The items this one starts after (the item graph): their results reach this department by themselves.
function needsLine(needs, itemNames) {
  if (!needs?.length) return null;
  const names = needs.map((code) => t('steps_quoted', { name: itemNames[code] || code })).join(t('steps_and'));
  return el('p', { className: 'card__meta', textContent: t('bundle_needs', { names }) });
}

export async function render({ main, params }) {
  const bundle = await api.bundle(params.code);
  const departments = Object.fromEntries((bundle.departments || []).map((d) => [d.code, d]));
  const itemNames = Object.fromEntries(bundle.items.map((e) => [e.item.code, pick(e.item, 'name')]));
  const b = bundle.burden || {};
  const shared = bundle.items.flatMap((e) => e.item.materials || []).filter((m) => m.satisfied_by);
  const uniqueShared = [...new Map(shared.map((m) => [m.code, m])).values()];
  const start = el('a', { className: 'button', href: `/app/apply/${encodeURIComponent(bundle.code)}`, textContent: t('bundle_start') });
  fill(main, 
    el('h1', { textContent: pick(bundle, 'name') }),
    el('p', { className: 'lead', textContent: pick(bundle, 'summary') }),
    bundle.critical_path_days ? el('p', {}, el('strong', { className: 'bundle-fastest', textContent: t('steps_fastest', { days: bundle.critical_path_days, count: bundle.critical_path_days }) })) : null,
    el('section', { className: 'banner banner--success', attrs: { 'aria-labelledby': 'burden-title' } },
      el('h2', { id: 'burden-title', textContent: t('burden_label_up_to') }),
      burdenList(b),
      el('ul', { className: 'burden-detail' },
        el('li', {}, t('bundle_trips', { before: b.trips_before ?? '—', after: b.trips_after ?? '—', count: b.trips_after })),
        el('li', {}, t('bundle_questions', { before: b.fields_separately ?? '—', after: b.questions_to_type ?? '—', count: b.questions_to_type })),
        el('li', {}, t('bundle_uploads', { before: b.materials_separately ?? '—', after: b.uploads_left ?? '—', count: b.uploads_left })))),
    el('p', {}, start),
    el('h2', { textContent: t('bundle_items_heading', { count: bundle.items.length }) }),
    el('ul', { className: 'cards' }, bundle.items.map((entry) => itemCard(entry, departments, itemNames))),
    el('h2', { textContent: t('bundle_departments_heading', { count: bundle.departments.length }) }),
    el('ul', {}, bundle.departments.map((d) => el('li', { textContent: pick(d, 'name') }))),
    uniqueShared.length ? el('h2', { textContent: t('bundle_no_longer_bring') }) : null,
    uniqueShared.length ? el('ul', {}, uniqueShared.map((m) => materialLine(m, itemNames))) : null,
    el('p', {}, start.cloneNode(true)));
}
