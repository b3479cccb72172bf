// /app/qr/:ticket — the signed-in phone opened a QR login code: show who asks, let the resident pick
// the two digits the other screen shows, or refuse. An enrolled hall kiosk is shown with its place;
// any other requester is an "unregistered device", shown with its browser and network, with a
// prominent warning when that network is not the phone's, and "Not me" as the default action:
// a relayed code (someone else's page showing this person a QR and its digits) looks exactly like this.
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
  const act = actor(main, result);
  const desktop = ticket.kind !== 'kiosk';
  const notMe = el('button', { type: 'button', className: desktop ? 'button' : 'button button--warning',
    textContent: t('qr_not_me'), on: { click: () => act(() => api.rejectQrTicket(ticketId)) } });
  const choices = (ticket.choices || []).map((digits) => el('button', { type: 'button', className: 'button button--secondary',
    textContent: digits, on: { click: () => act(() => api.approveQrTicket(ticketId, digits)) } }));
  const fieldset = el('fieldset', {}, el('legend', { textContent: t('qr_pick_digits') }),
    el('div', { className: 'digit-choices' }, choices));
  const refuse = el('div', { className: 'button-group' }, notMe);
  fill(main, el('h1', { textContent: t('qr_confirm_title') }), summary(ticket), ...warnings(ticket),
    // For an unregistered device, refusing comes first and has the focus: the safe answer is the easy one.
    ...(desktop ? [refuse, fieldset] : [fieldset, refuse]), result);
  if (desktop) notMe.focus();
}

/** Runs an approve or deny call and shows its outcome in place of the page. */
function actor(main, result) {
  const finish = (titleKey, body) => {
    fill(main, el('h1', { textContent: t(titleKey) }), el('p', { textContent: body }),
      el('a', { className: 'button button--secondary', href: '/', textContent: t('back_home') }));
    main.querySelector('h1').focus?.();
  };
  return async (action) => {
    try {
      const outcome = await action();
      if (outcome.status === 'approved') finish('qr_approved_title', t('qr_approved_body'));
      else finish('qr_denied_title', t('qr_denied_body'));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      result.replaceChildren(el('p', { className: 'field__error', textContent: error.message }));
    }
  };
}

function summary(ticket) {
  const rows = ticket.kind === 'kiosk'
    ? [row(t('qr_device'), ticket.device || '—'), row(t('qr_place'), ticket.place || '—')]
    : [row(t('qr_device'), t('qr_unregistered')), row(t('qr_browser'), ticket.device || '—'),
      row(t('qr_network'), ticket.network || '—')];
  return el('dl', { className: 'summary' }, ...rows, row(t('qr_time'), formatDate(ticket.requested_at, true)));
}

function warnings(ticket) {
  if (ticket.kind === 'kiosk') return [el('p', { className: 'banner', textContent: t('qr_warning') })];
  const shown = [el('p', { className: 'banner', textContent: t('qr_desktop_warning') })];
  if (!ticket.same_network) {
    shown.unshift(el('p', { className: 'banner banner--danger', attrs: { role: 'alert' },
      textContent: t('qr_other_network') }));
  }
  return shown;
}

function row(label, value) {
  return el('div', { className: 'summary__row' }, el('dt', { textContent: label }), el('dd', { textContent: value }));
}
