// <ot-header>: brand, language switch, elder-mode switch, sign in/out, and the main navigation.
// It only raises events (ot:set-language, ot:set-elder, ot:logout); the shell acts on them.
// On the desk it names who is signed in (and their department). A kiosk session has no scanner
// entry (the kiosk is what gets scanned) and signs out from its own bar (kiosk-idle.js).
import { t, currentLanguage, pick } from '../i18n.js';
import { loginUrl } from '../api.js';
import { el } from '../dom.js';

const NAV = {
  app: [['/', 'nav_home'], ['/app/applications', 'nav_applications'], ['/app/inbox', 'nav_inbox'],
    ['/app/scan', 'nav_scan'], ['/app/settings', 'nav_settings']],
  // Elder mode keeps 消息: supplement requests and decisions arrive there.
  elder: [['/', 'nav_home'], ['/app/applications', 'nav_applications'], ['/app/inbox', 'nav_inbox'], ['/app/settings', 'nav_settings']],
  desk: [['/officer', 'nav_workbench'], ['/app/settings', 'nav_settings']],
  kiosk: [],
};

class AppHeader extends HTMLElement {
  connectedCallback() {
    this.me = undefined;
    const rerender = () => this.render();
    for (const name of ['ot:language', 'ot:elder', 'ot:route']) window.addEventListener(name, rerender);
    window.addEventListener('ot:me', (event) => { this.me = event.detail; if (!this.me) this.unread = 0; this.render(); });
    this.unread = 0;
    window.addEventListener('ot:unread', (event) => { this.unread = event.detail; this.render(); });
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
    const account = chrome !== 'kiosk' ? this.account() : null;
    if (account) tools.append(account);
    const brand = el('a', { className: 'header__brand', href: chrome === 'desk' ? '/officer' : '/', textContent: t('app_name') });
    const inner = el('div', { className: 'header__inner' }, brand, tools);
    const header = el('header', { className: 'header' }, inner);
    const kiosk = this.me?.session?.kind === 'kiosk';
    const items = (chrome === 'app' && elder ? NAV.elder : NAV[chrome] || NAV.app)
      .filter(([href]) => !(kiosk && href === '/app/scan'));
    const nodes = [header];
    if (items.length) nodes.push(this.nav(items));
    this.replaceChildren(...nodes);
  }

  account() {
    // Until the session is known, hold the sign-in button's place so the header does not move.
    if (this.me === undefined) return el('span', { className: 'header__tool header__tool--pending', textContent: t('sign_in') });
    if (!this.me) return el('a', { className: 'header__tool', href: loginUrl(), textContent: t('sign_in') });
    if (this.me.session?.kind === 'kiosk') return null;
    const out = el('button', { type: 'button', className: 'header__tool', textContent: t('sign_out') });
    out.addEventListener('click', () => this.emit('ot:logout'));
    if (document.body.dataset.chrome === 'desk') return el('span', { className: 'header__account' }, this.who(), out);
    if (!this.me.offline) return out;
    // Offline the session cannot be checked: say who was signed in, and that this is the copy on this device.
    const who = el('span', { className: 'header__who', textContent: t('header_offline_who', { name: this.me.name }) });
    return el('span', { className: 'header__account' }, who, out);
  }

  /** The officer's (or staff member's) name and department, so a shared desk shows who acts. */
  who() {
    const department = pick(this.me, 'department_name');
    const text = department ? t('officer_signed_in_as', { name: this.me.name, department }) : this.me.name;
    return el('span', { className: 'header__who', textContent: text });
  }

  nav(items) {
    const list = el('ul');
    for (const [href, key] of items) {
      const a = el('a', { href, textContent: t(key) });
      if (href === '/app/inbox' && this.unread > 0) a.append(this.badge());
      const here = location.pathname;
      if (href === here || (href !== '/' && here.startsWith(`${href}/`))) a.setAttribute('aria-current', 'page');
      list.append(el('li', {}, a));
    }
    const nav = el('nav', { className: 'nav' }, list);
    nav.setAttribute('aria-label', t('nav_label'));
    return nav;
  }

  badge() {
    // Seen as a number on the entry; heard as "3 条未读" after its name.
    return el('span', { className: 'nav__badge', dataset: { count: String(this.unread) } },
      el('span', { textContent: this.unread > 99 ? '99+' : String(this.unread), attrs: { 'aria-hidden': 'true' } }),
      el('span', { className: 'visually-hidden', textContent: t('nav_unread', { count: this.unread }) }));
  }

  emit(name, detail) { window.dispatchEvent(new CustomEvent(name, { detail })); }
}

customElements.define('ot-header', AppHeader);
