// On a kiosk session: a bar under the header says who is signed in (masked: the screen faces a
// hall), how long until an idle sign-out, and offers to sign out; after a while without input, a
// visible countdown, then sign out and leave nothing behind (session, caches, IndexedDB drafts,
// local preferences), back to the QR screen.
import { api } from './api.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { clearAllButCredential } from './kiosk-device.js';

const IDLE_MS = 90000;
const COUNTDOWN_S = 30;

/** 刘秀英 → 刘**, as the BFF masks names in lists. */
export const maskName = (name) => (name ? name[0] + '*'.repeat(Math.max(0, [...name].length - 1)) : '');

const clock = (ms) => {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
};

/** The bar: masked name, the time left before the idle sign-out (ticking), a sign-out button. */
function kioskBar(me, signOut) {
  const idle = el('p', { className: 'kiosk-bar__idle', attrs: { role: 'timer' } });
  const bar = el('aside', { className: 'kiosk-bar', attrs: { 'aria-label': t('kiosk_bar_label') } },
    el('p', { className: 'kiosk-bar__who', textContent: t('kiosk_bar_signed_in', { name: maskName(me?.name) }) }), idle,
    el('button', { type: 'button', className: 'button button--secondary', textContent: t('sign_out'), on: { click: signOut } }));
  document.querySelector('ot-header')?.after(bar);
  return { show: (ms) => { idle.textContent = t('kiosk_bar_idle', { time: clock(ms) }); } };
}

export function startKioskIdleWatch(me) {
  let idleTimer = null; let countdown = null; let dialog = null; let deadline = 0;

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
    deadline = Date.now() + IDLE_MS + COUNTDOWN_S * 1000;
    bar.show(deadline - Date.now());
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

  const bar = kioskBar(me, signOut);
  for (const name of ['pointerdown', 'keydown', 'touchstart', 'scroll']) window.addEventListener(name, reset, { passive: true });
  window.addEventListener('ot:language', () => { document.querySelector('.kiosk-bar')?.remove(); Object.assign(bar, kioskBar(me, signOut)); bar.show(deadline - Date.now()); });
  setInterval(() => bar.show(deadline - Date.now()), 1000);
  reset();
  document.documentElement.dataset.kioskIdle = 'watching'; // the watch runs (tests wait for it)
}
