// The combined form as a wizard: one section (topic) per page, prefilled answers locked with their
// source, inline validation with an error summary, autosave (PATCH + If-Match) and an offline copy.
//   /app/apply/:code            choose who it is about, then resume my draft or start one
//   /app/drafts/:id[/:section]  one section of the draft
import { api, ApiError, isOffline } from '../api.js';
import { el, fill } from '../dom.js';
import { has, pick, t } from '../i18n.js';
import { DraftSaver, loadDraft } from '../drafts.js';
import { answerOf, askedSections, checkField, isAsked, lookupIn } from '../form-logic.js';
import { fieldId } from '../components/field-renderer.js';
import '../components/error-summary.js';
import '../components/autosave-indicator.js';

export async function render(ctx) {
  return ctx.params.code ? startOrResume(ctx) : renderSection(ctx);
}

async function startOrResume({ main, params, query, navigate }) {
  const code = params.code;
  const chosen = query.get('subject') || undefined;
  // The form refuses to guess when several people are possible (which deceased relative, which
  // newborn): ask first, from GET /bundles/<code>/subjects, then load the form for that person.
  const subjects = (await api.subjects(code)).subjects || [];
  const taken = (chosen ? subjects.find((s) => s.ref === chosen) : subjects.length === 1 && subjects[0])?.active_case;
  if (taken) return joinInstead(code, taken, navigate); // a family member applied already: one case each
  if (!chosen && subjects.length > 1) {
    const bundle = await api.bundle(code).catch(() => null);
    return chooseSubject(main, code, bundle, subjects, navigate);
  }
  const form = await api.bundleForm(code, chosen);
  const subject = form.subject || (form.subjects || subjects)[0] || null;
  const { drafts } = await api.drafts();
  const existing = drafts.find((d) => d.bundle === code && (!subject || d.subject_ref === subject.ref));
  if (existing) return navigate(`/app/drafts/${existing.number}`, { replace: true });
  const started = await api.startDraft({ bundle: code, subject_ref: subject?.ref ?? null, relation: subject?.relation ?? null })
    .catch((error) => { if (error?.body?.reason !== 'subject_already_applied') throw error; return { taken: error.body.details.existing }; });
  if (started.taken) return joinInstead(code, started.taken, navigate); // they submitted a moment ago
  return navigate(`/app/drafts/${started.data.number}`, { replace: true });
}

function joinInstead(code, existing, navigate) {
  const path = existing.my_status === 'active' ? `/app/applications/${existing.number}` : `/app/join/${existing.number}?bundle=${encodeURIComponent(code)}`;
  return navigate(path, { replace: true });
}

function subjectLabel(subject, index) {
  const name = subject.name || (subject.kind === 'newborn' ? t('wizard_subject_newborn', { n: index + 1 }) : t('wizard_subject_person', { n: index + 1 }));
  return [name, has(`relation_${subject.relation}`) ? t(`relation_${subject.relation}`) : '',
    subject.active_case ? t('wizard_subject_has_case', { name: subject.active_case.lead_name }) : ''].filter(Boolean).join(' · ');
}

function chooseSubject(main, code, bundle, subjects, navigate) {
  const summary = el('ot-error-summary');
  const kind = subjects[0]?.kind;
  const hintKey = has(`wizard_who_hint_${kind}`) ? `wizard_who_hint_${kind}` : 'wizard_who_hint';
  const radios = subjects.map((s, i) => el('div', { className: 'choice' },
    el('input', { type: 'radio', name: 'subject', id: i ? `subject-${i}` : 'subject', value: s.ref }),
    el('label', { htmlFor: i ? `subject-${i}` : 'subject', textContent: subjectLabel(s, i) })));
  const formEl = el('form', { noValidate: true, on: { submit: (event) => {
    event.preventDefault();
    const ref = formEl.querySelector('input:checked')?.value;
    if (!ref) { summary.show([{ id: 'subject', message: t('error_choose_subject') }]); return; }
    navigate(`/app/apply/${code}?subject=${encodeURIComponent(ref)}`, { replace: true });
  } } }, el('fieldset', { attrs: { 'aria-describedby': 'subject-hint' } }, el('legend', { className: 'visually-hidden', textContent: t('wizard_who') }), ...radios),
  el('p', { className: 'field__hint', textContent: t('wizard_who_once') }),
  el('button', { type: 'submit', className: 'button', textContent: t('continue') }));
  fill(main, summary, el('h1', { textContent: t('wizard_who') }),
    bundle ? el('p', { className: 'muted', textContent: pick(bundle, 'name') }) : null,
    el('p', { id: 'subject-hint', textContent: t(hintKey, { count: subjects.length }) }), formEl);
}

