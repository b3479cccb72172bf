// The officer's review of residents' objections to their department's automatic grants (免申即享):
// the decision, the data it rested on, the resident's reason; the grant stands or is withdrawn.
import { request } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';

const list = async () => (await request('GET', '/api/v1/officer/objections')).data;
const review = async (grantId, outcome) => (await request('POST', `/api/v1/officer/objections/${encodeURIComponent(grantId)}`,
  { body: { outcome } })).data;

export async function showObjections(main) {
  const box = el('section', { attrs: { 'aria-labelledby': 'objections-title' } });
  main.append(box);
  await draw(box);
}

async function draw(box, message = '') {
  const { objections } = await list();
  fill(box, el('h2', { id: 'objections-title', textContent: t('officer_objections_title') }),
    message ? el('p', { className: 'banner banner--success', attrs: { role: 'status' }, textContent: message }) : null,
    objections.length ? el('ul', { className: 'task-list' }, objections.map((o) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: `${pick(o, 'item_name')} · ${o.reference}` }),
      el('span', { textContent: t('officer_objection_reason', { reason: o.objection, time: formatDate(o.objected_at, true) }) }),
      el('dl', { className: 'summary' }, o.basis.map((b) => el('div', { className: 'summary__row' },
        el('dt', { textContent: pick(b, 'label') }), el('dd', { textContent: b.value === true ? t('yes') : b.value === false ? t('no') : String(b.value) })))),
      el('div', { className: 'button-group' }, ['upheld', 'withdrawn'].map((outcome) => el('button', {
        type: 'button', className: 'button button--secondary', textContent: t(`officer_objection_${outcome}`),
        on: { click: async () => { await review(o.id, outcome); await draw(box, t(`officer_objection_${outcome}_done`)); } } }))))))
      : el('p', { textContent: t('officer_objections_none') }));
}
