// Home: the ten life-event categories, bundle cards and a search, plus "continue" for signed-in users.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { pick, t } from '../i18n.js';
import '../components/category-grid.js';
import '../components/bundle-card.js';

const asList = (data, key) => (Array.isArray(data) ? data : data?.[key] || data?.items || []);
const TYPING_PAUSE_MS = 250;

function cardsOf(bundles) {
  return bundles.map((b) => {
    const card = document.createElement('ot-bundle-card');
    card.bundle = b;
    return el('li', {}, card);
  });
}

// The server finds bundles (GET /api/v1/bundles?q=&category=): everyday words, pinyin, item and
// category names, best match first. Typing waits for a pause; a newer search cancels an older one.
function searcher(cards, count) {
  let pending = null;
  let timer = null;
  async function run(state, all) {
    pending?.abort();
    if (!state.words && !state.category) return show(all, state);
    const controller = new AbortController();
    pending = controller;
    try {
      const found = await api.bundles({ q: state.words, category: state.category }, { signal: controller.signal });
      if (pending === controller) show(asList(found, 'bundles'), state);
    } catch (error) {
      if (error?.name === 'AbortError') return undefined;
      count.textContent = error?.status === 422 ? error.message : t(navigator.onLine ? 'catalog_unavailable' : 'offline_body');
    }
    return undefined;
  }
  function show(bundles, state) {
    cards.replaceChildren(...cardsOf(bundles));
    cards.dataset.shows = `${state.category}|${state.words}`; // what the cards answer, for tests and styles
    count.textContent = !bundles.length && state.words ? t('search_none', { words: state.words })
      : t('bundles_count', { count: bundles.length });
  }
  return {
    now: (state, all) => { clearTimeout(timer); return run(state, all); },
    soon: (state, all) => { clearTimeout(timer); timer = setTimeout(() => run(state, all), TYPING_PAUSE_MS); },
    stop: () => { clearTimeout(timer); pending?.abort(); },
  };
}

export async function render({ main, query, session }) {
  const state = { category: query.get('category') || '', words: query.get('q') || '' };
  const grid = document.createElement('ot-category-grid');
  const cards = el('ul', { className: 'cards' });
  const count = el('p', { className: 'muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  const input = el('input', { type: 'search', id: 'search', name: 'q', value: state.words, autocomplete: 'off', maxLength: 100 });
  const search = searcher(cards, count);
  let bundles = [];
  const update = () => {
    const params = new URLSearchParams();
    if (state.category) params.set('category', state.category);
    if (state.words) params.set('q', state.words);
    history.replaceState({}, '', `/${params.toString() ? `?${params}` : ''}`);
    return search.now(state, bundles);
  };
  const form = el('form', { className: 'search', attrs: { role: 'search' }, on: { submit: (e) => { e.preventDefault(); update(); } } },
    el('label', { className: 'visually-hidden', htmlFor: 'search', textContent: t('search_label') }), input,
    el('button', { className: 'button', type: 'submit', textContent: t('search_button') }));
  input.placeholder = t('search_placeholder');
  input.addEventListener('input', () => { state.words = input.value.trim(); search.soon(state, bundles); });

  const resume = el('div');
  const offers = el('div');
  fill(main,
    el('h1', { textContent: t('home_title') }),
    el('p', { className: 'lead', textContent: t('home_lead') }), offers, resume,
    form,
    el('h2', { id: 'categories-heading', textContent: t('categories_heading') }), grid,
    el('h2', { id: 'bundles-heading', textContent: t('bundles_heading') }), count, cards);
  grid.addEventListener('ot-category', (event) => { state.category = event.detail; update(); });

  try {
    const [categories, bundleData] = await Promise.all([api.categories(), api.bundles()]);
    grid.categories = asList(categories, 'categories');
    grid.selected = state.category;
    bundles = asList(bundleData, 'bundles');
    await search.now(state, bundles);
    showDrafts(resume, session, bundles);
    showOffers(offers, session);
  } catch (error) {
    count.textContent = t(navigator.onLine ? 'catalog_unavailable' : 'offline_body');
    console.warn('catalog', error);
  }
  return search.stop; // leaving the page: no search answers into it any more
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
