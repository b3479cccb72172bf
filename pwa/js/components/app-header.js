// <ot-header>: brand, language switch, elder-mode switch, sign in/out, and the main navigation.
// It only raises events (ot:set-language, ot:set-elder, ot:logout); the shell acts on them.
import { t, currentLanguage } from '../i18n.js';
import { loginUrl } from '../api.js';
import { el } from '../dom.js';

const NAV = {
  app: [['/', 'nav_home'], ['/app/applications', 'nav_applications'], ['/app/inbox', 'nav_inbox'],
    ['/app/scan', 'nav_scan'], ['/app/settings', 'nav_settings']],
  elder: [['/', 'nav_home'], ['/app/applications', 'nav_applications'], ['/app/settings', 'nav_settings']],
  desk: [['/officer', 'nav_workbench'], ['/app/settings', 'nav_settings']],
  kiosk: [],
};

class AppHeader extends HTMLElement {
  connectedCallback() {
    this.me = undefined;
    const rerender = () => this.render();
    for (const name of ['ot:language', 'ot:elder', 'ot:route']) window.addEventListener(name, rerender);
    window.addEventListener('ot:me', (event) => { this.me = event.detail; this.render(); });
    this.render();
  }

  render() {
    const chrome = document.body.dataset.chrome || 'app';
    const elder = document.documentElement.classList.contains('elder');
    const english = currentLanguage() === 'en';
    // The accessible name starts with what is visible ("English"), so voice control users can say it (WCAG 2.5.3).
    const language = el('button', { type: 'button', className: 'header__tool' },
      el('span', { lang: english ? 'zh-CN' : 'en', textContent: english ? '中文' : 'English' }),
      el('span', { className: 'visually-hidden', textContent: ` ${t('switch_language')}` }));
    language.addEventListener('click', () => this.emit('ot:set-language', english ? 'zh-CN' : 'en'));
    const elderButton = el('button', { type: 'button', className: 'header__tool', textContent: t('elder_mode') });
    elderButton.setAttribute('aria-pressed', String(elder));
    elderButton.addEventListener('click', () => this.emit('ot:set-elder', !elder));
    const tools = el('div', { className: 'header__tools' }, language, elderButton);
    if (chrome !== 'kiosk') tools.append(this.account());
    const brand = el('a', { className: 'header__brand', href: chrome === 'desk' ? '/officer' : '/', textContent: t('app_name') });
    const inner = el('div', { className: 'header__inner' }, brand, tools);
    const header = el('header', { className: 'header' }, inner);
    const items = chrome === 'app' && elder ? NAV.elder : NAV[chrome] || NAV.app;
    const nodes = [header];
    if (items.length) nodes.push(this.nav(items));
    this.replaceChildren(...nodes);
  }

  account() {
    // Until the session is known, hold the sign-in button's place so the header does not move.
    if (this.me === undefined) return el('span', { className: 'header__tool header__tool--pending', textContent: t('sign_in') });
    if (!this.me) return el('a', { className: 'header__tool', href: loginUrl(), textContent: t('sign_in') });
    const out = el('button', { type: 'button', className: 'header__tool', textContent: t('sign_out') });
    out.addEventListener('click', () => this.emit('ot:logout'));
    if (!this.me.offline) return out;
    // Offline the session cannot be checked: say who was signed in, and that this is the copy on this device.
    const who = el('span', { className: 'header__who', textContent: t('header_offline_who', { name: this.me.name }) });
    return el('span', { className: 'header__account' }, who, out);
  }

  nav(items) {
    const list = el('ul');
    for (const [href, key] of items) {
      const a = el('a', { href, textContent: t(key) });
      const here = location.pathname;
      if (href === here || (href !== '/' && here.startsWith(`${href}/`))) a.setAttribute('aria-current', 'page');
      list.append(el('li', {}, a));
    }
    const nav = el('nav', { className: 'nav' }, list);
    nav.setAttribute('aria-label', t('nav_label'));
    return nav;
  }

  emit(name, detail) { window.dispatchEvent(new CustomEvent(name, { detail })); }
}

customElements.define('ot-header', AppHeader);
