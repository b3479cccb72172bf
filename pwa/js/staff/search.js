// Finding a resident on the service desk: the search form (a whole application number, ID number or
// mobile), its results, and the 好差评 follow-up work list. Each row's button opens the resident.
import { ApiError, api } from '../api.js';
import { el } from '../dom.js';
import { formatDate, t } from '../i18n.js';

/**
 * onResults({results}) and onFollowUps({items}) show an answer; onSignedOut() when the session is gone.
 * Returns {node, focus()}; focus() puts the cursor back in the search field.
 */
export function searchForm({ onResults, onFollowUps, onSignedOut }) {
  const query = el('input', { id: 'staff-query', name: 'query', type: 'search', autocomplete: 'off', spellcheck: false,
    maxLength: 40, attrs: { 'aria-describedby': 'staff-query-hint' } });
  const error = el('p', { className: 'field__error', id: 'staff-query-error', attrs: { role: 'alert' } });
  // Other API errors are shown under the field (a search error also puts the cursor back there);
  // a lost session is the page's to show.
  const failed = (problem, { ofQuery }) => {
    if (!(problem instanceof ApiError)) throw problem;
    if (problem.status === 401) { onSignedOut(); return; }
    error.textContent = (ofQuery && problem.fieldErrors.query) || problem.message;
    if (ofQuery) query.focus();
  };
  const search = async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!query.value.trim()) { error.textContent = t('staff_search_required'); query.focus(); return; }
    try { onResults(await api.staffSearch(query.value.trim())); } catch (problem) { failed(problem, { ofQuery: true }); }
  };
  const followUps = async () => {
    try { onFollowUps(await api.staffFollowUps()); } catch (problem) { failed(problem, { ofQuery: false }); }
  };
  const node = el('form', { noValidate: true, className: 'filters', attrs: { role: 'search' }, on: { submit: search } },
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'staff-query', textContent: t('staff_search_label') }),
      el('p', { className: 'field__hint', id: 'staff-query-hint', textContent: t('staff_search_hint') }), query, error),
    el('button', { type: 'submit', className: 'button', textContent: t('staff_search') }),
    el('button', { type: 'button', className: 'button button--secondary', textContent: t('staff_follow_ups'), on: { click: followUps } }));
  return { node, focus: () => query.focus() };
}

/** The search results; onOpen(result) asks for a reason to open that resident. */
export function resultsTable(found, onOpen) {
  if (!found.length) return el('p', { textContent: t('staff_no_results') });
  return el('table', { className: 'staff-results' },
    el('caption', { className: 'visually-hidden', textContent: t('staff_results') }),
    headRow(['staff_name', 'staff_id_number', 'staff_mobile', 'staff_application', 'staff_action']),
    el('tbody', {}, found.map((r) => el('tr', {},
      el('td', { textContent: r.name }), el('td', { textContent: r.id_number || '—' }), el('td', { textContent: r.mobile || '—' }),
      el('td', { textContent: r.application || '—' }),
      el('td', {}, openButton(r.name, () => onOpen(r)))))));
}

/** The 好差评 work list; onOpen(item) opens the resident with the follow-up purpose already chosen. */
export function followUpsTable(items, onOpen) {
  if (!items.length) return el('p', { attrs: { role: 'status' }, textContent: t('staff_follow_ups_none') });
  return el('table', { className: 'staff-results' },
    el('caption', { textContent: t('staff_follow_ups') }),
    headRow(['staff_name', 'staff_application', 'staff_score', 'staff_follow_up_due', 'staff_action']),
    el('tbody', {}, items.map((item) => el('tr', {},
      el('td', { textContent: item.resident.name }), el('td', { textContent: item.number }),
      el('td', { textContent: String(item.score) }),
      el('td', { className: item.overdue ? 'overdue' : '' }, formatDate(item.due_on), item.overdue ? ` ${t('staff_overdue_short')}` : ''),
      el('td', {}, openButton(item.resident.name, () => onOpen(item)))))));
}

function headRow(keys) {
  return el('thead', {}, el('tr', {}, keys.map((k) => el('th', { scope: 'col', textContent: t(k) }))));
}

function openButton(name, onClick) {
  return el('button', { type: 'button', className: 'button button--small', textContent: t('staff_open'),
    attrs: { 'aria-label': `${t('staff_open')} ${name}` }, on: { click: onClick } });
}
