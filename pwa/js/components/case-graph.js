// The item graph on the officer's case: the data the case received from other departments' decisions
// (each labelled with where it came from), the cases of the same application waiting on this one, and
// the outputs an approval must state when the item produces data others need.
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
