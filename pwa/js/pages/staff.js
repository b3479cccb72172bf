// The service-desk page (/staff, desktop-first, role staff): find a resident by application number,
// mobile or ID number; open them with a reason (call ticket, or purpose + text); then the masked
// profile, the one timeline (live), the application with what only staff see, notes and actions.
// The grant from opening goes in X-Staff-Grant on every later call and lives only in this closure:
// never in storage, never in a URL. The staff session ends after 15 minutes without input.
import { ApiError, api, loginUrl } from '../api.js';
import '../components/error-summary.js';
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { residentView } from '../staff/resident.js';

const IDLE_MS = 15 * 60 * 1000; // the session's staff idle limit (auth/sessions.py)
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'];
// Switching language draws the page again: the opened resident (and its grant) is handed from the
// old drawing to the new one through this variable, in memory only, for a few seconds at most.
let carried = null;

export async function render({ main, session }) {
  await session.ready;
  main.classList.add('main--wide');
  const roles = session.me?.roles || [];
  if (!roles.includes('staff') && !roles.includes('admin')) {
    fill(main, el('h1', { textContent: t('staff_title') }), el('p', { className: 'lead', textContent: t('staff_not_for_you') }),
      el('p', {}, el('a', { className: 'button', href: '/', textContent: t('back_home') })));
    return () => main.classList.remove('main--wide');
  }

  let current = null; // {rid, grant, view}: the opened resident, in memory only
  let lastActivity = Date.now();
  let signedOut = false;
  const names = await catalogNames();
  const purposes = (await api.staffPurposes()).purposes;
  const results = el('div', { attrs: { 'aria-live': 'polite' } });
  const work = el('div');

  const onLanguage = () => {
    if (current) carried = { found: current.found, grant: current.grant, resident: current.resident, at: Date.now() };
  };
  window.addEventListener('ot:language', onLanguage);
  const markActive = () => { lastActivity = Date.now(); };
  ACTIVITY.forEach((name) => document.addEventListener(name, markActive, { passive: true }));
  const idleTimer = setInterval(() => { if (!signedOut && Date.now() - lastActivity >= IDLE_MS) signOut('idle'); }, 15000);

  /** Calls fn(rid, grant); a lost session or grant is handled here and marked on the error. */
  async function call(fn) {
    if (!current) throw Object.assign(new Error('no grant'), { grantEnded: true });
    try {
      return await fn(current.rid, current.grant);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) { error.signedOut = true; signOut('expired'); }
      else if (error instanceof ApiError && error.status === 403 && error.body.reason === 'access_reason_required') {
        error.grantEnded = true;
        const { rid, name } = current;
        endCurrent({ close: false });
        askReason({ id: rid, name }, t('staff_grant_ended'));
      }
      throw error;
    }
  }

  function endCurrent({ close = true } = {}) {
    if (!current) return;
    current.view?.timeline.stop();
    if (close) api.staffClose(current.rid, current.grant).catch(() => {});
    current = null;
  }

  async function signOut(why) {
    if (signedOut) return;
    signedOut = true;
    endCurrent();
    if (why === 'idle') await api.logout().catch(() => {}); // end the session now, not at the server's next check
    fill(main, el('h1', { tabIndex: -1, textContent: t('staff_signed_out_title') }),
      el('p', { className: 'lead', textContent: t(why === 'idle' ? 'staff_signed_out_idle' : 'staff_signed_out_body') }),
      el('p', {}, el('a', { className: 'button', href: loginUrl('/staff'), textContent: t('signin_button') })));
    main.querySelector('h1').focus();
  }

  const query = el('input', { id: 'staff-query', name: 'query', type: 'search', autocomplete: 'off', spellcheck: false,
    maxLength: 40, attrs: { 'aria-describedby': 'staff-query-hint' } });
  const searchError = el('p', { className: 'field__error', id: 'staff-query-error', attrs: { role: 'alert' } });
  const searchForm = el('form', { noValidate: true, className: 'filters', attrs: { role: 'search' }, on: { submit: async (event) => {
    event.preventDefault();
    searchError.textContent = '';
    if (!query.value.trim()) { searchError.textContent = t('staff_search_required'); query.focus(); return; }
    try {
      const found = await api.staffSearch(query.value.trim());
      showResults(found);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) { signOut('expired'); return; }
      searchError.textContent = error.fieldErrors.query || error.message;
      query.focus();
    }
  } } },
  el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'staff-query', textContent: t('staff_search_label') }),
    el('p', { className: 'field__hint', id: 'staff-query-hint', textContent: t('staff_search_hint') }), query, searchError),
  el('button', { type: 'submit', className: 'button', textContent: t('staff_search') }),
  el('button', { type: 'button', className: 'button button--secondary', textContent: t('staff_follow_ups'), on: { click: async () => {
    try {
      showFollowUps(await api.staffFollowUps());
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) { signOut('expired'); return; }
      searchError.textContent = error.message;
    }
  } } }));

  /** The 好差评 work list: each row opens the resident with the follow-up purpose already chosen. */
  function showFollowUps({ items }) {
    if (!items.length) { fill(results, el('p', { attrs: { role: 'status' }, textContent: t('staff_follow_ups_none') })); return; }
    fill(results, el('table', { className: 'staff-results' },
      el('caption', { textContent: t('staff_follow_ups') }),
      el('thead', {}, el('tr', {}, ['staff_name', 'staff_application', 'staff_score', 'staff_follow_up_due', 'staff_action']
        .map((k) => el('th', { scope: 'col', textContent: t(k) })))),
      el('tbody', {}, items.map((item) => el('tr', {},
        el('td', { textContent: item.resident.name }), el('td', { textContent: item.number }),
        el('td', { textContent: String(item.score) }),
        el('td', { className: item.overdue ? 'overdue' : '' }, formatDate(item.due_on), item.overdue ? ` ${t('staff_overdue_short')}` : ''),
        el('td', {}, el('button', { type: 'button', className: 'button button--small', textContent: t('staff_open'),
          attrs: { 'aria-label': `${t('staff_open')} ${item.resident.name}` },
          on: { click: () => askReason({ ...item.resident, application: item.number }, '', 'rating_follow_up') } })))))));
  }

  function showResults({ results: found }) {
    if (!found.length) { fill(results, el('p', { textContent: t('staff_no_results') })); return; }
    fill(results, el('table', { className: 'staff-results' },
      el('caption', { className: 'visually-hidden', textContent: t('staff_results') }),
      el('thead', {}, el('tr', {}, ['staff_name', 'staff_id_number', 'staff_mobile', 'staff_application', 'staff_action']
        .map((k) => el('th', { scope: 'col', textContent: t(k) })))),
      el('tbody', {}, found.map((r) => el('tr', {},
        el('td', { textContent: r.name }), el('td', { textContent: r.id_number || '—' }), el('td', { textContent: r.mobile || '—' }),
        el('td', { textContent: r.application || '—' }),
        el('td', {}, el('button', { type: 'button', className: 'button button--small', textContent: t('staff_open'),
          attrs: { 'aria-label': `${t('staff_open')} ${r.name}` }, on: { click: () => askReason(r) } })))))));
  }

  function askReason(resident, notice = '', presetPurpose = '') {
    endCurrent();
    const summary = el('ot-error-summary');
    const ticket = el('input', { type: 'text', id: 'reason-ticket', name: 'ticket', autocomplete: 'off', maxLength: 32, attrs: { 'aria-describedby': 'reason-ticket-hint' } });
    const purpose = el('select', { id: 'reason-purpose', name: 'purpose' }, el('option', { value: '', textContent: t('staff_purpose_none') }),
      purposes.map((p) => el('option', { value: p.code, textContent: pick(p, 'text'), selected: p.code === presetPurpose })));
    const text = el('textarea', { id: 'reason-text', name: 'text', rows: 2, maxLength: 200, attrs: { 'aria-describedby': 'reason-text-hint' } });
    const form = el('form', { noValidate: true, className: 'staff-form', on: { submit: async (event) => {
      event.preventDefault();
      const body = { ticket: ticket.value.trim().toUpperCase() || null, purpose: purpose.value || null, text: text.value.trim() };
      if (!body.ticket && !(body.purpose && body.text.length >= 4)) {
        summary.show([{ id: 'reason-ticket', message: t('staff_reason_required') }]);
        return;
      }
      try {
        const opened = await api.staffOpen(resident.id, body);
        open(resident, opened);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.status === 401) { signOut('expired'); return; }
        const ids = { ticket: 'reason-ticket', purpose: 'reason-purpose', text: 'reason-text', reason: 'reason-ticket' };
        const problems = Object.entries(error.fieldErrors).map(([field, message]) => ({ id: ids[field] || 'reason-ticket', message }));
        summary.show(problems.length ? problems : [{ id: 'reason-ticket', message: error.message }]);
      }
    } } },
    el('h2', { id: 'reason-title', tabIndex: -1, textContent: t('staff_reason_title', { name: resident.name }) }),
    notice ? el('p', { className: 'banner', attrs: { role: 'alert' }, textContent: notice }) : null,
    el('p', { textContent: t('staff_reason_intro') }), summary,
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'reason-ticket', textContent: t('staff_ticket') }),
      el('p', { className: 'field__hint', id: 'reason-ticket-hint', textContent: t('staff_ticket_hint') }), ticket),
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'reason-purpose', textContent: t('staff_purpose') }), purpose),
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'reason-text', textContent: t('staff_reason_text') }),
      el('p', { className: 'field__hint', id: 'reason-text-hint', textContent: t('staff_reason_text_hint') }), text),
    el('div', { className: 'button-group' }, el('button', { type: 'submit', className: 'button', textContent: t('staff_open_with_reason') }),
      el('button', { type: 'button', className: 'button button--secondary', textContent: t('confirm_cancel'), on: { click: () => { fill(work); query.focus(); } } })));
    fill(work, form);
    form.querySelector('h2').focus();
  }

  async function open(found, { grant, resident }) {
    current = { rid: resident.id, grant, name: resident.name, resident, found };
    const view = residentView({ resident, names, call, onClose: () => { endCurrent(); fill(work, el('p', { className: 'banner banner--success', attrs: { role: 'status' }, textContent: t('staff_closed') })); query.focus(); } });
    current.view = view;
    fill(work, view.node);
    view.node.querySelector('h2').focus();
    await view.timeline.reload();
    view.timeline.start();
    if (found.application) await view.showApplication(found.application);
  }

  fill(main, el('h1', { textContent: t('staff_title') }),
    el('section', { className: 'staff-search', attrs: { 'aria-labelledby': 'staff-search-title' } },
      el('h2', { id: 'staff-search-title', className: 'visually-hidden', textContent: t('staff_search') }), searchForm, results),
    work);

  if (carried && Date.now() - carried.at < 5000) {
    const { found, grant, resident } = carried;
    carried = null;
    try {
      await open(found, { grant, resident }); // the same grant: no new reason, nothing closed
    } catch (error) {
      if (!error?.grantEnded && !error?.signedOut) throw error; // those two are already on the page
    }
  }
  carried = null;

  return () => {
    window.removeEventListener('ot:language', onLanguage);
    endCurrent({ close: !carried });
    clearInterval(idleTimer);
    ACTIVITY.forEach((name) => document.removeEventListener(name, markActive));
    main.classList.remove('main--wide');
  };
}

async function catalogNames() {
  const { bundles = [] } = await api.bundles().catch(() => ({}));
  const departments = {};
  for (const bundle of bundles) for (const d of bundle.departments || []) departments[d.code] = d;
  return { departments, bundles: Object.fromEntries(bundles.map((b) => [b.code, b])) };
}
