// <ot-category-grid>: the life-event categories as toggle tiles. Set .categories = [{code, name, …}]
// and .selected; it raises 'ot-category' with the chosen code (or '' for all).
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';

class CategoryGrid extends HTMLElement {
  set categories(list) { this._categories = list || []; this.render(); }
  set selected(code) { this._selected = code || ''; this.render(); }

  render() {
    const items = (this._categories || []).map((category) => {
      const pressed = this._selected === category.code;
      const count = category.bundles?.length;
      const button = el('button', { type: 'button', className: 'tile', attrs: { 'aria-pressed': String(pressed) },
        on: { click: () => this.choose(pressed ? '' : category.code) } },
      el('span', { className: 'tile__name', textContent: pick(category, 'name') }),
      count !== undefined ? el('span', { className: 'tile__count muted', textContent: t('category_count', { count }) }) : null);
      return el('li', {}, button);
    });
    const list = el('ul', { className: 'grid' }, items);
    list.setAttribute('aria-label', t('categories_label'));
    this.replaceChildren(list);
  }

  choose(code) {
    this._selected = code;
    this.render();
    this.dispatchEvent(new CustomEvent('ot-category', { detail: code, bubbles: true }));
  }
}

customElements.define('ot-category-grid', CategoryGrid);
