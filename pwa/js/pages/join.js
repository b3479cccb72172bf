// /app/join/:number — a family member already applied about this person: ask to join their case
// instead of starting another (?bundle=code, from the subject chooser), or answer an invitation
// (from the inbox). Joining needs the registry to link you to the person; the lead or a
// co-handler then accepts, and the case appears under 我的办件.
import { api, ApiError, request } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';

const base = (number) => `/api/v1/applications/${encodeURIComponent(number)}`;

export async function render({ main, params, query, navigate }) {
  const number = params.id;
  const { invitations } = (await request('GET', '/api/v1/me/family-invitations')).data;
  const invitation = invitations.find((i) => i.number === number);
  const code = invitation?.bundle || query.get('bundle');
  const [bundle, subjects] = await Promise.all([code ? api.bundle(code).catch(() => null) : null,
    !invitation && code ? api.subjects(code).catch(() => ({ subjects: [] })) : { subjects: [] }]);
  const existing = (subjects.subjects || []).map((s) => s.active_case).find((c) => c?.number === number);
  if (existing?.my_status === 'active') return navigate(`/app/applications/${number}`, { replace: true });
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const body = invitation ? invitationPart(invitation, status, navigate) : joinPart(number, existing, status);
  fill(main, el('h1', { textContent: t('join_title') }),
    bundle ? el('p', { className: 'lead', textContent: pick(bundle, 'name') }) : null,
    el('section', { className: 'banner banner--info' }, ...body), status,
    el('p', {}, el('a', { href: '/app/applications', textContent: t('nav_applications') })));
  return undefined;
}

function joinPart(number, existing, status) {
  const said = existing
    ? t('join_existing', { name: existing.lead_name, date: formatDate(existing.submitted_on) })
    : t('join_existing_unknown');
  if (existing?.my_status === 'requested') return [el('p', { textContent: said }), el('p', { textContent: t('join_requested', { name: existing.lead_name }) })];
  const button = el('button', { type: 'button', className: 'button', textContent: t('join_ask'), on: { click: async () => {
    button.disabled = true;
    try {
      await request('POST', `${base(number)}/join-requests`, { body: {} });
      fill(button.parentElement, el('p', { textContent: said }), el('p', { textContent: t('join_requested', { name: existing?.lead_name || '' }) }));
      status.textContent = t('join_sent');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      button.disabled = false;
      status.textContent = error.message;
    }
  } } });
  return [el('p', { textContent: said }), el('p', { textContent: t('join_why') }), button];
}

function invitationPart(invitation, status, navigate) {
  const answer = (accept) => async () => {
    try {
      await request('POST', `${base(invitation.number)}/members/${invitation.member_id}/${accept ? 'accept' : 'decline'}`, { body: {} });
      if (accept) navigate(`/app/applications/${invitation.number}`);
      else status.textContent = t('join_declined');
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = error.message;
    }
  };
  return [el('p', { textContent: t('join_invited', { name: invitation.lead_name, date: formatDate(invitation.invited_on) }) }),
    el('div', { className: 'button-group' },
      el('button', { type: 'button', className: 'button', textContent: t('join_accept'), on: { click: answer(true) } }),
      el('button', { type: 'button', className: 'button button--secondary', textContent: t('join_decline'), on: { click: answer(false) } }))];
}
