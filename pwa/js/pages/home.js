// Home: the ten life-event categories, bundle cards and a search, plus "continue" for signed-in users.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { pick, t } from '../i18n.js';
import '../components/category-grid.js';
import '../components/bundle-card.js';

const asList = (data, key) => (Array.isArray(data) ? data : data?.[key] || data?.items || []);

function matches(bundle, words) {
  if (!words) return true;
  const haystack = [pick(bundle, 'name'), pick(bundle, 'summary'), bundle.name_en, ...(bundle.keywords || [])]
    .join(' ').toLowerCase();
  return words.toLowerCase().split(/\s+/).every((w) => haystack.includes(w));
}

export async function render({ main, query, session }) {
  const state = { category: query.get('category') || '', words: query.get('q') || '' };
  const grid = document.createElement('ot-category-grid');
  const cards = el('ul', { className: 'cards' });
  const count = el('p', { className: 'muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  const input = el('input', { type: 'search', id: 'search', name: 'q', value: state.words, autocomplete: 'off' });
  const form = el('form', { className: 'search', attrs: { role: 'search' }, on: { submit: (e) => { e.preventDefault(); update(); } } },
    el('label', { className: 'visually-hidden', htmlFor: 'search', textContent: t('search_label') }), input,
    el('button', { className: 'button', type: 'submit', textContent: t('search_button') }));
  input.placeholder = t('search_placeholder');
  input.addEventListener('input', () => { state.words = input.value.trim(); show(); });

  const resume = el('div');
  const offers = el('div');
  fill(main,
    el('h1', { textContent: t('home_title') }),
    el('p', { className: 'lead', textContent: t('home_lead') }), offers, resume,
    form,
    el('h2', { id: 'categories-heading', textContent: t('categories_heading') }), grid,
    el('h2', { id: 'bundles-heading', textContent: t('bundles_heading') }), count, cards);

  let bundles = [];
  function show() {
    const shown = bundles.filter((b) => (!state.category || b.category === state.category || b.category_code === state.category)
      && matches(b, state.words));
    cards.replaceChildren(...shown.map((b) => {
      const card = document.createElement('ot-bundle-card');
      card.bundle = b;
      return el('li', {}, card);
    }));
    count.textContent = t('bundles_count', { count: shown.length });
  }
  function update() {
    const params = new URLSearchParams();
    if (state.category) params.set('category', state.category);
    if (state.words) params.set('q', state.words);
    history.replaceState({}, '', `/${params.toString() ? `?${params}` : ''}`);
    show();
  }
  grid.addEventListener('ot-category', (event) => { state.category = event.detail; update(); });

  try {
    const [categories, bundleData] = await Promise.all([api.categories(), api.bundles()]);
    grid.categories = asList(categories, 'categories');
    grid.selected = state.category;
    bundles = asList(bundleData, 'bundles');
    show();
    showDrafts(resume, session, bundles);
    showOffers(offers, session);
  } catch (error) {
    count.textContent = t(navigator.onLine ? 'catalog_unavailable' : 'offline_body');
    console.warn('catalog', error);
  }
}

/** Signed in with drafts: offer to carry on (they may have been started on another device). */
async function showDrafts(box, session, bundles) {
  if (!(await session.ready)) return;
  const { drafts } = await api.drafts().catch(() => ({ drafts: [] }));
  if (!drafts.length) return;
  const name = (code) => pick(bundles.find((b) => b.code === code), 'name') || code;
  fill(box, el('div', { className: 'banner banner--info' }, el('h2', { textContent: t('home_continue') }),
    el('ul', {}, drafts.map((d) => el('li', {}, el('a', { href: `/app/drafts/${d.number}`, textContent: name(d.bundle) }))))));
}

/** Signed in: what the government prepared from registry events (loaded only then, out of the first load). */
async function showOffers(box, session) {
  if (!(await session.ready)) return;
  const { showOffers: show } = await import('../components/offers-home.js');
  await show(box).catch((error) => console.warn('offers', error));
}
