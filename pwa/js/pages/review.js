// Review: every answer by section with "change" links, which items are in or out and why, the burden
// figures, then the one submission. The Idempotency-Key is made once per attempt and reused on retry,
// so a retried submission (timeout, flaky network) returns the first receipt, never a second application.
import { api, ApiError, isOffline } from '../api.js';
import { el, fill } from '../dom.js';
import { pick, t } from '../i18n.js';
import { forget, loadDraft, syncPendingDrafts } from '../drafts.js';
import { answerOf, askedSections, isAsked, lookupIn } from '../form-logic.js';
import { displayValue, fieldId } from '../components/field-renderer.js';
import { burdenList } from '../components/bundle-card.js';
import '../components/error-summary.js';

function attemptKey(number, version) {
  const name = `submit-key:${number}:${version}`;
  let key = sessionStorage.getItem(name);
  if (!key) {
    key = crypto.randomUUID().replace(/-/g, '');
    sessionStorage.setItem(name, key);
  }
  return key;
}

export async function render({ main, params, navigate }) {
  const number = params.id;
  await syncPendingDrafts().catch(() => 0);
  const entry = await loadDraft(number);
  if (entry.draft.status !== 'draft') return navigate(`/app/applications/${number}`, { replace: true });
  const { form, draft } = entry;
  const answers = draft.answers;
  const lookup = lookupIn(form, answers);
  const summary = el('ot-error-summary');

  const sectionBlocks = askedSections(form, answers).map((section) => el('section', {},
    el('h2', { textContent: pick(section, 'title') }),
    el('dl', { className: 'summary' }, section.fields.filter((f) => isAsked(f, lookup)).map((field) => {
      const value = field.prefilled?.masked && answers[field.key] == null ? field.prefilled.value : answerOf(field, answers);
      const change = field.read_only && field.prefilled ? el('span', { className: 'muted', textContent: t('review_from_source') })
        : el('a', { href: `/app/drafts/${number}/${section.code}#${fieldId(field.key)}` }, t('change'),
          el('span', { className: 'visually-hidden', textContent: ` ${pick(field, 'label')}` }));
      return el('div', { className: 'summary__row' }, el('dt', { textContent: pick(field, 'label') }),
        el('dd', { textContent: displayValue(field, value) }), el('dd', {}, change));
    }))));

  const included = (form.items || []).filter((i) => i.included);
  const excluded = (form.items || []).filter((i) => !i.included);
  const itemList = (items) => el('ul', { className: 'task-list' }, items.map((i) => el('li', { className: 'task-list__item' },
    el('span', { className: 'task-list__name', textContent: pick(i, 'name') }),
    el('span', { className: 'muted', textContent: t('bundle_time_limit', { days: i.time_limit_days, count: i.time_limit_days }) }),
    el('span', { className: 'task-list__meta', textContent: pick(i, 'reason') }))));
  const figures = answeredFigures(form, draft, answers);

  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const button = el('button', { type: 'submit', className: 'button', textContent: t('review_submit') });
  const submitForm = el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = t('review_submitting');
    try {
      await submit(number, entry, summary, navigate);
    } catch (error) {
      status.textContent = isOffline(error) ? t('review_offline') : error.message;
      const taken = error?.body?.reason === 'subject_already_applied' && error.body.details?.existing;
      if (taken) status.append(' ', el('a', { href: `/app/join/${taken.number}?bundle=${encodeURIComponent(entry.bundle.code)}`, textContent: t('join_ask') }));
    } finally {
      button.disabled = false;
      if (status.textContent === t('review_submitting')) status.textContent = '';
    }
  } } }, el('h2', { textContent: t('review_declaration_title') }), el('p', { textContent: t('review_declaration') }), status, button);

  fill(main, summary, el('h1', { textContent: t('review_title') }),
    el('p', { className: 'lead', textContent: t('review_lead', { name: pick(entry.bundle, 'name') }) }),
    ...sectionBlocks,
    el('h2', { textContent: t('review_items_in', { count: included.length }) }), itemList(included),
    excluded.length ? el('h2', { textContent: t('review_items_out', { count: excluded.length }) }) : null,
    excluded.length ? itemList(excluded) : null,
    figures,
    submitForm);
  return undefined;
}

// The figures for these answers, as the receipt will give them (the server's check measures them);
// the form's own until the check answers. Offline or with an answer to correct, the form's stand.
function answeredFigures(form, draft, answers) {
  const show = (burden) => { const list = burdenList(burden); return list ? [el('h2', { textContent: t('burden_label') }), list] : []; };
  const box = el('div', {}, show(form.burden));
  api.checkForm(form.bundle, draft.subject_ref || undefined, Object.fromEntries(Object.entries(answers).filter(([, v]) => v != null)))
    .then((checked) => { fill(box, show(checked.burden)); box.dataset.checked = '1'; })
    .catch(() => {});
  return box;
}

async function submit(number, entry, summary, navigate) {
  const version = Number(String(entry.etag).replace(/\D/g, ''));
  let receipt;
  try {
    receipt = await api.submit(number, version, attemptKey(number, version));
  } catch (error) {
    if (error instanceof ApiError && error.status === 422 && Object.keys(error.fieldErrors).length) {
      const sections = entry.form.sections;
      summary.show(Object.entries(error.fieldErrors).map(([key, message]) => {
        const section = sections.find((s) => s.fields.some((f) => f.key === key));
        const field = section?.fields.find((f) => f.key === key);
        return { id: fieldId(key), message: `${field ? pick(field, 'label') : key}：${message}`, href: section ? `/app/drafts/${number}/${section.code}#${fieldId(key)}` : null };
      }));
      return;
    }
    throw error;
  }
  sessionStorage.removeItem(`submit-key:${number}:${version}`);
  sessionStorage.setItem(`receipt:${number}`, JSON.stringify(receipt));
  await forget(number);
  navigate(`/app/applications/${number}/receipt`, { replace: true });
}
