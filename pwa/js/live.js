// Live progress: Server-Sent Events from /api/v1/events/stream; if the stream fails, a polite poller
// on /api/v1/events?after= that backs off (5 s → 60 s), pauses while the tab is hidden and resets when
// something happens. Pushes relayed by the service worker count as "something happened" too.
import { api } from './api.js';

const EVENT_NAMES = ['application_submitted', 'application_withdrawn', 'application_completed', 'case_dispatched',
  'case_transitioned', 'case_due_soon', 'case_overdue', 'supplement_provided', 'certificate_issued', 'notification_created',
  'items_not_possible'];
const MIN_DELAY = 5000;
const MAX_DELAY = 60000;

// One connection serves every watcher of the page (the application page, the nav's unread badge):
// a second EventSource would hold a second of the browser's few connections to this origin.
const watchers = new Set();
let closeShared = null;

/** Calls onEvent({name, data, ...}) for each event of mine; returns stop(). */
export function watchEvents(onEvent) {
  watchers.add(onEvent);
  closeShared ??= connect((event) => { for (const watcher of [...watchers]) watcher(event); });
  return () => {
    watchers.delete(onEvent);
    if (!watchers.size && closeShared) { closeShared(); closeShared = null; }
  };
}

function connect(onEvent) {
  let source = null; let timer = null; let delay = MIN_DELAY; let after = 0; let stopped = false;
  const handle = (event) => { delay = MIN_DELAY; onEvent(event); };
  const onPush = (event) => handle({ name: 'push', data: event.detail });

  function stream() {
    source = new EventSource(api.eventsStreamUrl);
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (message) => {
        after = Math.max(after, Number(message.lastEventId) || 0);
        let data = {};
        try { data = JSON.parse(message.data); } catch { /* keep-alive or empty */ }
        handle({ name, data });
      });
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) { source = null; schedule(); }
    };
  }

  async function poll() {
    timer = null;
    if (stopped) return;
    if (document.hidden) return; // resumed by visibilitychange
    try {
      const { events, last_id: lastId } = await api.events(after);
      if (after && events.length) events.forEach((e) => handle({ name: e.name, data: e.data }));
      else delay = Math.min(delay * 2, MAX_DELAY);
      after = lastId ?? after;
    } catch {
      delay = Math.min(delay * 2, MAX_DELAY);
    }
    schedule();
  }

  function schedule() { if (!stopped && !timer) timer = setTimeout(poll, delay); }
  const onVisibility = () => { if (!document.hidden && !source && !timer) { delay = MIN_DELAY; poll(); } };

  if (window.EventSource) stream(); else poll();
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('ot:push', onPush);
  return () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('ot:push', onPush);
  };
}
