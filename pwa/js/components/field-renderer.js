// <ot-field>: one field of the combined form, from its description (key, type, label, help, required,
// max_length, choices, prefilled {value, masked, source_name}, read_only). Prefilled read-only answers
// are shown locked with their source. .value reads the answer; .error = 'message' shows it inline.
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

const HAN = /[\u3400-\u9fff]/;

const INPUT_TYPES = { date: 'date', mobile: 'tel', integer: 'text', id_number: 'text', bank_card: 'text' };
const INPUT_MODES = { mobile: 'tel', integer: 'numeric', bank_card: 'numeric' };
const AUTOCOMPLETE = { 'applicant.mobile': 'tel', 'delivery.mobile': 'tel', 'delivery.address': 'street-address', 'applicant.name': 'name' };
const present = (...nodes) => nodes.filter(Boolean);
export const fieldId = (key) => `f-${key.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

class FieldRenderer extends HTMLElement {
  /** {field, value} */
  set config({ field, value }) { this.field = field; this.initial = value; this.render(); }

  get locked() { return Boolean(this.field.read_only && this.field.prefilled); }

  get value() {
    const f = this.field;
    if (this.locked) return undefined;
    if (f.type === 'boolean') return this.querySelector('input').checked;
    if (f.type === 'select' && f.choices.length <= 4) return this.querySelector('input:checked')?.value ?? null;
    const raw = this.querySelector('input, select, textarea').value.trim();
    if (f.type === 'integer') return raw === '' ? null : (/^-?\d+$/.test(raw) ? Number(raw) : raw);
    return raw === '' ? null : raw;
  }

  set error(message) {
    this.render(message);
  }

  render(error = '') {
    const f = this.field;
    const id = fieldId(f.key);
    const label = pick(f, 'label');
    const help = pick(f, 'help');
    const hintId = `${id}-hint`; const errorId = `${id}-error`;
    const wrapper = el('div', { className: `field${error ? ' field--error' : ''}`, dataset: { key: f.key } });
    if (this.locked) {
      const shown = displayValue(f, f.prefilled.value);
      wrapper.append(el('span', { className: 'field__label', id: `${id}-label`, textContent: label }),
        el('div', { className: 'locked', id, tabIndex: -1, attrs: { role: 'group', 'aria-labelledby': `${id}-label` } },
          // A registry value in Chinese (an employer, an address) read out in Chinese on an English page.
          el('span', { className: 'locked__value', textContent: shown, attrs: HAN.test(shown) ? { lang: 'zh-CN' } : {} }),
          el('span', { className: 'locked__source', textContent: t('field_locked_source', { source: pick(f.prefilled, 'source_name') }) })));
      this.replaceChildren(wrapper);
      return;
    }
    const describedBy = [help ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
    const optional = f.required ? '' : ` ${t('field_optional')}`;
    const hint = help ? el('span', { className: 'field__hint', id: hintId, textContent: help }) : null;
    const errorNode = error ? el('span', { className: 'field__error', id: errorId }, el('span', { className: 'visually-hidden', textContent: `${t('error_prefix')} ` }), error) : null;
    const source = f.prefilled ? el('span', { className: 'field__hint', textContent: t('field_prefilled_source', { source: pick(f.prefilled, 'source_name') }) }) : null;
    const value = this.currentValue();
    if (f.type === 'boolean') {
      const input = el('input', { type: 'checkbox', id, name: f.key, checked: value === true, attrs: { 'aria-describedby': describedBy, 'aria-invalid': error ? 'true' : undefined } });
      wrapper.append(...present(el('fieldset', { attrs: { 'aria-describedby': describedBy } }, el('legend', { className: 'visually-hidden', textContent: label }),
        errorNode, el('div', { className: 'choice' }, input, el('label', { htmlFor: id, textContent: label + optional }))), hint));
    } else if (f.type === 'select' && f.choices.length <= 4) {
      const radios = f.choices.map((c, i) => {
        const rid = i === 0 ? id : `${id}-${i}`;
        return el('div', { className: 'choice' }, el('input', { type: 'radio', id: rid, name: f.key, value: c.value, checked: value === c.value }),
          el('label', { htmlFor: rid, textContent: pick(c, 'label') }));
      });
      wrapper.append(el('fieldset', { attrs: { 'aria-describedby': describedBy } }, el('legend', { textContent: label + optional }), hint, source, errorNode, ...radios));
    } else {
      let control;
      if (f.type === 'select') {
        control = el('select', { id, name: f.key }, el('option', { value: '', textContent: t('field_choose') }),
          f.choices.map((c) => el('option', { value: c.value, textContent: pick(c, 'label'), selected: value === c.value })));
      } else if (f.type === 'address') {
        control = el('textarea', { id, name: f.key, rows: 3, value: value ?? '' });
      } else {
        control = el('input', { type: INPUT_TYPES[f.type] || 'text', id, name: f.key, value: value ?? '', spellcheck: false });
        if (INPUT_MODES[f.type]) control.inputMode = INPUT_MODES[f.type];
        if (AUTOCOMPLETE[f.key]) control.autocomplete = AUTOCOMPLETE[f.key];
        if (f.prefilled?.masked) control.placeholder = String(f.prefilled.value);
      }
      if (f.max_length) control.maxLength = f.max_length;
      if (describedBy) control.setAttribute('aria-describedby', describedBy);
      if (error) control.setAttribute('aria-invalid', 'true');
      if (f.required) control.setAttribute('aria-required', 'true');
      wrapper.append(...present(el('label', { className: 'field__label', htmlFor: id, textContent: label + optional }), hint, source, errorNode, control));
    }
    this.replaceChildren(wrapper);
  }

  currentValue() {
    if (this.querySelector('input, select, textarea')) return this.value;
    if (this.initial !== undefined && this.initial !== null) return this.initial;
    return this.field.prefilled && !this.field.prefilled.masked ? this.field.prefilled.value : null;
  }
}

/** How an answer reads on screen: choice labels, yes/no, or the value itself. */
export function displayValue(field, value) {
  if (value === null || value === undefined || value === '') return t('field_not_given');
  if (field.type === 'boolean') return value ? t('yes') : t('no');
  const choice = (field.choices || []).find((c) => c.value === value);
  return choice ? pick(choice, 'label') : String(value);
}

customElements.define('ot-field', FieldRenderer);
