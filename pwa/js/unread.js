// The unread count behind the nav's 消息 badge. Read once signed in, again after a live event that
// may have made an inbox entry (or a push the service worker relayed), and whenever the inbox marks
// something read; the header shows what the 'ot:unread' event says.
import { api } from './api.js';
import { watchEvents } from './live.js';

const MAKES_ENTRIES = ['notification_created', 'push'];
let stopWatching = null;
let timer = null;

async function refresh() {
  let unread;
  try { ({ unread } = await api.unreadCount()); } catch { return; } // offline or signed out: keep the last badge
  window.dispatchEvent(new CustomEvent('ot:unread', { detail: unread }));
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 300); // one read for a burst of notifications
}

export function startUnread() {
  if (stopWatching) return;
  refresh();
  stopWatching = watchEvents((event) => { if (MAKES_ENTRIES.includes(event.name)) soon(); });
  window.addEventListener('ot:inbox-read', refresh);
}
