// One application on the service desk: what the resident sees (status, next step, cases) plus what
// only staff see per case (dispatch attempts, callbacks, overdue flags, escalations), and the
// escalation form of a case.
import { api } from '../api.js';
import { confirmAction } from '../components/confirm-dialog.js';
import { el, fill } from '../dom.js';
import { formatDate, has, pick, t } from '../i18n.js';
import { formError, guarded } from './guarded.js';

/** call(fn(rid, grant)); names: {bundles}; done(message) announces a finished action. Returns {node, show(number)}. */
export function applicationPanel({ call, names, done }) {
  const node = el('div');

  async function show(number) {
    const view = await guarded(() => call((rid, grant) => api.staffApplication(rid, grant, number)));
    fill(node, applicationView(view, names, { escalate: (kase) => escalate(kase, number) }));
    node.querySelector('h3')?.focus();
  }

  function escalate(kase, number) {
    const form = escalationForm(kase, call, async () => {
      await show(number);
      done(t('staff_escalated'));
    });
    node.querySelector(`[data-reference="${kase.reference}"]`)?.replaceChildren(form);
    form.querySelector('textarea').focus();
  }

  return { node, show };
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

/** Asks the case's department to act, after a confirmation; onEscalated() once it is recorded. */
function escalationForm(kase, call, onEscalated) {
  const id = `escalate-${kase.reference}`;
  const text = el('textarea', { id, name: 'text', rows: 3, maxLength: 1000 });
  const error = el('p', { className: 'field__error', attrs: { role: 'alert' } });
  return el('form', { noValidate: true, className: 'staff-form', on: { submit: async (event) => {
    event.preventDefault();
    if (!text.value.trim()) { error.textContent = t('staff_escalate_required'); text.focus(); return; }
    if (!await confirmAction({ title: t('staff_escalate_confirm'), body: t('staff_escalate_confirm_body'), confirm: t('staff_escalate') })) return;
    try {
      await call((rid, grant) => api.staffEscalate(rid, grant, kase.reference, text.value.trim()));
    } catch (e) { error.textContent = formError(e); return; }
    await onEscalated();
  } } }, el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: id, textContent: t('staff_escalate_text') }), text),
  error, el('button', { type: 'submit', className: 'button', textContent: t('staff_escalate') }));
}
