// The item graph on the officer's case: the data the case received from other departments' decisions
// (each labelled with where it came from), the cases of the same application waiting on this one, and
// the outputs an approval must state when the item produces data others need (the case's `produces`,
// asked before approving, and again with the BFF's field errors when it refuses them).
import { el } from '../dom.js';
import { has, pick, t } from '../i18n.js';

const statusText = (s) => (has(`status_${s}`) ? t(`status_${s}`) : s);

const inputLabel = (input) => (has(`input_${input.name}`) ? t(`input_${input.name}`) : input.name);

/** inputs = [{name, value, from: {item, reference, department, department_name, title}}]: read-only, since
 * nobody types them — they are what the issuing department decided. */
export function receivedInputs(inputs) {
  if (!inputs?.length) return null;
  return [el('h3', { textContent: t('officer_inputs') }), el('dl', { className: 'summary' }, inputs.map((input) => {
    const from = input.from || {};
    const source = t('officer_input_from', { department: pick(from, 'department_name') || from.department,
      title: pick(from, 'title') || from.item, reference: from.reference || '' });
    return el('div', { className: 'summary__row' }, el('dt', { textContent: inputLabel(input) }),
      el('dd', {}, el('span', { textContent: String(input.value ?? '') }), el('span', { className: 'inputs-from', textContent: source })));
  }))];
}

/** cases = [{reference, item, title, department, department_name?, status}]: the cases that need this one. */
export function waitingOnThis(cases) {
  if (!cases?.length) return null;
  return [el('h3', { textContent: t('officer_waiting_on_this') }), el('ul', { className: 'task-list' }, cases.map((c) => el('li', { className: 'task-list__item' },
    el('span', { className: 'task-list__name', textContent: pick(c, 'title') || c.item }),
    el('strong', { className: 'tag', textContent: statusText(c.status) }),
    el('span', { className: 'task-list__meta', textContent: [pick(c, 'department_name'), c.reference].filter(Boolean).join(' · ') }))))];
}

/** The outputs a refused approval asks for, {name: message}: the BFF answers 422 with field errors under
 * `outputs` (nested, or flattened as `outputs.<name>`) when the item produces data other items need. */
export function missingOutputs(error) {
  const found = {};
  if (error?.status !== 422) return found;
  for (const location of Object.values(error.body?.errors || {})) {
    for (const [field, messages] of Object.entries(location || {})) {
      if (field === 'outputs' && messages && typeof messages === 'object' && !Array.isArray(messages)) {
        for (const [name, text] of Object.entries(messages)) found[name] = [text].flat().join(' ');
      } else if (field.startsWith('outputs.')) found[field.slice('outputs.'.length)] = [messages].flat().join(' ');
    }
  }
  return found;
}

/** The form for what an approval produces (names); send(outputs) approves and may be refused with a 422. */
export function outputsForm(names, buttonLabel, send) {
  const summary = el('ot-error-summary');
  const fields = names.map((name) => el('div', { className: 'field' },
    el('label', { className: 'field__label', htmlFor: `output-${name}`, textContent: inputLabel({ name }) }),
    el('input', { type: 'text', id: `output-${name}`, name, autocomplete: 'off', spellcheck: false })));
  const form = el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    const outputs = Object.fromEntries([...form.querySelectorAll('input')].map((input) => [input.name, input.value.trim()]));
    try { await send(outputs); } catch (error) {
      const again = missingOutputs(error);
      if (!Object.keys(again).length) { window.alert(error.message); return; }
      summary.show(Object.entries(again).map(([name, message]) => ({ id: `output-${name}`, message })));
    }
  } } }, el('h3', { textContent: t('officer_outputs_title') }), el('p', { className: 'muted', textContent: t('officer_outputs_hint') }),
  summary, fields, el('button', { type: 'submit', className: 'button', textContent: buttonLabel }));
  setTimeout(() => form.querySelector('input')?.focus());
  return form;
}
