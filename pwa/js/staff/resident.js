// One opened resident on the service-desk page: the profile (masked, reveal per field on request),
// the application as the resident sees it plus what only staff see, notes and the audited actions.
// Every call goes through ctx.call(fn), which adds the grant and handles a lost grant or session.
import { ApiError, api } from '../api.js';
import { confirmAction } from '../components/confirm-dialog.js';
import { el, fill } from '../dom.js';
import { formatDate, has, pick, t } from '../i18n.js';
import { staffTimeline } from './timeline.js';

const REVEAL_SECONDS = 30;

/** ctx: {resident (profile), call(fn(rid, grant)), names: {departments, bundles}, openApplication, onClose}. */
export function residentView(ctx) {
  const { resident, call, names } = ctx;
  const status = el('p', { className: 'banner banner--success', tabIndex: -1, hidden: true, attrs: { role: 'status' } });
  const applicationBox = el('div');
  const notesBox = el('div');
  const timeline = staffTimeline({ names, load: (params) => call((rid, grant) => api.staffTimeline(rid, grant, params)),
    stream: (lastEventId, signal) => call((rid, grant) => api.staffTimelineStream(rid, grant, lastEventId, signal)),
    onResend: (nid) => resend(nid), onFollowUp: (number) => followUp(number) });

  function done(message) {
    status.textContent = message;
    status.hidden = false;
    status.focus();
  }

  async function resend(nid) {
    if (!await confirmAction({ title: t('staff_resend_confirm'), body: t('staff_resend_confirm_body'), confirm: t('staff_resend') })) return;
    await guarded(() => call((rid, grant) => api.staffResend(rid, grant, nid)));
    done(t('staff_resent'));
  }

  async function followUp(number) {
    if (!await confirmAction({ title: t('staff_follow_up_confirm'), body: t('staff_follow_up_confirm_body'), confirm: t('staff_follow_up') })) return;
    await guarded(() => call((rid, grant) => api.staffRatingFollowUp(rid, grant, number)));
    done(t('staff_followed_up'));
  }

  async function endSessions() {
    if (!await confirmAction({ title: t('staff_end_sessions_confirm'), body: t('staff_end_sessions_confirm_body'),
      confirm: t('staff_end_sessions'), warning: true })) return;
    const { ended } = await guarded(() => call((rid, grant) => api.staffEndSessions(rid, grant)));
    done(t('staff_sessions_ended', { count: ended }));
  }

  async function showApplication(number) {
    const view = await guarded(() => call((rid, grant) => api.staffApplication(rid, grant, number)));
    fill(applicationBox, applicationView(view, names, { escalate: (c) => escalate(c, number) }));
    applicationBox.querySelector('h3')?.focus();
  }

  async function escalate(kase, number) {
    const id = `escalate-${kase.reference}`;
    const text = el('textarea', { id, name: 'text', rows: 3, maxLength: 1000 });
    const error = el('p', { className: 'field__error', attrs: { role: 'alert' } });
    const form = el('form', { noValidate: true, className: 'staff-form', on: { submit: async (event) => {
      event.preventDefault();
      if (!text.value.trim()) { error.textContent = t('staff_escalate_required'); text.focus(); return; }
      if (!await confirmAction({ title: t('staff_escalate_confirm'), body: t('staff_escalate_confirm_body'), confirm: t('staff_escalate') })) return;
      try {
        await call((rid, grant) => api.staffEscalate(rid, grant, kase.reference, text.value.trim()));
      } catch (e) { if (!(e instanceof ApiError) || e.grantEnded || e.signedOut) throw e; error.textContent = e.message; return; }
      await showApplication(number);
      done(t('staff_escalated'));
    } } }, el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: id, textContent: t('staff_escalate_text') }), text),
    error, el('button', { type: 'submit', className: 'button', textContent: t('staff_escalate') }));
    applicationBox.querySelector(`[data-reference="${kase.reference}"]`)?.replaceChildren(form);
    text.focus();
  }

  async function showNotes() {
    const { notes } = await guarded(() => call((rid, grant) => api.staffNotes(rid, grant)));
    fill(notesBox, notes.length ? el('ul', { className: 'task-list' }, notes.map(noteItem)) : el('p', { textContent: t('staff_notes_empty') }));
  }

  function noteForm() {
    const text = el('textarea', { id: 'note-text', name: 'text', rows: 3, maxLength: 1000 });
    const numbers = (resident.applications || []).map((a) => a.number);
    const about = el('select', { id: 'note-application', name: 'application' },
      el('option', { value: '', textContent: t('staff_note_general') }), numbers.map((n) => el('option', { value: n, textContent: n })));
    const error = el('p', { className: 'field__error', attrs: { role: 'alert' } });
    return el('form', { noValidate: true, className: 'staff-form', on: { submit: async (event) => {
      event.preventDefault();
      if (!text.value.trim()) { error.textContent = t('staff_note_required'); text.focus(); return; }
      try {
        const note = await call((rid, grant) => api.staffAddNote(rid, grant, { text: text.value.trim(), application: about.value || null }));
        text.value = '';
        error.textContent = '';
        const list = notesBox.querySelector('ul');
        if (list) list.prepend(noteItem(note)); else fill(notesBox, el('ul', { className: 'task-list' }, noteItem(note)));
      } catch (e) { if (!(e instanceof ApiError) || e.grantEnded || e.signedOut) throw e; error.textContent = e.message; return; }
      done(t('staff_note_added'));
    } } },
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'note-text', textContent: t('staff_note_text') }),
      el('p', { className: 'field__hint', textContent: t('staff_note_hint') }), text),
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'note-application', textContent: t('staff_note_about') }), about),
    error, el('button', { type: 'submit', className: 'button', textContent: t('staff_note_add') }));
  }

  const node = el('section', { className: 'staff-resident', attrs: { 'aria-labelledby': 'resident-name' } },
    el('div', { className: 'staff-resident__head' },
      el('h2', { id: 'resident-name', tabIndex: -1, textContent: t('staff_resident', { name: resident.name }) }),
      el('button', { type: 'button', className: 'button button--secondary', textContent: t('staff_close'), on: { click: () => ctx.onClose() } })),
    status,
    el('div', { className: 'staff-columns' },
      el('div', {},
        profileView(resident, { reveal: (field, dd) => reveal(field, dd), endSessions, showApplication }),
        applicationBox,
        el('section', { attrs: { 'aria-labelledby': 'notes-title' } }, el('h3', { id: 'notes-title', textContent: t('staff_notes') }),
          noteForm(), el('button', { type: 'button', className: 'button button--secondary', textContent: t('staff_notes_show'),
            on: { click: () => showNotes() } }), notesBox)),
      timeline.node));

  async function reveal(field, dd) {
    if (!await confirmAction({ title: t(`staff_reveal_confirm_${field}`), body: t('staff_reveal_confirm_body'), confirm: t('staff_reveal') })) return;
    const { value } = await guarded(() => call((rid, grant) => api.staffReveal(rid, grant, field)));
    const masked = dd.firstChild.textContent;
    dd.firstChild.textContent = value;
    dd.querySelector('button').hidden = true;
    const note = el('span', { className: 'muted', textContent: ` ${t('staff_reveal_hides', { seconds: REVEAL_SECONDS })}` });
    dd.append(note);
    // The revealed value is not kept beyond the moment: masked again after 30 s.
    setTimeout(() => { dd.firstChild.textContent = masked; note.remove(); dd.querySelector('button').hidden = false; }, REVEAL_SECONDS * 1000);
  }

  return { node, timeline, showApplication };
}

