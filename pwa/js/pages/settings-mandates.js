// Settings › 委托代办: the mandates I granted (revoke at once) and hold, and a new mandate to a
// relative from the registry or a registered community agent, for one life event or one application.
import { ApiError } from '../api.js';
import { el, fill, uid } from '../dom.js';
import { has, pick, t } from '../i18n.js';
import { mandatesApi } from '../mandates-api.js';

const MAX_DAYS = 90;

function isoDay(offsetDays) {
  // China's calendar day (UTC+8), whatever the phone's zone: the server counts in China's days.
  const china = new Date(Date.now() + 8 * 3600 * 1000 + offsetDays * 86400 * 1000);
  return china.toISOString().slice(0, 10);
}

function whatOf(mandate) {
  return mandate.bundle_name ? pick(mandate, 'bundle_name') : t('mandates_target_application', { number: mandate.application_number });
}

function relationText(relation) {
  return has(`mandate_relation_${relation}`) ? t(`mandate_relation_${relation}`) : relation || '';
}

function mandateLine(mandate, who, onRevoke) {
  const status = el('strong', { className: `tag ${mandate.status === 'active' ? 'tag--green' : ''}`, textContent: t(`mandates_status_${mandate.status}`) });
  const revoke = mandate.status === 'active' && onRevoke
    ? el('button', { type: 'button', className: 'button button--secondary', textContent: t('mandates_revoke'),
      attrs: { 'aria-label': `${t('mandates_revoke')}: ${who}` }, on: { click: () => onRevoke(mandate) } })
    : null;
  return el('li', { className: 'task-list__item mandate' },
    el('span', { className: 'task-list__name', textContent: who }), status,
    el('span', { className: 'task-list__meta', textContent: t('mandates_line', { what: whatOf(mandate), scope: t(`mandates_scope_${mandate.scope}`), until: mandate.expires_on }) }),
    revoke);
}

function agentName(mandate) {
  return mandate.agent_kind === 'relative'
    ? t('mandates_agent_relative', { name: mandate.agent_name, relation: relationText(mandate.relation) })
    : t('mandates_agent_community', { name: mandate.agent_name });
}

function mandateList(title, items, who, onRevoke) {
  const list = items.length ? el('ul', { className: 'task-list' }, items.map((m) => mandateLine(m, who(m), onRevoke)))
    : el('p', { textContent: t('mandates_none') });
  return [el('h3', { textContent: title }), list];
}

function radios(name, legend, options) {
  return el('fieldset', { className: 'field' }, el('legend', { className: 'field__label', textContent: legend }),
    options.map(([value, label], i) => {
      const id = `${name}-${i}-${uid('r')}`;
      return el('div', { className: 'choice' }, el('input', { type: 'radio', id, name, value, checked: i === 0 && name !== 'agent' }),
        el('label', { htmlFor: id, textContent: label }));
    }));
}

function grantForm(choices, onGranted) {
  const agents = [...choices.relatives.map((r) => [`relative:${r.ref}`, t('mandates_agent_relative', { name: r.name, relation: relationText(r.relation) })]),
    ...choices.community_agents.map((a) => [`community_agent:${a.id}`, t('mandates_agent_community', { name: a.name })])];
  const targets = [...choices.bundles.map((b) => [`bundle:${b.code}`, pick(b, 'name')]),
    ...choices.applications.map((a) => [`application:${a.number}`, t('mandates_target_application', { number: a.number })])];
  const targetId = uid('target');
  const expiresId = uid('expires');
  const errors = el('div', { attrs: { role: 'alert' } });
  const form = el('form', { className: 'mandate-form', noValidate: true },
    agents.length ? radios('agent', t('mandates_agent'), agents) : el('p', { textContent: t('mandates_no_relatives') }),
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: targetId, textContent: t('mandates_target') }),
      el('select', { id: targetId, name: 'target', className: 'input' }, targets.map(([value, label]) => el('option', { value, textContent: label })))),
    radios('scope', t('mandates_scope'), ['apply_follow', 'receive_money'].map((s) => [s, t(`mandates_scope_${s}`)])),
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: expiresId, textContent: t('mandates_expires') }),
      el('p', { className: 'field__hint', textContent: t('mandates_expires_hint') }),
      el('input', { type: 'date', id: expiresId, name: 'expires_on', className: 'input', value: isoDay(30), min: isoDay(1), max: isoDay(MAX_DAYS) })),
    errors, el('button', { type: 'submit', className: 'button', textContent: t('mandates_grant') }));
  form.addEventListener('submit', (event) => { event.preventDefault(); submitGrant(form, errors, onGranted); });
  return form;
}

async function submitGrant(form, errors, onGranted) {
  const data = new FormData(form);
  const agent = String(data.get('agent') || '');
  if (!agent) { fill(errors, el('p', { className: 'field__error', textContent: t('mandates_pick_agent') })); return; }
  const [kind, who] = agent.split(/:(.*)/s);
  const [targetKind, target] = String(data.get('target')).split(/:(.*)/s);
  const body = { agent_kind: kind, scope: data.get('scope'), expires_on: data.get('expires_on'),
    ...(kind === 'relative' ? { agent_ref: who } : { agent_user_id: Number(who) }),
    ...(targetKind === 'bundle' ? { bundle: target } : { application_number: target }) };
  try {
    await mandatesApi.grant(body);
  } catch (error) {
    const fields = error instanceof ApiError ? Object.values(error.fieldErrors) : [];
    fill(errors, el('p', { className: 'field__error', textContent: fields[0] || error.message }));
    return;
  }
  onGranted(t('mandates_granted_ok'));
}

/** Fills ``box`` with the mandates section; re-renders itself after a grant or a revocation. */
export async function renderMandates(box, notice = '') {
  let mine;
  try { mine = await mandatesApi.mandates(); } catch (error) { fill(box, el('p', { textContent: error.message })); return; }
  const again = (text) => renderMandates(box, text);
  const onRevoke = async (mandate) => {
    try { await mandatesApi.revoke(mandate.id); again(t('mandates_revoked_ok')); } catch (error) { again(error.message); }
  };
  let form;
  try { form = grantForm(await mandatesApi.choices(), again); } catch (error) { form = el('p', { textContent: error.message }); }
  fill(box, el('p', { className: 'field__hint', textContent: t('mandates_explain') }),
    notice ? el('p', { className: 'banner banner--success', attrs: { role: 'status' }, textContent: notice }) : null,
    mandateList(t('mandates_granted'), mine.granted, agentName, onRevoke),
    mandateList(t('mandates_received'), mine.received, (m) => m.principal_name, null),
    el('h3', { textContent: t('mandates_new') }), form);
}
