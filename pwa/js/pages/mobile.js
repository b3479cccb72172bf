// /app/settings/mobile[?next=/app/…]: change the account's mobile number. The resident types the new
// number, a one-time code is texted to it (valid 5 minutes, 5 tries), and the code typed back changes
// the account; then the page offers the way back to where it was opened from (a wizard step).
import { api, ApiError } from '../api.js';
import { el, fill } from '../dom.js';
import { t } from '../i18n.js';
import '../components/error-summary.js';

const safeNext = (value) => (value && value.startsWith('/app/') ? value : '/app/settings');

function field(id, label, hint, input) {
  const error = el('span', { className: 'field__error', id: `${id}-error` });
  input.setAttribute('aria-describedby', `${id}-hint ${id}-error`);
  return el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: id, textContent: label }),
    el('span', { className: 'field__hint', id: `${id}-hint`, textContent: hint }), error, input);
}

/** Shows the envelope's field errors beside their inputs and in the summary; true when it had any. */
function showErrors(summary, form, error) {
  if (!(error instanceof ApiError)) throw error;
  const errors = error.fieldErrors;
  const problems = Object.entries(errors).map(([key, message]) => ({ id: key, message }));
  for (const box of form.querySelectorAll('.field')) {
    const input = box.querySelector('input');
    box.classList.toggle('field--error', Boolean(errors[input.id]));
    box.querySelector('.field__error').textContent = errors[input.id] || '';
  }
  summary.show(problems.length ? problems : [{ id: form.querySelector('input').id, message: error.message }]);
}

function codeForm(ctx, summary, status, mobile) {
  const input = el('input', { id: 'code', name: 'code', inputMode: 'numeric', autocomplete: 'one-time-code', maxLength: 6 });
  const form = el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    try {
      ctx.session.me = { ...ctx.session.me, ...(await api.confirmMobile(input.value.trim())) };
      const { forgetForms } = await import('../drafts.js');
      forgetForms(); // the forms kept in memory were prefilled with the old number
      done(ctx, mobile);
    } catch (error) { showErrors(summary, form, error); }
  } } }, field('code', t('mobile_code'), t('mobile_code_hint', { mobile }), input),
  el('div', { className: 'button-group' }, el('button', { type: 'submit', className: 'button', textContent: t('mobile_confirm') })));
  status.textContent = t('mobile_code_sent', { mobile });
  return form;
}

function done(ctx, mobile) {
  const next = safeNext(ctx.query.get('next'));
  const banner = el('p', { className: 'banner banner--success', tabIndex: -1, textContent: t('mobile_changed', { mobile: ctx.session.me.mobile || mobile }) });
  fill(ctx.main, el('h1', { textContent: t('mobile_title') }), banner,
    el('a', { className: 'button', href: next, textContent: t(next === '/app/settings' ? 'mobile_back_settings' : 'mobile_back') }));
  window.dispatchEvent(new CustomEvent('ot:me', { detail: ctx.session.me }));
  banner.focus();
}

export async function render(ctx) {
  await ctx.session.ready;
  const summary = el('ot-error-summary');
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const step = el('div');
  const input = el('input', { id: 'mobile', name: 'mobile', type: 'tel', autocomplete: 'tel', inputMode: 'tel', maxLength: 20 });
  const form = el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    summary.clear();
    try {
      const mobile = input.value.replace(/[\s-]/g, '');
      await api.requestMobileCode(mobile);
      const masked = `${mobile.slice(0, 3)}****${mobile.slice(-4)}`;
      fill(step, codeForm(ctx, summary, status, masked));
      step.querySelector('input').focus();
    } catch (error) { showErrors(summary, form, error); }
  } } }, field('mobile', t('mobile_new'), t('mobile_new_hint'), input),
  el('button', { type: 'submit', className: 'button button--secondary', textContent: t('mobile_send_code') }));
  fill(ctx.main, summary, el('h1', { textContent: t('mobile_title') }),
    el('p', { textContent: t('mobile_current', { mobile: ctx.session.me?.mobile || '—' }) }), form, status, step);
}
