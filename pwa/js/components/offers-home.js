// "为您备好" on the home page: the bundles the government prepared from registry events, each one tap
// from its confirmation page. Loaded only for a signed-in resident, after the page shows.
import { el, fill } from '../dom.js';
import { pick, t } from '../i18n.js';
import { offersApi } from '../offers-api.js';

export async function showOffers(box) {
  const { offers } = await offersApi.offers();
  const open = offers.filter((o) => o.status === 'open');
  if (!open.length) return;
  fill(box, el('section', { className: 'banner banner--info', attrs: { 'aria-labelledby': 'offers-heading' } },
    el('h2', { id: 'offers-heading', textContent: t('offers_ready_title') }),
    el('ul', { className: 'task-list' }, open.map((o) => el('li', { className: 'task-list__item' },
      el('a', { className: 'task-list__name', href: `/app/offers/${o.id}`, textContent: pick(o, 'text') }),
      el('span', { className: 'task-list__meta', textContent: t('offers_until', { date: o.expires_on }) }))))));
}
