// The service desk's notes about the opened resident: add one (general or about an application),
// show them all on request. Notes of kind `escalation` come from escalating a case.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, t } from '../i18n.js';
import { formError, guarded } from './guarded.js';

/** call(fn(rid, grant)); done(message) announces a finished action. Returns the notes section. */
export function notesSection({ resident, call, done }) {
  const box = el('div');
  const show = async () => {
    const { notes } = await guarded(() => call((rid, grant) => api.staffNotes(rid, grant)));
    fill(box, notes.length ? el('ul', { className: 'task-list' }, notes.map(noteItem)) : el('p', { textContent: t('staff_notes_empty') }));
  };
  const added = (note) => {
    const list = box.querySelector('ul');
    if (list) list.prepend(noteItem(note)); else fill(box, el('ul', { className: 'task-list' }, noteItem(note)));
  };
  return el('section', { attrs: { 'aria-labelledby': 'notes-title' } }, el('h3', { id: 'notes-title', textContent: t('staff_notes') }),
    noteForm(resident, { call, added, done }), el('button', { type: 'button', className: 'button button--secondary', textContent: t('staff_notes_show'),
      on: { click: () => show() } }), box);
}

function noteForm(resident, { call, added, done }) {
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
      added(note);
    } catch (e) { error.textContent = formError(e); return; }
    done(t('staff_note_added'));
  } } },
  el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'note-text', textContent: t('staff_note_text') }),
    el('p', { className: 'field__hint', textContent: t('staff_note_hint') }), text),
  el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'note-application', textContent: t('staff_note_about') }), about),
  error, el('button', { type: 'submit', className: 'button', textContent: t('staff_note_add') }));
}

function noteItem(note) {
  return el('li', { className: 'task-list__item' },
    el('span', { className: 'task-list__name', textContent: note.kind === 'escalation' ? t('staff_note_escalation') : t('staff_note') }),
    el('span', { textContent: note.text }),
    el('span', { className: 'task-list__meta', textContent: [note.author, formatDate(note.created_at, true), note.application, note.case].filter(Boolean).join(' · ') }));
}
