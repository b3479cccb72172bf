// /kiosk: a hall kiosk shows a QR login code and two digits; the resident's phone scans it,
// picks the same two digits and approves; the kiosk then takes its own short session.
// The code is renewed before it expires; the stream (SSE) has a polling fallback.
// An enrolled kiosk sends its device credential (kiosk-device.js) so the phone can name its hall;
// without one the code is an "unregistered device" code and the phone warns accordingly.
// A refused or expired login is said aloud (an alert) and left on screen a few seconds before the
// next code appears, so the person at the kiosk knows why they are not signed in.
import { api, ApiError } from '../api.js';
import { el, fill } from '../dom.js';
import { t } from '../i18n.js';
import '../components/qr-code.js';
import { adoptFromSetupLink, kioskCredential } from '../kiosk-device.js';
import { maskName } from '../kiosk-idle.js';

const RENEW_BEFORE_MS = 15000;
const REFUSED_PAUSE_S = 5;

export async function render({ main, session, navigate }) {
  adoptFromSetupLink();
  await session.ready;
  if (session.me) {
    fill(main, el('h1', { textContent: t('kiosk_signed_in', { name: maskName(session.me.name) }) }),
      el('p', {}, el('a', { className: 'button', href: '/', textContent: t('kiosk_start') })));
    return undefined;
  }
  const view = kioskView();
  fill(main, view.node);
  const stop = await startLogin(view);
  void navigate;
  return stop;
}

function kioskView() {
  const qr = el('ot-qr');
  const digits = el('p', { className: 'kiosk__digits', attrs: { 'aria-describedby': 'digits-label' } });
  const status = el('p', { className: 'lead', attrs: { role: 'status', 'aria-live': 'polite' } });
  const expiry = el('p', { className: 'muted' });
  const notice = el('p', { className: 'banner kiosk__notice', attrs: { role: 'alert' } });
  const node = el('div', { className: 'kiosk' }, notice,
    el('h1', { textContent: t('kiosk_title') }),
    el('ol', { className: 'kiosk__steps' }, el('li', { textContent: t('kiosk_step_open') }),
      el('li', { textContent: t('kiosk_step_scan') }), el('li', { textContent: t('kiosk_step_pick') })),
    qr, el('p', { id: 'digits-label', textContent: t('kiosk_digits_label') }), digits, status, expiry);
  return { node, qr, digits, status, expiry, notice };
}

/** Shows a login code, renews it before it expires and watches it until the phone approves. Returns stop(). */
async function startLogin(view) {
  const { status } = view;
  let ticket = null; let stream = null; let poll = null; let renew = null; let tick = null; let stopped = false;
  const stopWatching = () => { stream?.close(); clearTimeout(poll); clearTimeout(renew); clearInterval(tick); };

  async function onStatus(value) {
    if (stopped) return;
    if (value === 'scanned') { status.textContent = t('kiosk_scanned'); keepUntilExpiry(); }
    if (value === 'denied' || value === 'expired') await refused(value);
    if (value === 'approved') { stopWatching(); await takeSession(ticket, status); }
  }

  function watch() {
    if (window.EventSource) {
      stream = new EventSource(ticket.stream_url);
      stream.addEventListener('status', (event) => onStatus(JSON.parse(event.data).status));
      stream.onerror = () => { stream.close(); stream = null; pollStatus(2000); };
    } else pollStatus(2000);
  }

  function pollStatus(delay) {
    poll = setTimeout(async () => {
      try {
        const current = await api.qrTicket(ticket.id);
        await onStatus(current.status);
        if (['pending', 'scanned'].includes(current.status)) pollStatus(document.hidden ? 10000 : 2000);
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) await refused('expired');
        else pollStatus(Math.min(delay * 2, 30000));
      }
    }, delay);
  }

  const refused = async (why) => { stopWatching(); await announceRefusal(view, why); await fresh(); };
  // Someone is confirming on their phone: no silent renewal under them; if the code runs out first, say so.
  const keepUntilExpiry = () => { clearTimeout(renew); renew = setTimeout(() => refused('expired'), Math.max(0, new Date(ticket.expires_at).getTime() - Date.now())); };

  async function fresh() {
    stopWatching();
    if (stopped) return;
    try {
      ticket = await api.createQrTicket(kioskCredential());
    } catch (error) {
      status.textContent = error instanceof ApiError ? error.message : t('offline_body');
      renew = setTimeout(fresh, 10000);
      return;
    }
    tick = showTicket(view, ticket);
    renew = setTimeout(fresh, Math.max(5000, new Date(ticket.expires_at).getTime() - Date.now() - RENEW_BEFORE_MS));
    watch();
  }

  await fresh();
  return () => { stopped = true; stopWatching(); };
}

/** The phone approved: the kiosk takes its own session; a fresh page load picks it up and starts the idle watch. */
async function takeSession(ticket, status) {
  status.textContent = t('kiosk_approved');
  await api.completeQrTicket(ticket.id);
  sessionStorage.setItem('kiosk', '1');
  location.assign('/');
}

/** Says why nobody is signed in, with the code hidden, for a few seconds before the next code. */
function announceRefusal(view, why) {
  hideTicket(view);
  let left = REFUSED_PAUSE_S;
  const say = () => { view.notice.textContent = t(why === 'denied' ? 'kiosk_refused' : 'kiosk_expired', { seconds: left }); };
  say();
  const countdown = setInterval(() => { left -= 1; if (left > 0) say(); }, 1000);
  return new Promise((resolve) => { setTimeout(() => { clearInterval(countdown); resolve(); }, REFUSED_PAUSE_S * 1000); });
}

function hideTicket({ qr, digits, status, expiry }) {
  qr.hidden = true;
  digits.textContent = ''; status.textContent = ''; expiry.textContent = '';
}

/** Draws the code, its two digits and a countdown to its renewal; returns the countdown's interval. */
function showTicket({ qr, digits, status, expiry, notice }, ticket) {
  qr.hidden = false;
  notice.textContent = '';
  qr.setAttribute('label', t('kiosk_qr_label'));
  qr.setAttribute('value', ticket.qr_url);
  digits.textContent = ticket.match_code;
  status.textContent = t('kiosk_waiting');
  const expires = new Date(ticket.expires_at).getTime();
  const showExpiry = () => {
    const seconds = Math.max(0, Math.round((expires - Date.now()) / 1000));
    expiry.textContent = t('kiosk_renews', { seconds, count: seconds });
  };
  showExpiry();
  return setInterval(showExpiry, 1000);
}