/** Errors the page itself handles (lost grant, signed out) pass through; others become an alert. */
async function guarded(fn) {
  try { return await fn(); } catch (error) {
    if (error instanceof ApiError && !error.grantEnded && !error.signedOut) window.alert(error.message);
    throw error;
  }
}

function row(label, value, extra = null) {
  return el('div', { className: 'summary__row' }, el('dt', { textContent: label }), el('dd', {}, el('span', { textContent: value ?? '—' }), extra));
}

function profileView(resident, { reveal, endSessions, showApplication }) {
  const revealButton = (field) => el('button', { type: 'button', className: 'button button--secondary button--small', textContent: t('staff_reveal'),
    attrs: { 'aria-label': t(`staff_reveal_${field}`) }, on: { click: (event) => reveal(field, event.target.closest('dd')) } });
  const sessions = resident.sessions || [];
  return el('section', { attrs: { 'aria-labelledby': 'profile-title' } },
    el('h3', { id: 'profile-title', textContent: t('staff_profile') }),
    el('dl', { className: 'summary' },
      row(t('staff_id_number'), resident.id_number, resident.id_number ? revealButton('id_number') : null),
      row(t('staff_mobile'), resident.mobile, resident.mobile ? revealButton('mobile') : null),
      row(t('staff_language'), resident.language === 'en' ? 'English' : '中文'),
      row(t('staff_elder_mode'), t(resident.elder_mode ? 'yes' : 'no')),
      row(t('staff_last_login'), resident.last_login_at ? formatDate(resident.last_login_at, true) : '—'),
      row(t('staff_sessions'), t('staff_sessions_count', { count: sessions.length }), sessions.length
        ? el('button', { type: 'button', className: 'button button--warning button--small', textContent: t('staff_end_sessions'), on: { click: endSessions } }) : null)),
    el('h3', { textContent: t('staff_applications') }),
    (resident.applications || []).length ? el('ul', { className: 'task-list' }, resident.applications.map((a) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: a.number }),
      el('span', {}, el('strong', { className: `tag${a.overdue ? ' tag--red' : ''}`, textContent: pick(a, 'status_text') }), a.overdue ? ` ${t('officer_overdue')}` : ''),
      el('button', { type: 'button', className: 'button button--secondary button--small', textContent: t('staff_open_application'),
        attrs: { 'aria-label': `${t('staff_open_application')} ${a.number}` }, on: { click: () => showApplication(a.number) } })))) : el('p', { textContent: t('staff_no_applications') }),
    (resident.drafts || []).length ? el('p', { className: 'muted', textContent: t('staff_drafts', { count: resident.drafts.length }) }) : null);
}

