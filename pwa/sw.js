// OneThing service worker. Version {{v}} is replaced by the BFF with the asset version.
// Rules: the shell is precached; navigations go to the network first and fall back to the cached
// shell (app routes) or the offline page; versioned static assets are cache-first;
// /api/* and /auth/* (personal data) are never cached; a 'logout' message clears every cache.
const VERSION = '{{v}}';
const SHELL_CACHE = `onething-shell-${VERSION}`;
const ASSET_CACHE = `onething-assets-${VERSION}`;
const OWN_CACHES = [SHELL_CACHE, ASSET_CACHE];
const S = `/static/${VERSION}`;
const PRECACHE = [
  '/', '/offline', '/manifest.webmanifest',
  `${S}/css/app.css`,
  `${S}/js/app.js`, `${S}/js/i18n.js`, `${S}/js/api.js`, `${S}/js/dom.js`, `${S}/js/store.js`,
  `${S}/js/components/app-header.js`, `${S}/js/components/category-grid.js`, `${S}/js/components/bundle-card.js`,
  `${S}/js/components/error-summary.js`, `${S}/js/components/field-renderer.js`, `${S}/js/components/autosave-indicator.js`,
  `${S}/js/pages/home.js`, `${S}/js/pages/wizard.js`, `${S}/js/pages/review.js`, `${S}/js/pages/settings.js`,
  `${S}/js/drafts.js`, `${S}/js/form-logic.js`,
  `${S}/js/mandates-api.js`, `${S}/js/components/acting-banner.js`,
  // The default language only: English is cached when first used (versioned assets are
  // cache-first), which keeps the first load within its budget for the many who never switch.
  `${S}/i18n/zh-CN.json`,
  `${S}/icons/icon.svg`, `${S}/icons/icon-192.png`,
];
const NEVER_CACHED = ['/api/', '/auth/'];
const APP_PAGES = /^\/($|app\/|kiosk$|officer$|staff$)/;

async function precache() {
  const cache = await caches.open(SHELL_CACHE);
  // Versioned assets are immutable, so the HTTP cache may answer (no second download after the
  // first page load); pages and the manifest are always fetched fresh.
  await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: url.startsWith(S) ? 'default' : 'reload' })));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('onething-') && !OWN_CACHES.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function navigation(request) {
  try {
    return await fetch(request);
  } catch {
    const path = new URL(request.url).pathname;
    const cache = await caches.open(SHELL_CACHE);
    const page = (await cache.match(path)) || (APP_PAGES.test(path) ? await cache.match('/') : undefined);
    return page || (await cache.match('/offline')) || Response.error();
  }
}

async function asset(request) {
  const cached = await caches.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(ASSET_CACHE)).put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // Navigations are never stored (only the precached shell answers for them offline).
  if (request.mode === 'navigate') { event.respondWith(navigation(request)); return; }
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return; // network only, never stored
  if (url.pathname.startsWith(`${S}/`)) event.respondWith(asset(request));
  else if (url.pathname === '/manifest.webmanifest') event.respondWith(fetch(request).catch(() => caches.match(request)));
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'logout') {
    event.waitUntil((async () => {
      for (const name of await caches.keys()) if (name.startsWith('onething-')) await caches.delete(name);
      event.ports[0]?.postMessage('cleared'); // the page waits for this before it leaves
      await precache(); // the shell holds no personal data; keep the app usable offline
    })());
  }
});

// Push payloads carry no personal data: {id, kind, title, number, url, urgent} (bff/core/notifications.py).
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = {}; }
  const url = typeof data.url === 'string' && data.url.startsWith('/') ? data.url : '/app/applications';
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of windows) client.postMessage({ type: 'push', data: { ...data, url } });
    try {
      await self.registration.showNotification(data.title || '一件事', {
        body: data.body || '您的办件有新进展 · Your application has an update',
        icon: `${S}/icons/icon-192.png`, badge: `${S}/icons/icon-192.png`,
        tag: data.id ? `notification-${data.id}` : url, renotify: Boolean(data.id), requireInteraction: Boolean(data.urgent),
        data: { url },
      });
    } catch { /* notifications not permitted: the open windows were told above */ }
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data?.url || '/app/applications';
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
    if (open) { await open.focus(); return open.navigate(url); }
    return self.clients.openWindow(url);
  })());
});
