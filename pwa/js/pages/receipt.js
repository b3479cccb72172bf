// Receipt: the application number and its QR (verifiable), what happens next, and — now, with an
// explanation — the offer to turn on notifications.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';

export async function render({ main, params }) {
  const number = params.id;
  const application = await api.application(number);
  const stored = JSON.parse(sessionStorage.getItem(`receipt:${number}`) || 'null');
  const cases = application.cases || stored?.cases || [];
  const qr = el('img', { className: 'receipt-qr', src: api.receiptQrUrl(number), width: 200, height: 200, alt: t('receipt_qr_alt', { number }) });
  const pushBox = el('div');
  fill(main, 
    el('div', { className: 'panel' }, el('h1', { textContent: t('receipt_title') }),
      el('p', { textContent: t('receipt_number_label') }), el('p', { className: 'panel__number', textContent: number })),
    el('p', {}, el('span', { className: 'qr' }, qr)),
    el('p', { textContent: t('receipt_submitted_at', { time: formatDate(application.submitted_at, true) }) }),
    el('h2', { textContent: t('receipt_next') }),
    el('p', { textContent: t('receipt_next_body', { count: cases.length }) }),
    el('ul', { className: 'task-list' }, cases.map((c) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: pick(c, 'title') }),
      el('span', { className: 'task-list__meta', textContent: [pick(c, 'department_name'), c.due_on ? t('task_due', { date: formatDate(c.due_on) }) : ''].filter(Boolean).join(' · ') })))),
    pushBox,
    el('div', { className: 'button-group' }, el('a', { className: 'button', href: `/app/applications/${number}`, textContent: t('receipt_follow') }),
      el('a', { href: '/', textContent: t('back_home') })));
  offerNotifications(pushBox);
}

async function offerNotifications(box) {
  const push = await import('../push.js');
  if ((await push.pushStatus().catch(() => 'unsupported')) !== 'off') return;
  const state = el('p', { attrs: { role: 'status' } });
  const yes = el('button', { type: 'button', className: 'button', textContent: t('push_turn_on'), on: { click: async () => {
    const result = await push.enablePush().catch(() => 'failed');
    state.textContent = t(`push_${result}`);
    yes.hidden = true;
  } } });
  fill(box, el('div', { className: 'banner banner--info' }, el('h2', { textContent: t('receipt_push_title') }),
    el('p', { textContent: t('push_explain') }), yes, state));
}
