// One opened resident on the service-desk page: the profile (profile.js), the application as the
// resident sees it plus what only staff see (application.js), notes (notes.js), the timeline
// (timeline.js) and the audited actions on the resident (resend, rating call-back, end sessions).
// Every call goes through ctx.call(fn), which adds the grant and handles a lost grant or session.
import { api } from '../api.js';
import { confirmAction } from '../components/confirm-dialog.js';
import { el } from '../dom.js';
import { t } from '../i18n.js';
import { applicationPanel } from './application.js';
import { guarded } from './guarded.js';
import { notesSection } from './notes.js';
import { profileView } from './profile.js';
import { staffTimeline } from './timeline.js';

/** ctx: {resident (profile), call(fn(rid, grant)), names: {departments, bundles}, onClose}. Returns {node, timeline, showApplication}. */
export function residentView(ctx) {
  const { resident, call, names } = ctx;
  const status = el('p', { className: 'banner banner--success', tabIndex: -1, hidden: true, attrs: { role: 'status' } });
  const done = (message) => { status.textContent = message; status.hidden = false; status.focus(); };
  const application = applicationPanel({ call, names, done });
  const timeline = staffTimeline({ names, load: (params) => call((rid, grant) => api.staffTimeline(rid, grant, params)),
    stream: (lastEventId, signal) => call((rid, grant) => api.staffTimelineStream(rid, grant, lastEventId, signal)),
    onResend: (nid) => resend(call, nid, done), onFollowUp: (number) => followUp(call, number, done) });
  const node = el('section', { className: 'staff-resident', attrs: { 'aria-labelledby': 'resident-name' } },
    el('div', { className: 'staff-resident__head' },
      el('h2', { id: 'resident-name', tabIndex: -1, textContent: t('staff_resident', { name: resident.name }) }),
      el('button', { type: 'button', className: 'button button--secondary', textContent: t('staff_close'), on: { click: () => ctx.onClose() } })),
    status,
    el('div', { className: 'staff-columns' },
      el('div', {},
        profileView(resident, { call, endSessions: () => endSessions(call, done), showApplication: application.show }),
        application.node,
        notesSection({ resident, call, done })),
      timeline.node));
  return { node, timeline, showApplication: application.show };
}

async function resend(call, nid, done) {
  if (!await confirmAction({ title: t('staff_resend_confirm'), body: t('staff_resend_confirm_body'), confirm: t('staff_resend') })) return;
  await guarded(() => call((rid, grant) => api.staffResend(rid, grant, nid)));
  done(t('staff_resent'));
}

async function followUp(call, number, done) {
  if (!await confirmAction({ title: t('staff_follow_up_confirm'), body: t('staff_follow_up_confirm_body'), confirm: t('staff_follow_up') })) return;
  await guarded(() => call((rid, grant) => api.staffRatingFollowUp(rid, grant, number)));
  done(t('staff_followed_up'));
}

async function endSessions(call, done) {
  if (!await confirmAction({ title: t('staff_end_sessions_confirm'), body: t('staff_end_sessions_confirm_body'),
    confirm: t('staff_end_sessions'), warning: true })) return;
  const { ended } = await guarded(() => call((rid, grant) => api.staffEndSessions(rid, grant)));
  done(t('staff_sessions_ended', { count: ended }));
}
