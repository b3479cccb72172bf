// The one timeline of a resident for the service desk: newest first, filters by kind, "load older"
// (keyset: before=next_before), and live updates (timeline-live.js) that fetch ?after=<latest>.
// Each entry is drawn by timeline-item.js.
import { el, fill } from '../dom.js';
import { t } from '../i18n.js';
import { TimelineLive } from './timeline-live.js';
import { timelineItem } from './timeline-item.js';

export { describe } from './timeline-item.js';
export const KINDS = ['logins', 'drafts', 'submissions', 'cases', 'notifications', 'supplements', 'ratings', 'staff', 'mandates', 'other'];
const PAGE = 20; // a screenful on a desk; older pages on request

/**
 * load(params) fetches a page ({kinds, before, after}); stream(lastEventId, signal) opens the live hints (a fetch
 * Response; optional); onResend(notificationId) resends one notification;
 * onFollowUp(number) records the call-back after a bad rating;
 * names: {departments: {code: {zh-CN, en}}}. Returns {node, reload(), start(), stop()}.
 */
export function staffTimeline({ load, stream, onResend, onFollowUp, names }) {
  const list = el('ol', { className: 'timeline staff-timeline' });
  const more = el('div');
  const announcer = el('p', { className: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite' } });
  const filters = kindFilters(() => reload());
  const node = el('section', { attrs: { 'aria-labelledby': 'staff-timeline-title' } },
    el('h3', { id: 'staff-timeline-title', textContent: t('staff_timeline') }), filters, announcer, list, more);
  const item = (entry) => timelineItem(entry, names, { onResend, onFollowUp });
  const kinds = () => [...filters.querySelectorAll('input:checked')].map((i) => i.value).join(',') || undefined;
  const live = new TimelineLive({ stream, fetchNew: () => fetchNew() });
  let latest = 0;
  let generation = 0;

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
      if (mine !== generation || live.stopped) return count;
      const fresh = prependFresh(list, page.items, item);
      if (fresh) {
        count += fresh;
        announcer.textContent = t('staff_timeline_new', { count });
      }
      latest = Math.max(latest, page.latest || 0);
      if (!page.has_more) return count;
    }
  }

  return { node, reload, start: () => live.start(), stop: () => live.stop() };
}

/** The filter by kind; onChange() after every tick. */
function kindFilters(onChange) {
  const boxes = KINDS.map((kind) => el('div', { className: 'choice choice--inline' },
    el('input', { type: 'checkbox', id: `kind-${kind}`, name: 'kind', value: kind, on: { change: onChange } }),
    el('label', { htmlFor: `kind-${kind}`, textContent: t(`staff_kind_${kind}`) })));
  return el('fieldset', { className: 'filters' }, el('legend', { textContent: t('staff_timeline_filter') }), ...boxes);
}

/** Prepends the entries the list does not show yet; how many that was. */
function prependFresh(list, entries, item) {
  // A reload that finished while this fetch was in flight may already show some of these.
  const fresh = entries.filter((entry) => !list.querySelector(`li[data-id="${CSS.escape(String(entry.id))}"]`));
  if (!fresh.length) return 0;
  list.querySelector('li:not([data-id])')?.remove(); // the "nothing yet" line
  list.prepend(...fresh.map(item));
  return fresh.length;
}