function applicationView({ application, staff }, names, { escalate }) {
  const extra = Object.fromEntries((staff?.cases || []).map((c) => [c.reference, c]));
  const bundle = names.bundles[application.bundle];
  return el('section', { className: 'staff-application', attrs: { 'aria-labelledby': 'application-title' } },
    el('h3', { id: 'application-title', tabIndex: -1, textContent: `${bundle ? pick(bundle, 'name') : application.bundle} · ${application.number}` }),
    el('p', {}, el('strong', { className: 'tag', textContent: pick(application, 'status_text') }), ' ', pick(application.next_action, 'text')),
    el('table', {}, el('thead', {}, el('tr', {}, ['staff_case', 'staff_case_status', 'staff_case_due', 'staff_case_dispatch', 'staff_case_callbacks', 'staff_case_escalation']
      .map((k) => el('th', { scope: 'col', textContent: t(k) })))),
    el('tbody', {}, (application.cases || []).map((c) => caseRow(c, extra[c.reference] || {}, escalate)))));
}

function caseRow(kase, staff, escalate) {
  const attempts = staff.dispatch_attempts || [];
  const failed = attempts.filter((a) => a.name === 'case_dispatch_failed');
  const flag = staff.flag && has(`officer_flag_${staff.flag}`) ? t(`officer_flag_${staff.flag}`) : '';
  return el('tr', {},
    el('td', {}, el('strong', { textContent: pick(kase, 'title') }), el('br'), el('span', { className: 'muted', textContent: `${pick(kase, 'department_name')} · ${kase.reference}` })),
    el('td', { textContent: pick(kase, 'status_text') }),
    el('td', { className: staff.overdue ? 'overdue' : '' }, kase.due_on ? formatDate(kase.due_on) : '—', flag ? ` ${flag}` : ''),
    el('td', { textContent: staff.dispatched_at ? t('staff_dispatched', { time: formatDate(staff.dispatched_at, true), gateway: staff.gateway || '', failed: failed.length })
      : t('staff_not_dispatched', { failed: failed.length }) }),
    el('td', { textContent: staff.last_callback_at ? t('staff_callbacks', { count: (staff.callbacks || []).length, time: formatDate(staff.last_callback_at, true) }) : '—' }),
    el('td', { dataset: { reference: kase.reference } },
      (staff.escalations || []).length ? el('p', { textContent: t('staff_escalations', { count: staff.escalations.length }) }) : null,
      staff.can_escalate ? el('button', { type: 'button', className: 'button button--small', textContent: t('staff_escalate'),
        attrs: { 'aria-label': `${t('staff_escalate')} ${pick(kase, 'title')}` }, on: { click: () => escalate(staff.reference ? staff : kase) } }) : null));
}

function noteItem(note) {
  return el('li', { className: 'task-list__item' },
    el('span', { className: 'task-list__name', textContent: note.kind === 'escalation' ? t('staff_note_escalation') : t('staff_note') }),
    el('span', { textContent: note.text }),
    el('span', { className: 'task-list__meta', textContent: [note.author, formatDate(note.created_at, true), note.application, note.case].filter(Boolean).join(' · ') }));
}
