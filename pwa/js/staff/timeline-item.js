// One entry of the service desk's timeline: when, what in words, who and where, and the action
// staff can take on it (resend a notification, record the call-back after a bad rating).
import { el } from '../dom.js';
import { formatDate, has, pick, t } from '../i18n.js';

/** entry: a timeline item from the API; onResend(notificationId), onFollowUp(number). */
export function timelineItem(entry, names, { onResend, onFollowUp }) {
  const data = entry.data || {};
  const meta = [entry.application, actorText(entry.actor), entry.device].filter(Boolean).join(' · ');
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

/** Who did it: the resident, the system, or a person with their role. */
function actorText(actor) {
  if (actor?.role === 'self') return t('staff_actor_self');
  if (actor?.role === 'system') return t('staff_actor_system');
  return `${maybe(`staff_role_${actor?.role}`, '')} ${actor?.name || ''}`.trim();
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
