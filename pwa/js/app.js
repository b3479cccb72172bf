// The app shell: language, elder mode, session, the router over /app/… paths (History API),
// the service worker and the offline banner. Page modules are loaded on demand with import().
import { loadLanguage, localize, savedLanguage, t, currentLanguage } from './i18n.js';
import { api, ApiError, loginUrl } from './api.js';

const ROUTES = [
  ['/', 'home'],
  ['/app/bundles/:code', 'bundle'],
  ['/app/apply/:code', 'wizard', { auth: true }],
  ['/app/drafts/:id/review', 'review', { auth: true }],
  ['/app/drafts/:id/:section', 'wizard', { auth: true }],
  ['/app/drafts/:id', 'wizard', { auth: true }],
  ['/app/applications', 'applications', { auth: true }],
  ['/app/applications/:id/receipt', 'receipt', { auth: true }],
  ['/app/applications/:id', 'application', { auth: true }],
  ['/app/inbox', 'inbox', { auth: true }],
  ['/app/certificates/:number', 'certificate', { auth: true }],
  ['/app/offers/:id', 'offer', { auth: true }],
  ['/app/offers', 'offers', { auth: true }],
  ['/app/join/:id', 'join', { auth: true }],
  ['/app/consents/:id', 'consent', { auth: true }],
  ['/app/consents', 'consents', { auth: true }],
  ['/app/settings', 'settings'],
  ['/app/settings/mobile', 'mobile', { auth: true }],
  ['/app/login-failed', 'login-failed'],
  ['/app/scan', 'scan', { auth: true }],
  ['/app/qr/:ticket', 'qr-approve', { auth: true }],
  ['/kiosk', 'kiosk', { chrome: 'kiosk' }],
  ['/officer', 'officer', { auth: true, chrome: 'desk' }],
  ['/staff', 'staff', { auth: true, chrome: 'desk' }],
].map(([pattern, page, options = {}]) => ({
  page, ...options,
  regex: new RegExp(`^${pattern.replace(/:(\w+)/g, '(?<$1>[^/]+)')}/?$`),
}));

export const session = { me: undefined, ready: null };
const version = new URL(import.meta.url).pathname.split('/')[2];
const main = document.getElementById('main');
let cleanup = null;
let renderCount = 0;

export function navigate(path, { replace = false } = {}) {
  history[replace ? 'replaceState' : 'pushState']({}, '', path);
  return route();
}

export function setElderMode(on, { save = true } = {}) {
  document.documentElement.classList.toggle('elder', on);
  localStorage.setItem('elder', on ? '1' : '0');
  window.dispatchEvent(new CustomEvent('ot:elder', { detail: on }));
  if (save && session.me) api.updateMe({ elder_mode: on }).catch(() => {});
}

export async function setLanguage(lang, { save = true, rerender = true } = {}) {
  try {
    await loadLanguage(lang);
  } catch {
    // Offline, a language never used on this device is not cached yet: stay in the one shown
    // (the offline banner already says why nothing else loads).
    return;
  }
  localize();
  window.dispatchEvent(new CustomEvent('ot:language', { detail: lang }));
  if (save && session.me) api.updateMe({ language: lang }).catch(() => {});
  if (rerender) await route({ focus: false });
}

/** Sign out here, forget everything this user left in the browser, then end the session at the
 * identity provider too (its end-session URL returns to our home page). */
export async function logout() {
  let answer = null;
  try { answer = await api.logout(); } catch { /* the session may already be gone */ }
  await forgetLocalData();
  session.me = null;
  location.assign(answer?.end_session_url || answer?.redirect || '/');
}

async function forgetLocalData() {
  const store = await import('./store.js');
  await Promise.all([store.clear().catch(() => {}), clearServiceWorkerCaches()]);
  try { sessionStorage.clear(); } catch { /* storage may be disabled */ }
}

/** Asks the service worker to drop its caches and waits for it (at most 3 s) before leaving the page. */
function clearServiceWorkerCaches() {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return Promise.resolve();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(resolve, 3000);
    channel.port1.onmessage = () => { clearTimeout(timer); resolve(); };
    worker.postMessage({ type: 'logout' }, [channel.port2]);
  });
}

// Offline, the header and the pages still know who is signed in: the last /api/v1/me is kept on this
// device without the (masked) ID number and mobile, and forgotten at sign-out with the drafts.
const KEPT_ME = ['id', 'name', 'roles', 'department', 'language', 'elder_mode'];

function keepSignedIn(me) {
  if (me.session?.kind === 'kiosk') return; // a shared device keeps nobody's name
  const kept = Object.fromEntries(KEPT_ME.map((key) => [key, me[key]]));
  import('./store.js').then((store) => store.set('me', { ...kept, session: { kind: me.session?.kind } })).catch(() => {});
}

async function signedInBefore() {
  if (!mayBeSignedIn()) return null;
  const kept = await import('./store.js').then((store) => store.get('me')).catch(() => null);
  return kept ? { ...kept, offline: true } : null;
}

/** The server keeps a readable "onething_signed_in" cookie while the browser has a session. */
const mayBeSignedIn = () => document.cookie.split(';').some((c) => /^\s*(__Host-)?onething_signed_in=/.test(c));

