// 为您备好 and 免申即享: every offer with its state, the benefits granted without an application with
// the data each rested on and a way to object, my choices, and everything the service did for me.
import { el, fill } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';
import { offersApi } from '../offers-api.js';

export async function render({ main }) {
  const data = await offersApi.offers();
  fill(main, el('h1', { textContent: t('offers_title') }),
    el('h2', { textContent: t('offers_list_title') }), offerList(data.offers),
    el('h2', { id: 'grants', textContent: t('grants_title') }), grantList(data.grants, main),
    el('h2', { textContent: t('proactive_settings_title') }), settingsForm(data.settings),
    el('h2', { textContent: t('proactive_activity_title') }),
    el('ul', { className: 'task-list' }, data.activity.map((a) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: t(`proactive_event_${a.name}`) }),
      el('span', { className: 'task-list__meta', textContent: formatDate(a.occurred_at, true) })))));
}

function offerList(offers) {
  if (!offers.length) return el('p', { textContent: t('offers_none') });
  return el('ul', { className: 'task-list' }, offers.map((o) => el('li', { className: 'task-list__item' },
    el('a', { className: 'task-list__name', href: `/app/offers/${o.id}`, textContent: pick(o, 'text') }),
    el('span', { className: 'task-list__meta', textContent: t(`offer_status_${o.status}`) }))));
}

function grantList(grants, main) {
  if (!grants.length) return el('p', { textContent: t('grants_none') });
  return el('ul', { className: 'task-list' }, grants.map((g) => el('li', { className: 'task-list__item' },
    el('span', { className: 'task-list__name', textContent: `${pick(g, 'item_name')} · ${t(`grant_status_${g.status}`)}` }),
    el('span', { textContent: t('grant_reference', { reference: g.reference, time: formatDate(g.decided_at, true) }) }),
    el('dl', { className: 'summary' }, g.basis.map((b) => el('div', { className: 'summary__row' },
      el('dt', { textContent: pick(b, 'label') }), el('dd', { textContent: basisValue(b.value) })))),
    g.status === 'granted' && !g.review_outcome ? objectionForm(g, main) : null)));
}

const basisValue = (value) => (value === true ? t('yes') : value === false ? t('no') : String(value));

function objectionForm(grant, main) {
  const fieldId = `objection-${grant.id}`;
  const reason = el('textarea', { id: fieldId, name: 'reason', rows: 2, maxLength: 500 });
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  return el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    try { await offersApi.object(grant.id, reason.value); await render({ main }); } catch (error) { status.textContent = error.message; }
  } } }, el('label', { className: 'field__label', htmlFor: fieldId, textContent: t('grant_object_label') }), reason, status,
  el('button', { type: 'submit', className: 'button button--secondary', textContent: t('grant_object') }));
}

/** The proactive service's choices on the settings page. */
export async function renderSettings(box) {
  const { settings } = await offersApi.offers();
  fill(box, el('p', {}, el('a', { href: '/app/offers', textContent: t('proactive_settings_link') })), settingsForm(settings));
}

function settingsForm(settings) {
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const box = (name, value, label, checked) => el('div', { className: 'choice' },
    el('input', { type: 'checkbox', id: `${name}-${value}`, name, value, checked }), el('label', { htmlFor: `${name}-${value}`, textContent: label }));
  const form = el('form', { on: { submit: async (event) => {
    event.preventDefault();
    const values = (name, on) => [...form.querySelectorAll(`input[name=${name}]`)].filter((i) => i.checked === on).map((i) => i.value);
    try {
      await offersApi.saveSettings({ offers_off: values('offer-kind', false), automatic_items: values('automatic-item', true) });
      status.textContent = t('proactive_saved');
    } catch (error) { status.textContent = error.message; }
  } } },
  el('fieldset', {}, el('legend', { textContent: t('proactive_offer_kinds') }),
    settings.offer_kinds.map((k) => box('offer-kind', k.kind, t(`offer_kind_${k.kind}`), k.on))),
  el('fieldset', {}, el('legend', { textContent: t('proactive_automatic_items') }),
    el('p', { className: 'field__hint', textContent: t('proactive_automatic_hint') }),
    settings.automatic_items.map((i) => box('automatic-item', i.item, pick(i, 'name'), i.on))),
  status, el('button', { type: 'submit', className: 'button button--secondary', textContent: t('proactive_save') }));
  return form;
}
