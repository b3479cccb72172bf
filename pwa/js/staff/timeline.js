// The one timeline of a resident for the service desk: newest first, filters by kind, "load older"
// (keyset: before=next_before), and live updates. Live: an SSE stream of hints (event id and name only),
// read with fetch + ReadableStream so the grant stays a header; each hint fetches ?after=<latest>, as does
// every (re)connect. The server ends the stream now and then: it is reopened with Last-Event-ID (after
// `retry:`, doubling after failures). If streaming is unsupported or fails three times in a row, a polite
// poller on ?after=<latest> takes over: every 5 s while the tab is visible, backing off to 30 s after empty
// answers, paused while hidden. Both stop when the grant ends. Neither is a new audit entry.
import { el, fill } from '../dom.js';
import { formatDate, has, pick, t } from '../i18n.js';

export const KINDS = ['logins', 'drafts', 'submissions', 'cases', 'notifications', 'supplements', 'ratings', 'staff', 'other'];
const FAST = 5000;
const SLOW = 30000;
const EMPTY_BEFORE_BACKOFF = 3;
const PAGE = 20; // a screenful on a desk; older pages on request

/**
 * load(params) fetches a page ({kinds, before, after}); stream(lastEventId, signal) opens the live hints (a fetch
 * Response; optional); onResend(notificationId) resends one notification;
 * onFollowUp(number) records the call-back after a bad rating;
 * names: {departments: {code: {zh-CN, en}}}. Returns {node, start(), stop()}.
 */
