// "待您确认": the consent requests asked of me as an heir, for 我的办件 and the consents page.
import { api } from '../api.js';
import { el } from '../dom.js';
import { formatDate, t } from '../i18n.js';

/** A section listing my consent requests (pending first), or null when none was ever asked of me. */
export async function consentRequests({ all = false } = {}) {
  const { consents } = await api.myConsents().catch(() => ({ consents: [] }));
  const shown = all ? consents : consents.filter((c) => c.decision === 'pending' && !c.expired);
  if (!shown.length) return null;
  return el('section', { className: 'consent-requests', attrs: { 'aria-labelledby': 'consent-requests-title' } },
    el('h2', { id: 'consent-requests-title', textContent: t('consent_waiting_for_you') }),
    el('ul', { className: 'cards' }, shown.map((c) => el('li', { className: 'card' },
      el('h3', {}, el('a', { href: `/app/consents/${encodeURIComponent(c.number)}`,
        textContent: t('consent_card_title', { deceased: c.deceased_name, applicant: c.applicant_name }) })),
      el('p', {}, el('strong', { className: `tag ${c.decision === 'pending' ? 'tag--yellow' : ''}`,
        textContent: t(`consent_state_${c.expired && c.decision === 'pending' ? 'expired' : c.decision}`) })),
      el('p', { className: 'card__meta', textContent: t('consent_deadline', { date: formatDate(c.deadline) }) })))));
}