async function loadMe() {
  try {
    session.me = mayBeSignedIn() ? await api.me() : null; // signed out: no request, no 401
    if (session.me) keepSignedIn(session.me);
  } catch (error) {
    session.me = null;
    if (!(error instanceof ApiError)) {
      session.offline = true;
      session.me = await signedInBefore();
    }
  }
  const me = session.me;
  if (me?.language && me.language !== currentLanguage()) {
    await setLanguage(me.language, { save: false, rerender: false });
    setTimeout(() => route({ focus: false })); // after session.ready settles: pages await it
  }
  if (me && typeof me.elder_mode === 'boolean') setElderMode(me.elder_mode, { save: false });
  if (me?.session?.kind === 'kiosk') import('./kiosk-idle.js').then((m) => m.startKioskIdleWatch(me));
  else if (me) import('./push.js').then((m) => m.refreshPush()).catch(() => {});
  if (me?.session?.kind !== 'kiosk' && me?.roles?.includes('resident')) import('./unread.js').then((m) => m.startUnread()).catch(() => {});
  window.dispatchEvent(new CustomEvent('ot:me', { detail: me }));
  return me;
}

function match(path) {
  for (const r of ROUTES) {
    const m = r.regex.exec(path);
    if (m) return { route: r, params: m.groups || {} };
  }
  return null;
}

function signInPrompt() {
  main.replaceChildren();
  const h1 = Object.assign(document.createElement('h1'), { textContent: t('signin_title') });
  const p = Object.assign(document.createElement('p'), { textContent: t('signin_body') });
  const a = Object.assign(document.createElement('a'), { className: 'button', href: loginUrl(), textContent: t('signin_button') });
  main.append(h1, p, a);
}

function notFound() {
  main.replaceChildren();
  const h1 = Object.assign(document.createElement('h1'), { textContent: t('not_found_title') });
  const a = Object.assign(document.createElement('a'), { href: '/', textContent: t('back_home') });
  main.append(h1, a);
}

export function showError(error) {
  main.replaceChildren();
  const offline = !(error instanceof ApiError);
  const h1 = Object.assign(document.createElement('h1'), { textContent: t(offline ? 'offline_title' : 'error_title') });
  const p = Object.assign(document.createElement('p'), { textContent: offline ? t('offline_body') : error.message });
  const button = Object.assign(document.createElement('button'), { className: 'button button--secondary', type: 'button', textContent: t('try_again') });
  button.addEventListener('click', () => route());
  main.append(h1, p, button);
}

async function route({ focus = true } = {}) {
  const count = ++renderCount;
  if (cleanup) { try { cleanup(); } catch { /* a page's cleanup must not break navigation */ } cleanup = null; }
  const found = match(location.pathname);
  document.body.dataset.chrome = found?.route.chrome || 'app';
  window.dispatchEvent(new CustomEvent('ot:route', { detail: location.pathname }));
  if (!found) { notFound(); return finish(focus); }
  if (found.route.auth) {
    await session.ready;
    if (!session.me && !session.offline) { signInPrompt(); return finish(focus); }
  }
  try {
    const module = await import(`./pages/${found.route.page}.js`);
    if (count !== renderCount) return undefined;
    const ctx = { main, params: found.params, query: new URLSearchParams(location.search), session, navigate, version };
    cleanup = (await module.render(ctx)) || null;
  } catch (error) {
    if (count !== renderCount) return undefined;
    if (error instanceof ApiError && error.status === 401) signInPrompt();
    else { console.error(error); showError(error); }
  }
  return finish(focus);
}

function finish(focus) {
  const h1 = main.querySelector('h1');
  document.title = h1 && h1.textContent !== t('app_name') ? `${h1.textContent} - ${t('app_name')}` : t('app_name');
  if (focus && renderCount > 1) main.focus({ preventScroll: false });
  document.documentElement.dataset.ready = '1';
}

function interceptLinks() {
  document.addEventListener('click', (event) => {
    const a = event.target.closest('a[href]');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
        || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !match(url.pathname)) return;
    event.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener('popstate', () => route());
}

function watchConnection() {
  const banner = document.getElementById('offline-banner');
  const update = () => { banner.hidden = navigator.onLine; };
  window.addEventListener('online', async () => {
    update();
    const { syncPendingDrafts } = await import('./drafts.js');
    await syncPendingDrafts();
  });
  window.addEventListener('offline', update);
  update();
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => console.warn('service worker', error));
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'push') window.dispatchEvent(new CustomEvent('ot:push', { detail: event.data.data }));
  });
}

function listenToHeader() {
  window.addEventListener('ot:set-language', (event) => setLanguage(event.detail));
  window.addEventListener('ot:set-elder', (event) => setElderMode(event.detail));
  window.addEventListener('ot:logout', () => logout());
}

async function start() {
  document.documentElement.classList.remove('no-js');
  if (localStorage.getItem('elder') === '1') document.documentElement.classList.add('elder');
  await loadLanguage(savedLanguage());
  localize();
  listenToHeader();
  await import('./components/app-header.js');
  await import('./components/acting-banner.js'); // "正在代 … 办理", or whom to act for
  session.ready = loadMe();
  interceptLinks();
  watchConnection();
  registerServiceWorker();
  await route({ focus: false });
  if (navigator.onLine) session.ready.then((me) => me && import('./drafts.js').then((d) => d.syncPendingDrafts()));
}

start();
