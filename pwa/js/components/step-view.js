// <ot-step-view>: the items of an application as steps in dependency order (an item comes after the
// items it needs). Each step says in words what is done, what a department is working on and until
// when, what waits for which item, and what can no longer be done and why — the status is text, the
// colour and the mark only repeat it. Set .cases = [case, …] (the BFF's case progress, with needs,
// waiting_for, expected_on, not_possible_because, held_for); it raises 'ot-supplement' with the case when a
// supplement is asked of the resident.
import { el } from '../dom.js';
import { currentLanguage, formatDate, pick, t } from '../i18n.js';

const PHASES = {
  approved: 'done', rejected: 'ended', withdrawn: 'ended', not_possible: 'ended',
  waiting: 'waiting', supplement_requested: 'action',
};
const TAGS = { done: 'tag--green', ended: 'tag--red', waiting: 'tag--grey', action: 'tag--yellow', active: '' };
const MARKS = { done: '✓', ended: '✕', waiting: '…', action: '!', active: '●' };

const phaseOf = (kase) => PHASES[kase.status] || 'active';
const itemOf = (need) => (typeof need === 'string' ? need : need.item);

/** The cases sorted so that each comes after every case it needs (ties keep the BFF's order). */
export function dependencyOrder(cases) {
  const byItem = new Map(cases.map((c) => [c.item, c]));
  const depths = new Map();
  const depth = (kase, path) => {
    if (depths.has(kase.item)) return depths.get(kase.item);
    if (path.has(kase.item)) return 0; // the catalog refuses cycles; never loop on a bad answer
    path.add(kase.item);
    const needed = (kase.needs || []).map((n) => byItem.get(itemOf(n))).filter(Boolean);
    const value = needed.length ? 1 + Math.max(...needed.map((n) => depth(n, path))) : 0;
    depths.set(kase.item, value);
    return value;
  };
  return cases.map((c, i) => [depth(c, new Set()), i, c]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , c]) => c);
}

/** "最快 N 个工作日全部办结 · 预计 … 前全部办结" for an application or receipt, or null without the figures. */
export function completionText(application) {
  const parts = [];
  if (application?.critical_path_days) parts.push(t('steps_fastest', { days: application.critical_path_days, count: application.critical_path_days }));
  if (application?.expected_complete_on) parts.push(t('steps_expected_all', { date: formatDate(application.expected_complete_on) }));
  return parts.length ? parts.join(' · ') : null;
}

function nameOf(ref, byItem) {
  return pick(ref, 'title') || pick(byItem.get(ref.item), 'title') || ref.item;
}

// The promised date once a department has the case (due_on), before that the expected one.
function expectedLine(kase) {
  if (kase.due_on) return t(kase.due_status === 'overdue' ? 'task_overdue' : 'task_due', { date: formatDate(kase.due_on) });
  return kase.expected_on ? t('steps_expected', { date: formatDate(kase.expected_on) }) : null;
}

