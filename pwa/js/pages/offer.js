// One offer (为您备好): what the registry recorded, what is already filled in from government data,
// and only the questions left; one confirmation submits the whole bundle (or, for an automatic item,
// agrees to it). "不需要" declines it for good.
import { api, ApiError } from '../api.js';
import { el, fill, message } from '../dom.js';
import { pick, t } from '../i18n.js';
import { offersApi } from '../offers-api.js';
import '../components/field-renderer.js';
import '../components/error-summary.js';

// The suggestion made for a choice the resident may change (e-certificates arrive anyway).
const SUGGESTED = { 'delivery.method': 'electronic' };

export async function render({ main, params, navigate }) {
  const { offers } = await offersApi.offers();
  const offer = offers.find((o) => String(o.id) === params.id);
  if (!offer) return fill(main, message(t('offer_not_found'), null, el('a', { href: '/', textContent: t('nav_home') })));
  if (offer.status !== 'open') return fill(main, el('h1', { textContent: pick(offer, 'name') }), closed(offer));
  if (offer.item) return renderAutomatic(main, offer, navigate);
  const form = await api.bundleForm(offer.bundle, offer.subject_ref === 'self' ? undefined : offer.subject_ref);
  const fields = form.sections.flatMap((s) => s.fields);
  const asked = offer.questions.map((key) => fields.find((f) => f.key === key)).filter(Boolean);
  const consents = fields.filter((f) => f.key.startsWith('consent.') && !f.prefilled);
  const boxes = asked.map((field) => Object.assign(el('ot-field', { dataset: { key: field.key } }), { config: { field, value: SUGGESTED[field.key] } }));
  const confirm = el('input', { type: 'checkbox', id: 'offer-confirm', name: 'confirm' });
  const summary = el('ot-error-summary');
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const included = form.items.filter((i) => i.included);
  const prefilled = fields.filter((f) => f.prefilled).length;
  const submit = async (event) => {
    event.preventDefault();
    const answers = Object.fromEntries(boxes.map((b) => [b.field.key, b.value]).filter(([, v]) => v !== null && v !== undefined));
    const missing = boxes.filter((b) => b.field.required && (b.value === null || b.value === undefined));
    const problems = missing.map((b) => ({ id: `f-${b.field.key.replace(/[^a-zA-Z0-9_-]/g, '-')}`, message: t('offer_answer_needed', { label: pick(b.field, 'label') }) }));
    if (consents.length && !confirm.checked) problems.push({ id: 'offer-confirm', message: t('offer_confirm_needed') });
    if (problems.length) { summary.show(problems); return; }
    for (const field of consents) answers[field.key] = true;
    status.textContent = t('review_submitting');
    await acceptAndSubmit(offer, answers, { summary, status, navigate, boxes });
  };
  fill(main, summary, el('h1', { textContent: pick(offer, 'name') }),
    el('p', { className: 'lead', textContent: pick(offer, 'text') }),
    el('p', { textContent: t('offer_prefilled', { fields: prefilled, items: included.length }) }),
    el('ul', { className: 'task-list' }, included.map((i) => el('li', { className: 'task-list__item' }, el('span', { className: 'task-list__name', textContent: pick(i, 'name') })))),
    el('form', { noValidate: true, on: { submit } },
      el('h2', { textContent: t('offer_questions_title', { count: asked.length }) }), ...boxes,
      consents.length ? el('div', { className: 'choice' }, confirm,
        el('label', { htmlFor: 'offer-confirm', textContent: consents.map((f) => pick(f, 'label')).join('；') })) : null,
      status,
      el('div', { className: 'button-group' },
        el('button', { type: 'submit', className: 'button', textContent: t('offer_submit') }),
        declineButton(offer, navigate))));
  return undefined;
}

/** Start the bundle with the answers, then submit it; a refusal of an answer is shown on its field
 * (nothing is saved); a draft that cannot be submitted yet opens on the review page to be finished. */
async function acceptAndSubmit(offer, answers, { summary, status, navigate, boxes }) {
  let started;
  try {
    started = await offersApi.accept(offer.id, answers);
  } catch (error) {
    const fields = error instanceof ApiError ? Object.entries(error.fieldErrors) : [];
    const known = fields.filter(([key]) => boxes.some((b) => b.field.key === key));
    if (known.length) summary.show(known.map(([key, text]) => ({ id: `f-${key.replace(/[^a-zA-Z0-9_-]/g, '-')}`, message: text })));
    status.textContent = error instanceof ApiError ? error.message : t('offline_body');
    return;
  }
  const number = started.application_number;
  try {
    const receipt = await api.submit(number, started.version, crypto.randomUUID().replace(/-/g, ''));
    sessionStorage.setItem(`receipt:${number}`, JSON.stringify(receipt));
    navigate(`/app/applications/${number}/receipt`, { replace: true });
  } catch {
    navigate(`/app/drafts/${number}/review`, { replace: true });
  }
}

function declineButton(offer, navigate) {
  return el('button', { type: 'button', className: 'button button--secondary', textContent: t('offer_decline'),
    on: { click: async () => { await offersApi.decline(offer.id); navigate('/app/offers', { replace: true }); } } });
}

function closed(offer) {
  if (offer.status === 'join') return el('p', {}, t('offer_join'), ' ', el('a', { href: `/app/join/${offer.application_number}?bundle=${offer.bundle}`, textContent: t('join_ask') }));
  if (offer.status === 'used' && offer.application_number) return el('p', {}, el('a', { href: `/app/applications/${offer.application_number}`, textContent: t('offer_used') }));
  return el('p', { textContent: t(`offer_status_${offer.status}`) });
}

function renderAutomatic(main, offer, navigate) {
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const agree = async () => {
    try {
      await offersApi.accept(offer.id, {});
      navigate('/app/offers', { replace: true });
    } catch (error) { status.textContent = error.message; }
  };
  fill(main, el('h1', { textContent: pick(offer, 'name') }), el('p', { className: 'lead', textContent: pick(offer, 'text') }),
    el('p', { textContent: t('offer_automatic_explain') }), status,
    el('div', { className: 'button-group' },
      el('button', { type: 'button', className: 'button', textContent: t('offer_agree'), on: { click: agree } }),
      declineButton(offer, navigate)));
}
