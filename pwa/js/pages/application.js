// One application: when done, the rating (好差评) first; per-department progress (the step view, in dependency order), due
// dates, supplement actions, certificates, and what changed, grouped by item. Live: SSE with a polite polling fallback.
import { api, ApiError } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { watchEvents } from '../live.js';
import '../components/family-panel.js';
import { consentPanel } from '../components/consent-panel.js';
import { completionText } from '../components/step-view.js';
import { correctionForm } from '../components/correction-form.js';

export async function render({ main, params, navigate }) {
  const number = params.id;
  const live = el('p', { className: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite' } });
  let bundles = null;
  let refreshTimer = null;
  const corrections = new Map(); // reference -> its form, kept across redraws so typing is not lost

  async function draw({ announce = false } = {}) {
    const [application, timeline] = await Promise.all([api.application(number), api.timeline(number)]);
    if (application.status === 'draft') return navigate(`/app/drafts/${number}`, { replace: true });
    bundles ??= await api.bundles().catch(() => ({ bundles: [] }));
    const bundle = (bundles.bundles || []).find((b) => b.code === application.bundle);
    const taskList = el('ot-step-view');
    taskList.cases = application.cases;
    const completion = completionText(application);
    taskList.addEventListener('ot-supplement', (event) => focusCorrection(event.detail.reference));
    const focusInside = main.contains(document.activeElement) && document.activeElement !== main;
    fill(main, 
      el('h1', { textContent: pick(bundle, 'name') || application.bundle }),
      correctionsFor(application.cases || [], corrections, (kase) => correctionForm(number, kase, () => draw({ announce: true }))),
      el('p', {}, el('strong', { className: 'tag', textContent: pick(application, 'status_text') }), ' ', pick(application.next_action, 'text')),
      el('p', { className: 'muted', textContent: `${t('apps_number', { number })} · ${t('receipt_submitted_at', { time: formatDate(application.submitted_at, true) })}` }),
      live,
      // Everything is done: what is left to do is the rating, so it comes first.
      RATEABLE.includes(application.status) ? await rating(number) : null,
      el('h2', { textContent: t('detail_progress', { done: application.cases_done, total: application.cases_total, count: application.cases_total }) }),
      completion ? el('p', { className: 'step-view__summary', textContent: completion }) : null,
      taskList,
      application.subject && application.subject !== 'self' ? el('ot-family-panel', { attrs: { number } }) : null,
      await consentPanel(number, () => draw({ announce: true })),
      certificates(application.certificates || []),
      el('h2', { textContent: t('detail_timeline') }), timelineGroups(timeline.groups || []),
      // only the family's lead may withdraw (a co-handler would get 403 lead_only)
      application.status === 'submitted' && application.my_role === 'lead' ? withdrawButton(number, () => draw({ announce: true })) : null);
    if (announce) live.textContent = t('detail_updated', { time: formatDate(new Date(), true) });
    if (focusInside) main.focus();
    return undefined;
  }

  await draw();
  if (location.hash === '#rating') main.querySelector('#rating')?.focus(); // from the "completed" notification
  const stop = watchEvents(() => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => draw({ announce: true }).catch(() => {}), 300);
  });
  return () => { stop(); clearTimeout(refreshTimer); };
}

function certificates(list) {
  if (!list.length) return null;
  return el('section', {}, el('h2', { textContent: t('detail_certificates') }), el('ul', { className: 'task-list' }, list.map((c) => el('li', { className: 'task-list__item' },
    el('a', { className: 'task-list__name', href: `/app/certificates/${encodeURIComponent(c.number)}`, textContent: pick(c, 'title') }),
    el('span', { className: 'task-list__meta', textContent: t('detail_certificate_meta', { number: c.number, date: formatDate(c.issued_on) }) })))));
}

// What changed, as the BFF words it (plain words in both languages): the application first, then each item.
function timelineGroups(groups) {
  return el('div', { className: 'timeline-groups' }, groups.map((group) => el('section', { className: 'timeline-group', dataset: { case: group.case || '' } },
    el('h3', { textContent: group.case ? t('timeline_item', { item: pick(group, 'title'), department: pick(group, 'department_name') }) : t('timeline_application') }),
    el('ol', { className: 'timeline' }, group.entries.map((e) => el('li', { dataset: { kind: e.kind } },
      el('time', { dateTime: e.occurred_at, textContent: formatDate(e.occurred_at, true) }),
      el('span', { textContent: pick(e, 'text') + (e.agent_name ? t('event_by_agent', { name: e.agent_name }) : '') }),
      e.actor_name && !e.by_me && !e.agent_name ? el('span', { className: 'muted', textContent: ` · ${e.actor_name}` }) : null))))));
}

