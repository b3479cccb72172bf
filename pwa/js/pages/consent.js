// An heir's consent request (/app/consents/:id, the id being the application's number as the
// notification links it, or the request's own id): who died, who applied, which items, what
// "agree" means, the undertaking to tick, the deadline, and three big buttons — 同意, 不同意,
// 放弃继承 (the last with a clear confirmation). Readable in elder mode: plain words, large targets.
import { api, ApiError } from '../api.js';
import { el, fill, message } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { confirmAction } from '../components/confirm-dialog.js';

export async function render({ main, params }) {
  const { consents } = await api.myConsents();
  const found = consents.find((c) => c.number === params.id || String(c.id) === params.id);
  if (!found) {
    fill(main, el('h1', { textContent: t('consent_title') }), message(t('consent_none'), t('consent_none_body')));
    return;
  }
  await draw(main, found.id);
}

async function draw(main, consentId, notice = '') {
  const consent = await api.consent(consentId);
  fill(main,
    el('h1', { tabIndex: -1, textContent: t('consent_title') }),
    notice ? el('p', { className: 'banner banner--success', attrs: { role: 'status' }, textContent: notice }) : null,
    el('p', { className: 'consent__lead', textContent: t('consent_lead', { deceased: consent.deceased_name, applicant: consent.applicant_name }) }),
    el('h2', { textContent: t('consent_items') }),
    el('ul', { className: 'task-list' }, consent.items.map((item) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: pick(item, 'title') })))),
    consent.decision === 'pending' && !consent.expired ? answerForm(main, consent) : outcome(consent),
    family(consent.family || []));
  if (notice) main.querySelector('h1').focus();
}

function answerForm(main, consent) {
  const error = el('p', { className: 'field__error', attrs: { role: 'alert' } });
  const tick = consent.undertaking.needed ? el('input', { type: 'checkbox', id: 'undertaking', name: 'undertaking' }) : null;
  const answer = async (decision) => {
    if (decision === 'agreed' && tick && !tick.checked) { error.textContent = t('consent_tick_first'); tick.focus(); return; }
    if (decision === 'renounced' && !await confirmAction({ title: t('consent_renounce_confirm'),
      body: t('consent_renounce_confirm_body'), confirm: t('consent_renounce'), warning: true })) return;
    try {
      await api.answerConsent(consent.id, decision, Boolean(tick?.checked));
      await draw(main, consent.id, t(`consent_done_${decision}`));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      error.textContent = e.message;
    }
  };
  const button = (decision, style) => el('button', { type: 'button', className: `button button--block ${style}`,
    dataset: { decision }, textContent: t(`consent_${decision === 'agreed' ? 'agree' : decision === 'declined' ? 'decline' : 'renounce'}`),
    on: { click: () => answer(decision) } });
  return el('section', { className: 'consent__answer', attrs: { 'aria-labelledby': 'consent-agreement' } },
    el('h2', { id: 'consent-agreement', textContent: t('consent_what_agree_means') }),
    el('p', {}, el('strong', { textContent: pick(consent, 'agreement') })),
    el('p', { className: 'consent__deadline', textContent: t('consent_deadline', { date: formatDate(consent.deadline) }) }),
    tick ? el('div', { className: 'consent__undertaking' },
      el('h3', { textContent: t('consent_undertaking', { limit: (consent.undertaking.limit_yuan || 0).toLocaleString() }) }),
      el('p', { textContent: pick(consent.undertaking, 'text') }),
      el('div', { className: 'choice' }, tick, el('label', { htmlFor: 'undertaking', textContent: t('consent_undertaking_tick') }))) : null,
    error,
    el('div', { className: 'button-group button-group--stacked' },
      button('agreed', ''), button('declined', 'button--secondary'), button('renounced', 'button--warning')),
    el('p', { className: 'muted', textContent: t('consent_decline_means') }));
}

function outcome(consent) {
  const key = consent.expired && consent.decision !== 'agreed' ? 'expired' : consent.decision;
  return el('section', { className: 'consent__outcome' },
    el('p', {}, el('strong', { className: 'tag', textContent: t(`consent_state_${key}`) }),
      consent.decided_at ? ` ${formatDate(consent.decided_at, true)}` : ''));
}

function family(list) {
  if (!list.length) return null;
  return el('section', {}, el('h2', { textContent: t('consent_family') }),
    el('ul', { className: 'task-list' }, list.map((heir) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: `${t(`consent_relation_${heir.relation}`)} ${heir.name}${heir.you ? t('consent_you') : ''}` }),
      el('span', { className: 'task-list__meta', textContent: t(`consent_state_${heir.decision}`) })))));
}
