// The officer workbench (desktop-first): my department's queue with filters, due dates and overdue
// flags; a case with only the fields its item declares; accept, start review, ask for a supplement,
// approve (issues the e-certificate) or reject with a reason.
import { api, ApiError } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, has, pick, t } from '../i18n.js';
import '../components/error-summary.js';
import { confirmAction } from '../components/confirm-dialog.js';
import { caseDocuments } from '../components/case-documents.js';
import { missingOutputs, outputsForm, receivedInputs, waitingOnThis } from '../components/case-graph.js';

const STATUSES = ['', 'submitted', 'accepted', 'processing', 'supplement_requested', 'supplemented'];
const ACTIONS = {
  submitted: ['accept'], accepted: ['process', 'supplement-request'], supplemented: ['process', 'supplement-request'],
  processing: ['approve', 'supplement-request', 'reject'], supplement_requested: [],
};
const statusText = (s) => (has(`status_${s}`) ? t(`status_${s}`) : s);

export async function render({ main, query, session, navigate }) {
  await session.ready;
  main.classList.add('main--wide');
  if (!session.me?.roles?.includes('officer')) {
    fill(main, el('h1', { textContent: t('officer_title') }), el('p', { textContent: t('officer_no_role') }));
    return () => main.classList.remove('main--wide');
  }
  const filters = { status: query.get('status') || '', flag: query.get('flag') || '' };
  const queueBox = el('div');
  const caseBox = el('div', { attrs: { 'aria-live': 'polite' } });
  const statusSelect = el('select', { id: 'filter-status', name: 'status' }, STATUSES.map((s) => el('option', { value: s, selected: s === filters.status, textContent: s ? statusText(s) : t('officer_all') })));
  const flagSelect = el('select', { id: 'filter-flag', name: 'flag' }, ['', 'due_soon', 'overdue', 'stuck'].map((f) => el('option', { value: f, selected: f === filters.flag, textContent: f ? t(`officer_flag_${f}`) : t('officer_all') })));
  const filterForm = el('form', { className: 'filters', on: { submit: (e) => {
    e.preventDefault();
    const params = new URLSearchParams(Object.entries({ status: statusSelect.value, flag: flagSelect.value }).filter(([, v]) => v));
    navigate(`/officer${params.toString() ? `?${params}` : ''}`);
  } } },
  el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'filter-status', textContent: t('officer_status') }), statusSelect),
  el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'filter-flag', textContent: t('officer_flag') }), flagSelect),
  el('button', { type: 'submit', className: 'button button--secondary', textContent: t('officer_filter') }));

  fill(main, el('h1', { textContent: t('officer_title') }), filterForm,
    el('div', { className: 'workbench' }, el('section', { attrs: { 'aria-labelledby': 'queue-title' } }, el('h2', { id: 'queue-title', textContent: t('officer_queue') }), queueBox), caseBox));

  async function drawQueue() {
    const { cases } = await api.officerCases({ status: filters.status || undefined, flag: filters.flag || undefined });
    if (!cases.length) { fill(queueBox, el('p', { textContent: t('officer_empty') })); return; }
    fill(queueBox, el('table', {}, el('thead', {}, el('tr', {}, ['officer_case', 'officer_status', 'officer_due'].map((k) => el('th', { scope: 'col', textContent: t(k) })))),
      el('tbody', {}, cases.map((c) => el('tr', {},
        el('td', {}, el('a', { href: `/officer?case=${encodeURIComponent(c.reference)}`, textContent: `${pick(c, 'title')} · ${c.subject_name || ''}` }), el('br'),
          el('span', { className: 'muted', textContent: c.reference })),
        el('td', { textContent: statusText(c.status) }),
        el('td', { className: c.overdue ? 'overdue' : '' }, c.due_on ? formatDate(c.due_on) : '—', c.overdue ? ` ${t('officer_overdue')}` : c.due_status === 'due_soon' ? ` ${t('officer_flag_due_soon')}` : ''))))));
  }

  async function drawCase(reference, message = '') {
    if (!reference) { fill(caseBox, ); return; }
    const [c, dictionary] = await Promise.all([api.officerCase(reference), fieldLabels()]);
    const labels = withCaseLabels(dictionary, c.field_labels);
    const actions = (ACTIONS[c.status] || []).map((action) => actionButton(action, c, labels, async (note) => { await drawQueue(); await drawCase(reference, note); }));
    fill(caseBox, el('section', { attrs: { 'aria-labelledby': 'case-title' } },
      el('h2', { id: 'case-title', tabIndex: -1, textContent: `${pick(c, 'title')} · ${c.reference}` }),
      message ? el('p', { className: 'banner banner--success', attrs: { role: 'status' }, textContent: message }) : null,
      el('p', {}, el('strong', { className: 'tag', textContent: statusText(c.status) }), ' ', c.due_on ? t('task_due', { date: formatDate(c.due_on) }) : ''),
      el('p', { className: 'muted', textContent: t('officer_application', { number: c.application_number, date: formatDate(c.submitted_at, true) }) }),
      el('h3', { textContent: t('officer_fields') }),
      el('dl', { className: 'summary' }, Object.entries(c.fields || {}).map(([key, value]) => el('div', { className: 'summary__row' },
        el('dt', { textContent: labelOf(labels, key) }), el('dd', { textContent: valueText(labels, key, value) })))),
      receivedInputs(c.inputs), waitingOnThis(c.waiting_on_this),
      c.supplement ? el('p', { textContent: t('officer_supplement_asked', { message: c.supplement.message }) }) : null,
      c.decision?.reason ? el('p', { textContent: t('task_reason', { reason: c.decision.reason }) }) : null,
      caseDocuments(c.documents),
      el('div', { className: 'button-group' }, actions)));
    if (message) caseBox.querySelector('h2').focus();
  }

  await Promise.all([drawQueue(), import('../components/officer-objections.js').then((m) => m.showObjections(main))]);
  await drawCase(query.get('case'));
  return () => main.classList.remove('main--wide');
}