async function renderSection({ main, params, navigate }) {
  const number = params.id;
  const entry = await loadDraft(number);
  if (entry.draft.status !== 'draft') return navigate(`/app/applications/${number}`, { replace: true });
  const { form } = entry;
  const answers = { ...entry.draft.answers };
  const sections = askedSections(form, answers);
  // A first step with nothing to fill (all of it prefilled and locked) is not a step for the resident:
  // opening the draft goes straight to the next one, which lists it as done.
  if (!params.section && sections.length > 1 && nothingToFill(sections[0], form, answers)) {
    return navigate(`/app/drafts/${number}/${sections[1].code}`, { replace: true });
  }
  const index = Math.max(0, sections.findIndex((s) => s.code === params.section));
  const section = sections[index];
  const indicator = el('ot-autosave');
  const summary = el('ot-error-summary');
  const saver = new DraftSaver(number, entry.etag, (state) => indicator.set(state));
  if (entry.offline) indicator.set('offline');

  // Questions to answer first; what the government already holds is grouped below, locked with its
  // source (open when it is all there is), so a phone screen shows the few things left to do.
  const boxes = fieldBoxes();
  const renderFields = () => drawFields(section, form, answers, entry.draft, formEl, boxes, mobileChange(number, section));
  const onEdit = () => {
    const changes = takeChanges(formEl, answers);
    if (Object.keys(changes).length) saver.change(changes);
    renderFields();
  };
  const back = index > 0 ? `/app/drafts/${number}/${sections[index - 1].code}` : `/app/bundles/${form.bundle}`;
  const formEl = el('form', { noValidate: true, on: { input: onEdit, change: onEdit, submit: async (event) => {
    event.preventDefault();
    onEdit();
    if (!(await validSection(section, form, entry.draft, answers, formEl, summary))) return;
    await saver.flush();
    const next = askedSections(form, answers)[index + 1];
    navigate(next ? `/app/drafts/${number}/${next.code}` : `/app/drafts/${number}/review`);
  } } }, boxes.fields, boxes.locked, indicator,
  el('div', { className: 'button-group' }, el('button', { type: 'submit', className: 'button', textContent: t(index === sections.length - 1 ? 'wizard_to_review' : 'continue') }),
    el('a', { href: back, textContent: t('back') })));

  fill(main, 
    el('p', { className: 'steps' }, el('span', { textContent: pick(entry.bundle, 'name') }), ' · ',
      el('span', { textContent: t('wizard_step', { n: index + 1, total: sections.length }) })),
    doneBefore(sections.slice(0, index), form, answers, number),
    summary, el('h1', { textContent: pick(section, 'title') }), formEl);
  renderFields();
  const focusTarget = location.hash && document.getElementById(location.hash.slice(1));
  if (focusTarget) setTimeout(() => focusTarget.focus());
  const flushOnHide = () => { if (document.visibilityState === 'hidden') saver.flush(); };
  document.addEventListener('visibilitychange', flushOnHide);
  return () => { saver.flush(); saver.stop(); document.removeEventListener('visibilitychange', flushOnHide); };
}

function nothingToFill(section, form, answers) {
  const lookup = lookupIn(form, answers);
  const asked = section.fields.filter((f) => isAsked(f, lookup));
  return asked.length > 0 && asked.every((f) => f.read_only && f.prefilled);
}

