// /app/qr/:ticket — the signed-in phone opened a kiosk's QR code: show who asks (device, place, time),
// let the resident pick the two digits the kiosk shows, or refuse.
import { api, ApiError } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, t } from '../i18n.js';

export async function render({ main, params }) {
  const ticketId = params.ticket;
  let ticket;
  try {
    ticket = await api.scanQrTicket(ticketId);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401) throw error;
    fill(main, el('h1', { textContent: t('qr_failed_title') }), el('p', { textContent: error.message }),
      el('a', { href: '/app/scan', textContent: t('qr_scan_again') }));
    return;
  }
  const result = el('div', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const finish = (titleKey, body) => {
    fill(main, el('h1', { textContent: t(titleKey) }), el('p', { textContent: body }),
      el('a', { className: 'button button--secondary', href: '/', textContent: t('back_home') }));
    main.querySelector('h1').focus?.();
  };
  const act = async (action) => {
    try {
      const outcome = await action();
      if (outcome.status === 'approved') finish('qr_approved_title', t('qr_approved_body'));
      else finish('qr_denied_title', t('qr_denied_body'));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.replaceChildren(el('p', { className: 'field__error', textContent: error.message }));
    }
  };
  const choices = (ticket.choices || []).map((digits) => el('button', { type: 'button', className: 'button button--secondary',
    textContent: digits, on: { click: () => act(() => api.approveQrTicket(ticketId, digits)) } }));
  const fieldset = el('fieldset', {}, el('legend', { textContent: t('qr_pick_digits') }),
    el('div', { className: 'digit-choices' }, choices));
  fill(main, 
    el('h1', { textContent: t('qr_confirm_title') }),
    el('dl', { className: 'summary' },
      row(t('qr_device'), ticket.device || '—'), row(t('qr_place'), ticket.place || '—'),
      row(t('qr_time'), formatDate(ticket.requested_at, true))),
    el('p', { className: 'banner', textContent: t('qr_warning') }),
    fieldset, result,
    el('div', { className: 'button-group' }, el('button', { type: 'button', className: 'button button--warning',
      textContent: t('qr_not_me'), on: { click: () => act(() => api.rejectQrTicket(ticketId)) } })));
}

function row(label, value) {
  return el('div', { className: 'summary__row' }, el('dt', { textContent: label }), el('dd', { textContent: value }));
}
