// On a kiosk session: after a while without input, a visible countdown, then sign out and leave
// nothing behind (session, caches, IndexedDB drafts, local preferences), back to the QR screen.
import { api } from './api.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { clearAllButCredential } from './kiosk-device.js';

const IDLE_MS = 90000;
const COUNTDOWN_S = 30;

export function startKioskIdleWatch() {
  let idleTimer = null; let countdown = null; let dialog = null;

  async function signOut() {
    try { await api.logout(); } catch { /* already gone */ }
    navigator.serviceWorker?.controller?.postMessage({ type: 'logout' });
    const store = await import('./store.js');
    await store.clear().catch(() => {});
    clearAllButCredential(); // the kiosk's own credential stays: it is the device's, not the resident's
    sessionStorage.clear();
    location.replace('/kiosk');
  }

  function reset() {
    if (dialog) return; // the countdown asks explicitly
    clearTimeout(idleTimer);
    idleTimer = setTimeout(warn, IDLE_MS);
  }

  function warn() {
    let left = COUNTDOWN_S;
    const counter = el('p', { className: 'countdown', attrs: { role: 'timer', 'aria-live': 'assertive' } });
    const stay = el('button', { type: 'button', className: 'button', textContent: t('kiosk_stay'),
      on: { click: () => { clearInterval(countdown); dialog.remove(); dialog = null; reset(); } } });
    const leave = el('button', { type: 'button', className: 'button button--secondary', textContent: t('sign_out'), on: { click: signOut } });
    dialog = el('div', { className: 'banner idle-warning', attrs: { role: 'alertdialog', 'aria-labelledby': 'idle-title' } },
      el('h2', { id: 'idle-title', textContent: t('kiosk_idle_title') }), counter, el('div', { className: 'button-group' }, stay, leave));
    const show = () => { counter.textContent = t('kiosk_idle_countdown', { seconds: left, count: left }); };
    show();
    document.getElementById('main').prepend(dialog);
    stay.focus();
    countdown = setInterval(() => { left -= 1; show(); if (left <= 0) { clearInterval(countdown); signOut(); } }, 1000);
  }

  for (const name of ['pointerdown', 'keydown', 'touchstart', 'scroll']) window.addEventListener(name, reset, { passive: true });
  reset();
  document.documentElement.dataset.kioskIdle = 'watching'; // the watch runs (tests wait for it)
}
