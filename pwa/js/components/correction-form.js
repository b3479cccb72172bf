// A correction (补正) a department asked for, answered at the top of the application page: the
// department's words in the resident's language, each field to correct with its current value in the
// input (a masked value — an ID number — is shown beside an empty input, never sent back), and a file
// for each document the item accepts. Files go first (POST …/uploads/<code>), then the answers.
import { api, ApiError } from '../api.js';
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

const ACCEPT = 'application/pdf,image/jpeg,image/png';

function fieldBox(kase, key, i) {
  const request = kase.supplement;
  const id = `correction-${kase.reference}-${i}`;
  const masked = (request.masked || []).includes(key);
  const current = request.current?.[key];
  const hint = masked && current ? el('span', { className: 'field__hint', id: `${id}-hint`, textContent: t('correction_current', { value: current }) }) : null;
  const error = el('span', { className: 'field__error', id: `${id}-error` });
  const input = el('input', { type: 'text', id, name: key, value: masked || current == null ? '' : String(current),
    attrs: { 'aria-describedby': [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ') } });
  return el('div', { className: 'field', dataset: { key } },
    el('label', { className: 'field__label', htmlFor: id, textContent: pick(request.field_labels || {}, key) || key }), hint, error, input);
}

function documentBox(kase, document, i) {
  const id = `correction-${kase.reference}-file-${i}`;
  return el('div', { className: 'field', dataset: { document: document.code } },
    el('label', { className: 'field__label', htmlFor: id, textContent: pick(document, 'name') || document.code }),
    el('span', { className: 'field__hint', id: `${id}-hint`, textContent: t('correction_file_hint') }),
    el('input', { type: 'file', id, name: document.code, accept: ACCEPT, attrs: { 'aria-describedby': `${id}-hint` } }));
}

function materialsBox(kase) {
  const names = kase.supplement.materials || [];
  if (!names.length) return null;
  return el('fieldset', {}, el('legend', { textContent: t('supplement_materials') }), names.map((name, i) => el('div', { className: 'choice' },
    el('input', { type: 'checkbox', id: `correction-${kase.reference}-material-${i}`, name: 'material', value: name }),
    el('label', { htmlFor: `correction-${kase.reference}-material-${i}`, textContent: name }))));
}

function showErrors(form, status, error) {
  const fieldErrors = error instanceof ApiError ? error.fieldErrors : {};
  for (const box of form.querySelectorAll('.field[data-key]')) {
    const message = fieldErrors[box.dataset.key] || '';
    box.classList.toggle('field--error', Boolean(message));
    box.querySelector('.field__error').textContent = message;
  }
  status.textContent = error instanceof ApiError ? error.message : t('offline_body');
  const first = form.querySelector('.field--error input');
  if (first) first.focus();
}

async function send(form, number, kase) {
  const answers = Object.fromEntries([...form.querySelectorAll('.field[data-key] input')].map((i) => [i.name, i.value.trim()]).filter(([, v]) => v));
  const materials = [...form.querySelectorAll('input[name=material]:checked')].map((i) => i.value);
  for (const input of form.querySelectorAll('input[type=file]')) {
    if (!input.files.length) continue;
    await api.upload(number, input.name, input.files[0]);
    materials.push(input.name);
  }
  await api.supplement(number, kase.reference, { answers, materials });
}

/** The form for one case waiting on a correction; `done` runs after the department has it. */
export function correctionForm(number, kase, done) {
  const request = kase.supplement;
  const status = el('p', { className: 'field__error', attrs: { role: 'alert' } });
  const headingId = `correction-${kase.reference}`;
  const form = el('form', { className: 'supplement', noValidate: true, dataset: { reference: kase.reference },
    attrs: { 'aria-labelledby': headingId }, on: { submit: async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        await send(form, number, kase);
        done();
      } catch (error) {
        showErrors(form, status, error);
      } finally { button.disabled = false; }
    } } },
  el('h2', { id: headingId, tabIndex: -1, textContent: t('correction_title', { name: pick(kase, 'title') }) }),
  el('p', {}, el('strong', { textContent: t('correction_asked', { department: pick(kase, 'department_name') }) }), ' ', pick(request, 'message')),
  (request.fields || []).map((key, i) => fieldBox(kase, key, i)),
  (request.documents || []).map((document, i) => documentBox(kase, document, i)),
  materialsBox(kase), status,
  el('button', { type: 'submit', className: 'button', textContent: t('correction_send') }));
  return form;
}
