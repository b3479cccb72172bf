// Web Push for the resident: asked for at the right moment (after a submission, with an explanation)
// and managed in settings. The subscription goes to the BFF; payloads carry no personal data.
import { api } from './api.js';

export const pushSupported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

function keyBytes(base64url) {
  const padded = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function deviceLabel() {
  const ua = navigator.userAgent;
  const model = /Android [\d.]+; ([^;)]+)/.exec(ua)?.[1] || (/iPhone/.test(ua) ? 'iPhone' : /Mac OS/.test(ua) ? 'Mac' : 'Browser');
  return model.slice(0, 100);
}

/** 'unsupported' | 'denied' | 'on' | 'off' */
export async function pushStatus() {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const registration = await navigator.serviceWorker.getRegistration();
  return (await registration?.pushManager.getSubscription()) ? 'on' : 'off';
}

export const PUSH_TIMEOUT_MS = 10000;

/** The browser's push service did not answer in time (enablePush throws it). */
export class PushTimeout extends Error {
  constructor() { super('The push service did not answer'); this.name = 'PushTimeout'; }
}

/** Subscribes through the browser's own push service, which may never answer (a blocked network, a
 * vendor service that is down): give up after 10 s, and drop a subscription that arrives later. */
function subscribeWithin(key, ms) {
  let timedOut = false; let timer = null;
  const subscribing = navigator.serviceWorker.ready.then((registration) => registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: keyBytes(key.public_key) }));
  subscribing.then((late) => { if (timedOut) late.unsubscribe().catch(() => {}); }, () => {});
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => { timedOut = true; reject(new PushTimeout()); }, ms); });
  return Promise.race([subscribing, timeout]).finally(() => clearTimeout(timer));
}

export async function enablePush() {
  if (!pushSupported()) return 'unsupported';
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const key = await api.pushKey();
  const subscription = await subscribeWithin(key, PUSH_TIMEOUT_MS);
  const device = await api.subscribePush({ ...subscription.toJSON(), device: deviceLabel() });
  localStorage.setItem('push-device', String(device.id));
  return 'on';
}

/** At start-up, signed in: re-post an existing subscription, so the BFF knows this device is alive
 * (it prunes devices silent for 90 days) and follows a browser that renewed its endpoint. */
export async function refreshPush() {
  if (!pushSupported() || Notification.permission !== 'granted') return;
  const registration = await navigator.serviceWorker.getRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  if (!subscription) return;
  const device = await api.subscribePush({ ...subscription.toJSON(), device: deviceLabel() });
  localStorage.setItem('push-device', String(device.id));
}

export async function disablePush() {
  if (!pushSupported()) return 'unsupported';
  const registration = await navigator.serviceWorker.ready;
  const subscription = await registration.pushManager.getSubscription();
  if (subscription) {
    const deviceId = localStorage.getItem('push-device');
    if (deviceId) await api.unsubscribePush(deviceId).catch(() => {});
    localStorage.removeItem('push-device');
    await subscription.unsubscribe();
  }
  return 'off';
}
