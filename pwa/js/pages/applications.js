// My applications: drafts to resume (on any device) and submitted applications with their status,
// the next action and the next due date.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { consentRequests } from '../components/consent-requests.js';

const STATUS_TAG = { completed: 'tag--green', action_required: 'tag--yellow', partially_rejected: 'tag--red', withdrawn: 'tag--grey' };

export async function render({ main }) {
  const [{ applications }, { drafts }, bundles] = await Promise.all([api.applications(), api.drafts(), api.bundles()]);
  const names = Object.fromEntries((bundles.bundles || []).map((b) => [b.code, b]));
  const bundleName = (code) => pick(names[code], 'name') || code;
  const parts = [el('h1', { textContent: t('nav_applications') }), await consentRequests()];
  if (drafts.length) {
    parts.push(el('h2', { textContent: t('apps_drafts') }), el('ul', { className: 'cards' }, drafts.map((d) => el('li', { className: 'card' },
      el('h3', {}, el('a', { href: `/app/drafts/${d.number}`, textContent: bundleName(d.bundle) })),
      el('p', { className: 'card__meta', textContent: t('apps_draft_saved', { time: formatDate(d.updated_at, true) }) })))));
  }
  parts.push(el('h2', { textContent: t('apps_submitted') }));
  if (!applications.length) parts.push(el('p', {}, t('apps_none'), ' ', el('a', { href: '/', textContent: t('apps_start') })));
  else {
    parts.push(el('ul', { className: 'cards' }, applications.map((a) => el('li', { className: 'card' },
      el('h3', {}, el('a', { href: `/app/applications/${a.number}`, textContent: bundleName(a.bundle) })),
      el('p', {}, el('strong', { className: `tag ${STATUS_TAG[a.status] || ''}`, textContent: pick(a, 'status_text') }),
        a.my_role === 'co_handler' ? el('span', { className: 'tag', textContent: t('apps_role_co_handler') }) : null),
      el('p', { textContent: pick(a.next_action, 'text') }),
      el('p', { className: 'card__meta', textContent: [t('apps_number', { number: a.number }), t('apps_progress', { done: a.cases_done, total: a.cases_total, count: a.cases_total }),
        a.next_due_on ? t(a.overdue ? 'task_overdue' : 'task_due', { date: formatDate(a.next_due_on) }) : ''].filter(Boolean).join(' · ') })))));
  }
  fill(main, ...parts);
}