/** The corrections (补正) waiting for the resident, first on the page: each form is made once per request. */
function correctionsFor(cases, forms, make) {
  const asked = cases.filter((c) => c.status === 'supplement_requested' && c.supplement);
  for (const reference of [...forms.keys()]) if (!asked.some((c) => c.reference === reference)) forms.delete(reference);
  return asked.map((kase) => {
    if (!forms.has(kase.reference)) forms.set(kase.reference, make(kase));
    return forms.get(kase.reference);
  });
}

function focusCorrection(reference) {
  const heading = document.getElementById(`correction-${reference}`);
  heading?.scrollIntoView({ block: 'start' });
  heading?.focus({ preventScroll: true });
}

function withdrawButton(number, done) {
  const refused = el('p', { className: 'field__error', attrs: { role: 'alert' } });
  return el('div', { className: 'button-group' }, el('button', { type: 'button', className: 'button button--warning', textContent: t('detail_withdraw'), on: { click: async () => {
    if (!window.confirm(t('detail_withdraw_confirm'))) return;
    try { await api.withdraw(number, null); } catch (error) { // only the family's lead withdraws
      if (!(error instanceof ApiError)) throw error;
      refused.textContent = error.message;
      return;
    }
    done();
  } } }), refused);
}

const RATEABLE = ['completed', 'partially_rejected'];

// 好差评: the tags come from the BFF (GET …/rating); after a bad rating (≤ 2) the service desk calls
// back within one working day, records it, and the resident may then rate once more.
async function rating(number) {
  const state = await api.rating(number).catch(() => null);
  if (!state) return null;
  const section = el('section', { attrs: { 'aria-labelledby': 'rating' } });
  const heading = el('h2', { id: 'rating', tabIndex: -1, textContent: t('rating_title') });
  const given = state.rating ? ratingSummary(state.rating) : null;
  fill(section, heading, given, state.can_rate ? ratingForm(number, state, section) : null);
  return section;
}

function ratingSummary(given) {
  return el('div', { className: 'banner' },
    el('p', { textContent: t('rating_yours', { text: t(`rating_${given.score}`), date: formatDate(given.given_at, true) }) }),
    given.follow_up === 'pending' ? el('p', { textContent: t('rating_follow_up') }) : null);
}

function ratingForm(number, state, section) {
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const scores = [5, 4, 3, 2, 1].map((n) => el('div', { className: 'choice' },
    el('input', { type: 'radio', name: 'score', id: n === 5 ? 'score' : `score-${n}`, value: String(n) }),
    el('label', { htmlFor: n === 5 ? 'score' : `score-${n}`, textContent: t(`rating_${n}`) })));
  const tags = (state.tags || []).map((tag) => el('div', { className: 'choice' },
    el('input', { type: 'checkbox', name: 'tag', id: `tag-${tag.code}`, value: tag.code }), el('label', { htmlFor: `tag-${tag.code}`, textContent: pick(tag, 'text') })));
  const comment = el('textarea', { id: 'rating-comment', name: 'comment', maxLength: 500, rows: 3 });
  const form = el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    const score = Number(form.querySelector('input[name=score]:checked')?.value || 0);
    if (!score) { status.textContent = t('rating_choose'); form.querySelector('#score').focus(); return; }
    try {
      const saved = await api.rate(number, { score, tags: [...form.querySelectorAll('input[name=tag]:checked')].map((i) => i.value), comment: comment.value.trim() || null });
      const thanks = el('p', { className: 'banner banner--success', tabIndex: -1, textContent: t('rating_thanks') });
      fill(section, section.querySelector('h2'), thanks, ratingSummary(saved.rating));
      thanks.focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const fieldErrors = error.fieldErrors;
      status.textContent = [404, 405].includes(error.status) ? t('rating_unavailable') : Object.values(fieldErrors)[0] || error.message;
    }
  } } },
  state.rerating ? el('p', { textContent: t('rating_again') }) : null,
  el('fieldset', {}, el('legend', { textContent: t('rating_score') }), ...scores),
  el('fieldset', {}, el('legend', { textContent: t('rating_tags') }), ...tags),
  el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'rating-comment', textContent: t('rating_comment') }), comment),
  status, el('button', { type: 'submit', className: 'button', textContent: state.rerating ? t('rating_send_again') : t('rating_send') }));
  return form;
}
