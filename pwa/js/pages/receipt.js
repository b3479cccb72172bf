// Receipt: the application number and its QR (verifiable), what happens next, and — now, with an
// explanation — the offer to turn on notifications.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { completionText, dependencyOrder } from '../components/step-view.js';
import { burdenList } from '../components/bundle-card.js';

export async function render({ main, params }) {
  const number = params.id;
  const application = await api.application(number);
  const stored = JSON.parse(sessionStorage.getItem(`receipt:${number}`) || 'null');
  const cases = application.cases || stored?.cases || [];
  const qr = el('img', { className: 'receipt-qr', src: api.receiptQrUrl(number), width: 200, height: 200, alt: t('receipt_qr_alt', { number }) });
  const pushBox = el('div');
  const waiting = cases.filter((c) => c.status === 'waiting');
  const completion = completionText(application);
  const departments = new Set(cases.map((c) => c.department)).size;
  const spared = burdenList(stored?.burden);
  fill(main, 
    el('div', { className: 'panel' }, el('h1', { textContent: t('receipt_title') }),
      el('p', { textContent: t('receipt_number_label') }), el('p', { className: 'panel__number', textContent: number })),
    el('p', {}, el('span', { className: 'qr' }, qr)),
    el('p', { textContent: t('receipt_submitted_at', { time: formatDate(application.submitted_at, true) }) }),
    el('p', { className: 'receipt-scope', textContent: `${t('receipt_items', { count: cases.length })}${t('list_separator')}${t('receipt_departments', { count: departments })}` }),
    spared ? el('h2', { textContent: t('burden_label') }) : null, spared,
    el('h2', { textContent: t('receipt_next') }),
    el('p', { textContent: t('receipt_next_body', { count: cases.length - waiting.length }) }),
    waiting.length ? el('p', { textContent: t('receipt_waiting_body', { count: waiting.length }) }) : null,
    completion ? el('p', {}, el('strong', { textContent: completion })) : null,
    el('ul', { className: 'task-list' }, dependencyOrder(cases).map((c) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: pick(c, 'title') }),
      el('span', { className: 'task-list__meta', textContent: caseMeta(c, cases) })))),
    pushBox,
    el('div', { className: 'button-group' }, el('a', { className: 'button', href: `/app/applications/${number}`, textContent: t('receipt_follow') }),
      el('a', { href: '/', textContent: t('back_home') })));
  offerNotifications(pushBox);
}

// A waiting case says which items it waits for; the others when their department will be done.
function caseMeta(kase, cases) {
  const titles = Object.fromEntries(cases.map((c) => [c.item, pick(c, 'title')]));
  const names = (kase.waiting_for || []).map((w) => t('steps_quoted', { name: pick(w, 'title') || titles[w.item] || w.item })).join(t('steps_and'));
  const when = kase.due_on ? t('task_due', { date: formatDate(kase.due_on) })
    : kase.expected_on ? t('steps_expected', { date: formatDate(kase.expected_on) }) : null;
  return [pick(kase, 'department_name'), kase.status === 'waiting' && names ? t('steps_waiting_for', { names }) : null, when]
    .filter(Boolean).join(' · ');
}

async function offerNotifications(box) {
  const push = await import('../push.js');
  if ((await push.pushStatus().catch(() => 'unsupported')) !== 'off') return;
  const state = el('p', { attrs: { role: 'status' } });
  const yes = el('button', { type: 'button', className: 'button', textContent: t('push_turn_on'), on: { click: async () => {
    const result = await push.enablePush().catch((error) => (error?.name === 'PushTimeout' ? 'timeout' : 'failed'));
    state.textContent = t(`push_${result}`);
    yes.hidden = !['timeout', 'failed'].includes(result); // those may be tried again
  } } });
  fill(box, el('div', { className: 'banner banner--info' }, el('h2', { textContent: t('receipt_push_title') }),
    el('p', { textContent: t('push_explain') }), yes, state));
}