export function staffTimeline({ load, stream, onResend, onFollowUp, names }) {
  const list = el('ol', { className: 'timeline staff-timeline' });
  const more = el('div');
  const live = el('p', { className: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite' } });
  const boxes = KINDS.map((kind) => el('div', { className: 'choice choice--inline' },
    el('input', { type: 'checkbox', id: `kind-${kind}`, name: 'kind', value: kind, on: { change: () => reload() } }),
    el('label', { htmlFor: `kind-${kind}`, textContent: t(`staff_kind_${kind}`) })));
  const filters = el('fieldset', { className: 'filters' }, el('legend', { textContent: t('staff_timeline_filter') }), ...boxes);
  const node = el('section', { attrs: { 'aria-labelledby': 'staff-timeline-title' } },
    el('h3', { id: 'staff-timeline-title', textContent: t('staff_timeline') }), filters, live, list, more);

  let latest = 0;
  let delay = FAST;
  let empty = 0;
  let timer = null;
  let stopped = true;
  let generation = 0;
  let streaming = !!stream && typeof ReadableStream !== 'undefined' && typeof TextDecoderStream !== 'undefined';
  let controller = null; // aborts the open stream
  let lastEventId = '';
  let retry = 3000;
  let failures = 0;
  let pulling = null; // the ?after= fetch in flight; hints meanwhile ask for one more
  let again = false;

  const kinds = () => [...filters.querySelectorAll('input:checked')].map((i) => i.value).join(',') || undefined;

  async function reload() {
    const mine = ++generation;
    const page = await load({ kinds: kinds(), limit: PAGE });
    if (mine !== generation) return;
    latest = Math.max(latest, page.latest || 0);
    fill(list, page.items.map(item));
    if (!page.items.length) list.append(el('li', { textContent: t('staff_timeline_empty') }));
    drawMore(page);
  }

  function drawMore(page) {
    fill(more, page.has_more && page.next_before ? el('button', { type: 'button', className: 'button button--secondary',
      textContent: t('staff_timeline_older'), on: { click: async (event) => {
        event.target.disabled = true;
        const older = await load({ kinds: kinds(), before: page.next_before, limit: PAGE });
        list.append(...older.items.map(item));
        drawMore(older);
        list.lastElementChild?.querySelector('time')?.focus();
      } } }) : null);
  }

  /** Fetches and prepends what is newer than `latest` (all of it); the number of new items. */
  async function fetchNew() {
    const mine = generation;
    let count = 0;
    for (;;) {
      const page = await load({ kinds: kinds(), after: latest });
      if (mine !== generation || stopped) return count;
      // A reload that finished while this fetch was in flight may already show some of these.
      const fresh = page.items.filter((entry) => !list.querySelector(`li[data-id="${CSS.escape(String(entry.id))}"]`));
      if (fresh.length) {
        list.querySelector('li:not([data-id])')?.remove(); // the "nothing yet" line
        list.prepend(...fresh.map(item));
        count += fresh.length;
        live.textContent = t('staff_timeline_new', { count });
      }
      latest = Math.max(latest, page.latest || 0);
      if (!page.has_more) return count;
    }
  }

  function pull() {
    if (pulling) { again = true; return pulling; }
    pulling = (async () => {
      do { again = false; await fetchNew(); } while (again && !stopped);
    })().catch(ended).finally(() => { pulling = null; });
    return pulling;
  }

  /** A lost grant or session stops the live path (the page asks again); other errors are retried. */
  function ended(error) {
    if (error?.grantEnded || error?.signedOut) { stop(); return true; }
    return false;
  }

  async function listen() {
    timer = null;
    if (stopped) return;
    const mine = new AbortController();
    controller = mine;
    const opened = Date.now();
    try {
      const response = await stream(lastEventId, mine.signal);
      pull(); // what happened while (re)connecting
      await readHints(response.body.pipeThrough(new TextDecoderStream()).getReader());
      failures = Date.now() - opened < 1000 ? failures + 1 : 0; // closed at once counts as a failure
    } catch (error) {
      if (stopped || mine.signal.aborted || ended(error)) return;
      failures += 1;
    }
    if (stopped) return;
    if (failures >= 3) { streaming = false; schedule(); return; } // the polite poller from here on
    timer = setTimeout(listen, retry * 2 ** failures);
  }

  async function readHints(reader) {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const fields = Object.fromEntries(buffer.slice(0, end).split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
        buffer = buffer.slice(end + 2);
        if (fields.retry) retry = Number(fields.retry) || retry;
        if (fields.id) lastEventId = fields.id;
        if ('data' in fields) pull();
      }
    }
  }

  async function poll() {
    timer = null;
    if (stopped || document.hidden) return;
    try {
      if (await fetchNew()) { empty = 0; delay = FAST; }
      else if (++empty >= EMPTY_BEFORE_BACKOFF) delay = Math.min(delay * 2, SLOW);
    } catch (error) {
      if (ended(error)) return;
      delay = Math.min(delay * 2, SLOW);
    }
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    if (!stopped && !document.hidden) timer = setTimeout(poll, delay);
  }

  function onVisibility() {
    if (streaming) return; // the stream stays open while hidden: hints cost nothing
    if (document.hidden) { clearTimeout(timer); timer = null; return; }
    delay = FAST;
    empty = 0;
    poll(); // catch up at once when the tab comes back
  }

  function item(entry) {
    const data = entry.data || {};
    const who = entry.actor?.role === 'self' ? t('staff_actor_self') : entry.actor?.role === 'system' ? t('staff_actor_system')
      : `${maybe(`staff_role_${entry.actor?.role}`, '')} ${entry.actor?.name || ''}`.trim();
    const meta = [entry.application, who, entry.device].filter(Boolean).join(' · ');
    return el('li', { dataset: { id: String(entry.id), kind: entry.kind } },
      el('time', { dateTime: entry.occurred_at, tabIndex: -1, textContent: formatDate(entry.occurred_at, true) }),
      el('span', { textContent: describe(entry.name, data, names) }),
      meta ? el('span', { className: 'staff-timeline__meta', textContent: meta }) : null,
      entry.name === 'notification_created' && data.notification ? el('button', { type: 'button', className: 'button button--secondary button--small',
        textContent: t('staff_resend'), attrs: { 'aria-label': `${t('staff_resend')} ${formatDate(entry.occurred_at, true)}` },
        on: { click: () => onResend(data.notification) } }) : null,
      entry.name === 'rating_follow_up_needed' && data.number ? el('button', { type: 'button', className: 'button button--secondary button--small',
        textContent: t('staff_follow_up'), attrs: { 'aria-label': `${t('staff_follow_up')} ${data.number}` },
        on: { click: () => onFollowUp(data.number) } }) : null);
  }

  function start() {
    stopped = false;
    document.addEventListener('visibilitychange', onVisibility);
    if (streaming) listen(); else schedule();
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
    document.removeEventListener('visibilitychange', onVisibility);
  }

  return { node, reload, start, stop };
}

/** The event in words: its name's text, with the department, status, field … where it has them. */
export function describe(name, data, names) {
  const key = `staff_ev_${name}`;
  const department = data.department && names.departments[data.department] ? pick(names.departments[data.department], 'name') : data.department || '';
  const to = data.to && has(`status_${data.to}`) ? t(`status_${data.to}`) : data.to || '';
  const params = { department, to, field: maybe(`staff_field_${data.field}`, data.field), view: maybe(`staff_view_${data.view}`, data.view),
    score: data.score ?? '', count: data.count ?? data.results ?? '', case: data.case || '', reason: [data.ticket, data.reason].filter(Boolean).join(' · ') || '—' };
  return has(key) ? t(key, params) : name;
}

const maybe = (key, fallback) => (has(key) ? t(key) : fallback ?? '');