// Approving issues an e-certificate to the resident and cannot be undone: the officer confirms first.
const confirmApproval = (kase) => confirmAction({ title: t('officer_approve_confirm_title'), confirm: t('officer_approve_confirm'),
  body: t('officer_approve_confirm_body', { item: pick(kase, 'title'), reference: kase.reference }) });

function actionButton(action, kase, labels, done) {
  const simple = { accept: 'officer_accepted', process: 'officer_processing', approve: 'officer_approved' };
  const label = t(`officer_action_${action.replace('-', '_')}`);
  if (simple[action]) {
    // An approval that produces data other items need (e.g. the newborn's citizen ID number) states it.
    let confirmed = false; // once: a retry after a refused value does not ask again
    const approveWith = async (outputs) => {
      if (!confirmed && !(await confirmApproval(kase))) return;
      confirmed = true;
      await api.officerAction(kase.reference, action, { outputs }); await done(t(simple[action]));
    };
    return el('button', { type: 'button', className: 'button', textContent: label, on: { click: async (event) => {
      if (action === 'approve' && kase.produces?.length) { event.target.replaceWith(outputsForm(kase.produces, label, approveWith)); return; }
      if (action === 'approve' && !(await confirmApproval(kase))) return;
      event.target.disabled = true;
      try { await api.officerAction(kase.reference, action); await done(t(simple[action])); } catch (error) {
        const missing = action === 'approve' ? Object.keys(missingOutputs(error)) : [];
        if (missing.length) { event.target.replaceWith(outputsForm(missing, label, approveWith)); return; }
        event.target.disabled = false; alertError(error);
      }
    } } });
  }
  return el('button', { type: 'button', className: `button ${action === 'reject' ? 'button--warning' : 'button--secondary'}`, textContent: label,
    on: { click: (event) => event.target.replaceWith(reasonForm(action, kase, labels, done)) } });
}

function reasonForm(action, kase, labels, done) {
  const id = `${action}-text`;
  const text = el('textarea', { id, name: 'text', rows: 3, maxLength: 500 });
  const summary = el('ot-error-summary');
  const fields = action === 'supplement-request' ? el('fieldset', {}, el('legend', { textContent: t('officer_supplement_fields') }),
    (kase.field_keys || []).map((key, i) => el('div', { className: 'choice' }, el('input', { type: 'checkbox', id: `sf-${i}`, name: 'field', value: key }),
      el('label', { htmlFor: `sf-${i}`, textContent: labelOf(labels, key) })))) : null;
  const english = action === 'supplement-request' ? englishMessage() : null;
  const form = el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) { summary.show([{ id, message: t(action === 'reject' ? 'officer_reason_required' : 'officer_message_required') }]); return; }
    const body = action === 'reject' ? { reason: value }
      : { message: value, message_en: english.querySelector('textarea').value.trim() || null,
        fields: [...form.querySelectorAll('input[name=field]:checked')].map((i) => i.value) };
    try { await api.officerAction(kase.reference, action, body); await done(t(action === 'reject' ? 'officer_rejected' : 'officer_supplement_sent')); } catch (error) { alertError(error); }
  } } }, summary, el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: id, textContent: t(action === 'reject' ? 'officer_reason' : 'officer_message') }), text),
  english, fields, el('button', { type: 'submit', className: `button ${action === 'reject' ? 'button--warning' : ''}`, textContent: t(`officer_action_${action.replace('-', '_')}`) }));
  setTimeout(() => text.focus());
  return form;
}

// Residents who use the app in English read this instead of the Chinese request, when given.
function englishMessage() {
  return el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'supplement-request-text-en', textContent: t('officer_message_en') }),
    el('span', { className: 'field__hint', id: 'supplement-request-text-en-hint', textContent: t('officer_message_en_hint') }),
    el('textarea', { id: 'supplement-request-text-en', name: 'message_en', rows: 2, maxLength: 500, attrs: { 'aria-describedby': 'supplement-request-text-en-hint' } }));
}

function alertError(error) {
  if (!(error instanceof ApiError)) throw error;
  window.alert(error.message);
}

// The field dictionary's labels (GET /api/v1/fields, public and cached by catalog version), fetched
// once per page load; a key without a label (an older catalog) is shown as the key itself.
let labelsOnce = null;
function fieldLabels() {
  labelsOnce ??= api.fieldLabels().then(({ fields }) => Object.fromEntries(fields.map((f) => [f.key, f])))
    .catch(() => { labelsOnce = null; return {}; });
  return labelsOnce;
}

// The case's own labels come from the catalog its application was submitted with: they win over
// today's dictionary, which may have renamed or dropped a field since.
function withCaseLabels(dictionary, caseLabels) {
  const merged = { ...dictionary };
  for (const [key, label] of Object.entries(caseLabels || {})) merged[key] = { ...dictionary[key], key, label };
  return merged;
}

function labelOf(labels, key) {
  return labels[key] ? pick(labels[key], 'label') : key;
}

function valueText(labels, key, value) {
  if (typeof value === 'boolean') return t(value ? 'yes' : 'no');
  const choice = (labels[key]?.choices || []).find((c) => c.value === value);
  return choice ? pick(choice, 'label') : String(value ?? '');
}