// A day without the year for a deadline within weeks ("12月18日", "Dec 18").
function shortDate(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(currentLanguage(), { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(date);
}

// An inheritance item held for the heirs' answers, or for the document to upload (its form is the
// consent panel's, further down the same page: the link moves there and focuses the file input).
function holdLine(kase) {
  if (kase.held_for === 'consent') {
    return kase.consent_deadline ? t('steps_held_consent_by', { date: shortDate(kase.consent_deadline) }) : t('steps_held_consent');
  }
  const held = kase.held_document;
  const line = held ? t('steps_held_document', { name: pick(held, 'name') || held.code }) : t('steps_held_document_any');
  const target = held?.code ? `upload-${held.code}` : null;
  return el('p', { className: 'step-view__line step-view__hold' }, line, target ? ' ' : null,
    target ? el('a', { href: `#${target}`, textContent: t('steps_held_upload_link'), on: { click: (event) => goTo(event, target) } }) : null);
}

function goTo(event, id) {
  const input = document.getElementById(id);
  if (!input) return;
  event.preventDefault();
  input.closest('form')?.scrollIntoView({ block: 'start' });
  input.focus({ preventScroll: true });
}

function waitingLines(kase, byItem) {
  const blockers = (kase.waiting_for || []).map((w) => ({ ...w, ...(typeof w === 'string' ? { item: w } : {}) }));
  const supplement = blockers.filter((b) => (b.status || byItem.get(b.item)?.status) === 'supplement_requested');
  const others = blockers.filter((b) => !supplement.includes(b));
  const names = (list) => list.map((b) => t('steps_quoted', { name: nameOf(b, byItem) })).join(t('steps_and'));
  return [
    kase.held_for ? holdLine(kase) : null,
    others.length ? t('steps_waiting_for', { names: names(others) }) : null,
    supplement.length ? t('steps_waiting_supplement', { names: names(supplement) }) : null,
    !blockers.length && !kase.held_for ? t('steps_waiting_other') : null,
    t('steps_then', { department: pick(kase, 'department_name') }),
  ];
}

// The BFF words the reason (which needed item ended how); the department's own reason follows it.
function notPossibleLine(kase) {
  const because = kase.not_possible_because || {};
  const line = pick(because, 'reason') || t('steps_not_possible');
  return because.department_reason ? `${line} ${t('task_reason', { reason: because.department_reason })}` : line;
}

function certificateLink(certificate) {
  return el('a', { href: `/app/certificates/${encodeURIComponent(certificate.number)}`,
    textContent: t('task_certificate', { name: pick(certificate, 'title') || certificate.number }) });
}

function supplementAction(kase, nameId, host) {
  return [el('p', { className: 'step-view__line' }, el('strong', { textContent: t('task_supplement_asked') }), ' ', pick(kase.supplement, 'message')),
    el('button', { type: 'button', className: 'button', textContent: t('correction_button'), attrs: { 'aria-describedby': nameId },
      on: { click: () => host.dispatchEvent(new CustomEvent('ot-supplement', { detail: kase, bubbles: true })) } })];
}

function stepLines(kase, byItem) {
  const department = pick(kase, 'department_name');
  switch (phaseOf(kase)) {
    case 'done': return [t('steps_done_by', { department })];
    case 'waiting': return [...waitingLines(kase, byItem), expectedLine(kase)];
    case 'ended': return kase.status === 'not_possible' ? [notPossibleLine(kase)]
      : [department, kase.decision?.reason ? t('task_reason', { reason: pick(kase.decision, 'reason') }) : null];
    default: return [t('steps_in_progress', { department }), expectedLine(kase)];
  }
}

function step(kase, byItem, host) {
  const phase = phaseOf(kase);
  const nameId = `step-${kase.reference}`;
  const lines = stepLines(kase, byItem).filter(Boolean)
    .map((line) => (typeof line === 'string' ? el('p', { className: 'step-view__line', textContent: line }) : line));
  return el('li', { className: `step-view__step step-view__step--${phase}`, dataset: { status: kase.status, item: kase.item } },
    el('span', { className: 'step-view__mark', attrs: { 'aria-hidden': 'true' }, textContent: MARKS[phase] }),
    el('div', { className: 'step-view__body' },
      el('span', { className: 'step-view__name', id: nameId, textContent: pick(kase, 'title') }), ' ',
      el('strong', { className: `tag ${TAGS[phase]}`, textContent: pick(kase, 'status_text') || kase.status }),
      ...lines,
      phase === 'action' && kase.supplement ? supplementAction(kase, nameId, host) : null,
      kase.certificate ? el('p', { className: 'step-view__line' }, certificateLink(kase.certificate)) : null));
}

class StepView extends HTMLElement {
  set cases(list) { this._cases = list || []; this.render(); }

  render() {
    const byItem = new Map(this._cases.map((c) => [c.item, c]));
    this.replaceChildren(el('ol', { className: 'step-view' }, dependencyOrder(this._cases).map((c) => step(c, byItem, this))));
  }
}

customElements.define('ot-step-view', StepView);