/** The earlier steps that needed nothing from the resident, marked done, each with a link to look. */
function doneBefore(earlier, form, answers, number) {
  const done = earlier.filter((s) => nothingToFill(s, form, answers));
  if (!done.length) return null;
  return el('ul', { className: 'steps-done' }, done.map((s) => el('li', {},
    el('span', { attrs: { 'aria-hidden': 'true' }, textContent: '✓ ' }), t('wizard_step_done', { title: pick(s, 'title') }), ' ',
    el('a', { href: `/app/drafts/${number}/${s.code}`, textContent: t('wizard_step_look'), attrs: { 'aria-label': t('wizard_step_look_at', { title: pick(s, 'title') }) } }))));
}

/** Beside a locked mobile: the registry may hold an old number; the account's can be changed with a code. */
function mobileChange(number, section) {
  const next = `/app/drafts/${number}/${section.code}`;
  return el('p', { className: 'field__hint' }, t('wizard_mobile_wrong'), ' ',
    el('a', { href: `/app/settings/mobile?next=${encodeURIComponent(next)}`, textContent: t('mobile_change_link') }));
}

function fieldBoxes() {
  const lockedList = el('div');
  return { fields: el('div'), lockedList, locked: el('details', { className: 'prefilled' }, el('summary'), lockedList) };
}

/** The section's asked fields (kept across redraws, so typing is not lost), the locked ones apart. */
function drawFields(section, form, answers, draft, formEl, boxes, mobileLink) {
  const lookup = lookupIn(form, answers);
  const nodes = section.fields.filter((f) => isAsked(f, lookup)).map((field) => {
    const existing = formEl.querySelector(`ot-field[data-key="${field.key}"]`);
    if (existing) return existing;
    const node = el('ot-field', { dataset: { key: field.key } });
    node.config = { field, value: draft.answers[field.key] };
    return node;
  });
  const locked = nodes.filter((n) => n.locked);
  fill(boxes.fields, nodes.filter((n) => !n.locked));
  fill(boxes.lockedList, locked.flatMap((n) => (n.field.key === 'applicant.mobile' ? [n, mobileLink] : [n])));
  boxes.locked.hidden = !locked.length;
  boxes.locked.open ||= locked.length === nodes.length;
  boxes.locked.querySelector('summary').textContent = t('wizard_prefilled', { count: locked.length });
}

/** The answers typed since the last look, written into `answers` too; locked fields never change. */
function takeChanges(formEl, answers) {
  const changes = {};
  for (const node of formEl.querySelectorAll('ot-field')) {
    if (node.locked) continue;
    const value = node.value;
    const before = answerOf(node.field, answers);
    if (value !== before && !(value === null && before === undefined)) { changes[node.field.key] = value; answers[node.field.key] = value; }
  }
  return changes;
}

/** Client checks first (instant, offline too), then the server's for this section's fields. */
async function validSection(section, form, draft, answers, fieldsBox, summary) {
  const problems = [];
  const nodes = [...fieldsBox.querySelectorAll('ot-field')];
  for (const node of nodes) {
    if (node.locked) continue;
    const typed = answers[node.field.key];
    // Left empty with a prefilled value: the government's value stands (masked ones are never sent back).
    const message = typed == null && node.field.prefilled ? '' : checkField(node.field, typed);
    node.error = message;
    if (message) problems.push({ id: fieldId(node.field.key), message });
  }
  if (!problems.length && navigator.onLine) {
    try {
      await api.checkForm(form.bundle, draft.subject_ref || undefined, cleanAnswers(answers));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 422) { if (!isOffline(error)) throw error; }
      else {
        const errors = error.fieldErrors;
        for (const node of nodes) {
          const message = errors[node.field.key];
          if (!message || node.locked) continue;
          const full = `${pick(node.field, 'label')}：${message}`;
          node.error = full;
          problems.push({ id: fieldId(node.field.key), message: full });
        }
      }
    }
  }
  summary.show(problems);
  return problems.length === 0;
}

const cleanAnswers = (answers) => Object.fromEntries(Object.entries(answers).filter(([, v]) => v !== null && v !== undefined));
