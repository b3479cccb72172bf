// Opening a resident needs a recorded reason: a call ticket number, or a purpose with a few words
// of text (docs/staff-console.md, "Access with a purpose"). This form asks for it and opens.
import { ApiError, api } from '../api.js';
import '../components/error-summary.js';
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

const FIELD_IDS = { ticket: 'reason-ticket', purpose: 'reason-purpose', text: 'reason-text', reason: 'reason-ticket' };

/**
 * resident: {id, name}; notice: a banner above the form (why it is asked again); presetPurpose: the
 * purpose already chosen; purposes from GET /staff/purposes. onOpened(opened) with the answer of
 * opening ({grant, resident}); onSignedOut(); onCancel(). Returns the form.
 */
export function reasonForm({ resident, notice = '', presetPurpose = '', purposes, onOpened, onSignedOut, onCancel }) {
  const summary = el('ot-error-summary');
  const fields = reasonFields(purposes, presetPurpose);
  const submit = async (event) => {
    event.preventDefault();
    const body = reasonOf(fields);
    if (!body.ticket && !(body.purpose && body.text.length >= 4)) {
      summary.show([{ id: 'reason-ticket', message: t('staff_reason_required') }]);
      return;
    }
    try {
      await onOpened(await api.staffOpen(resident.id, body));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) { onSignedOut(); return; }
      summary.show(problemsOf(error));
    }
  };
  return el('form', { noValidate: true, className: 'staff-form', on: { submit } },
    el('h2', { id: 'reason-title', tabIndex: -1, textContent: t('staff_reason_title', { name: resident.name }) }),
    notice ? el('p', { className: 'banner', attrs: { role: 'alert' }, textContent: notice }) : null,
    el('p', { textContent: t('staff_reason_intro') }), summary,
    field('reason-ticket', t('staff_ticket'), t('staff_ticket_hint'), fields.ticket),
    field('reason-purpose', t('staff_purpose'), null, fields.purpose),
    field('reason-text', t('staff_reason_text'), t('staff_reason_text_hint'), fields.text),
    el('div', { className: 'button-group' }, el('button', { type: 'submit', className: 'button', textContent: t('staff_open_with_reason') }),
      el('button', { type: 'button', className: 'button button--secondary', textContent: t('confirm_cancel'), on: { click: () => onCancel() } })));
}

function reasonFields(purposes, presetPurpose) {
  return {
    ticket: el('input', { type: 'text', id: 'reason-ticket', name: 'ticket', autocomplete: 'off', maxLength: 32, attrs: { 'aria-describedby': 'reason-ticket-hint' } }),
    purpose: el('select', { id: 'reason-purpose', name: 'purpose' }, el('option', { value: '', textContent: t('staff_purpose_none') }),
      purposes.map((p) => el('option', { value: p.code, textContent: pick(p, 'text'), selected: p.code === presetPurpose }))),
    text: el('textarea', { id: 'reason-text', name: 'text', rows: 2, maxLength: 200, attrs: { 'aria-describedby': 'reason-text-hint' } }),
  };
}

/** The labelled field; its hint (if any) has the id the control's aria-describedby names. */
function field(id, label, hint, control) {
  return el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: id, textContent: label }),
    hint ? el('p', { className: 'field__hint', id: `${id}-hint`, textContent: hint }) : null, control);
}

function reasonOf({ ticket, purpose, text }) {
  return { ticket: ticket.value.trim().toUpperCase() || null, purpose: purpose.value || null, text: text.value.trim() };
}

/** The server's field errors, each on the control it is about; its message when it names none. */
function problemsOf(error) {
  const problems = Object.entries(error.fieldErrors).map(([name, message]) => ({ id: FIELD_IDS[name] || 'reason-ticket', message }));
  return problems.length ? problems : [{ id: 'reason-ticket', message: error.message }];
}
