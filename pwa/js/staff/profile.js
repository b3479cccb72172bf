// The opened resident's profile on the service desk: masked ID number and mobile (each revealed on
// request, for 30 seconds), language, elder mode, sessions (end them all) and their applications.
import { api } from '../api.js';
import { confirmAction } from '../components/confirm-dialog.js';
import { el } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { guarded } from './guarded.js';

const REVEAL_SECONDS = 30;

/** call(fn(rid, grant)) makes a call with the grant; endSessions(); showApplication(number). */
export function profileView(resident, { call, endSessions, showApplication }) {
  const revealButton = (field) => el('button', { type: 'button', className: 'button button--secondary button--small', textContent: t('staff_reveal'),
    attrs: { 'aria-label': t(`staff_reveal_${field}`) }, on: { click: (event) => reveal(call, field, event.target.closest('dd')) } });
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
    applicationList(resident.applications || [], showApplication),
    (resident.drafts || []).length ? el('p', { className: 'muted', textContent: t('staff_drafts', { count: resident.drafts.length }) }) : null);
}

function row(label, value, extra = null) {
  return el('div', { className: 'summary__row' }, el('dt', { textContent: label }), el('dd', {}, el('span', { textContent: value ?? '—' }), extra));
}

function applicationList(applications, showApplication) {
  if (!applications.length) return el('p', { textContent: t('staff_no_applications') });
  return el('ul', { className: 'task-list' }, applications.map((a) => el('li', { className: 'task-list__item' },
    el('span', { className: 'task-list__name', textContent: a.number }),
    el('span', {}, el('strong', { className: `tag${a.overdue ? ' tag--red' : ''}`, textContent: pick(a, 'status_text') }), a.overdue ? ` ${t('officer_overdue')}` : ''),
    el('button', { type: 'button', className: 'button button--secondary button--small', textContent: t('staff_open_application'),
      attrs: { 'aria-label': `${t('staff_open_application')} ${a.number}` }, on: { click: () => showApplication(a.number) } }))));
}

/** Shows the full value in the row's dd after a confirmed, audited reveal. */
async function reveal(call, field, dd) {
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
