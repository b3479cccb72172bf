// The combined form's rules on the client: conditions, which sections and fields are asked, answers
// with prefill, and the checks that can run without the server (the server checks everything again).
import { pick, t } from './i18n.js';

/** A catalog condition ({key, equals} | {key, not_equals} | {key, in} | {key, present} | all/any/not): true, false or null (unknown). */
export function evaluate(condition, lookup) {
  if (!condition) return true;
  if (condition.all) return combine(condition.all.map((c) => evaluate(c, lookup)), false);
  if (condition.any) return combine(condition.any.map((c) => evaluate(c, lookup)), true);
  if (condition.not) { const inner = evaluate(condition.not, lookup); return inner === null ? null : !inner; }
  const value = lookup(condition.key);
  if ('present' in condition) return (value !== undefined && value !== null && value !== '') === condition.present;
  if (value === undefined || value === null) return null;
  if ('equals' in condition) return value === condition.equals;
  if ('not_equals' in condition) return value !== condition.not_equals;
  if ('in' in condition) return condition.in.includes(value);
  return null;
}

function combine(results, decisive) {
  if (results.includes(decisive)) return decisive;
  return results.includes(null) ? null : !decisive;
}

export const allFields = (form) => form.sections.flatMap((s) => s.fields);

/** The answer as it stands: typed, else the government's (unmasked) value. */
export function answerOf(field, answers) {
  if (answers[field.key] !== undefined && answers[field.key] !== null) return answers[field.key];
  return field.prefilled && !field.prefilled.masked ? field.prefilled.value : undefined;
}

export function lookupIn(form, answers) {
  const byKey = Object.fromEntries(allFields(form).map((f) => [f.key, f]));
  return (key) => (byKey[key] ? answerOf(byKey[key], answers) : answers[key]);
}

/** A field is asked unless its condition is known to be false. */
export const isAsked = (field, lookup) => evaluate(field.when, lookup) !== false;

export function askedSections(form, answers) {
  const lookup = lookupIn(form, answers);
  return form.sections.filter((s) => s.fields.some((f) => isAsked(f, lookup)));
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
export function validIdNumber(value) {
  if (!/^\d{17}[\dX]$/i.test(value)) return false;
  const sum = ID_WEIGHTS.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  return '10X98765432'[sum % 11] === value[17].toUpperCase();
}

/** The message for a value the client can already see is wrong, or ''. */
export function checkField(field, value) {
  const label = pick(field, 'label');
  const empty = value === undefined || value === null || value === '' || (field.type === 'boolean' && value === false);
  if (empty) {
    if (!field.required || (field.prefilled && field.type !== 'boolean')) return '';
    return t(field.type === 'boolean' ? 'error_must_agree' : field.type === 'select' ? 'error_choose' : 'error_required', { label });
  }
  const text = String(value);
  if (field.max_length && text.length > field.max_length) return t('error_too_long', { label, max: field.max_length });
  if (field.type === 'id_number' && !validIdNumber(text)) return t('error_id_number', { label });
  if (field.type === 'mobile' && !/^1\d{10}$/.test(text)) return t('error_mobile', { label });
  if (field.type === 'integer' && !/^-?\d+$/.test(text)) return t('error_integer', { label });
  if (field.type === 'bank_card' && !/^\d{12,19}$/.test(text)) return t('error_bank_card', { label });
  if (field.type === 'date' && (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(text)))) return t('error_date', { label });
  return '';
}
