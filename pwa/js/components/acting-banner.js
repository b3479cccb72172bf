// <ot-acting>: under the header, "正在代 刘秀英 办理" with a switch back while this session acts for
// someone under a mandate; otherwise, for a person who holds mandates, the "on whose behalf" chooser.
// The server checks the mandate on every request; when it has ended, a refused request raises
// 'ot:acting' (api.js) and this banner says so and disappears.
import { el } from '../dom.js';
import { pick, t } from '../i18n.js';
import { mandatesApi } from '../mandates-api.js';

const CHOSEN = 'acting-chosen'; // this tab's choice made (sessionStorage): the chooser is not asked again

function remember() { try { sessionStorage.setItem(CHOSEN, '1'); } catch { /* storage may be disabled */ } }
function chosen() { try { return sessionStorage.getItem(CHOSEN) === '1'; } catch { return true; } }

class ActingBanner extends HTMLElement {
  connectedCallback() {
    window.addEventListener('ot:me', (event) => { this.me = event.detail; this.refresh(); });
    window.addEventListener('ot:acting', (event) => this.refresh(event.detail?.ended));
    window.addEventListener('ot:language', () => this.refresh());
    this.addEventListener('ot:acting-chosen', (event) => this.choose(event.detail.principal));
  }

  async refresh(endedMessage) {
    if (!this.me || !(this.me.roles || []).includes('resident') || this.me.session?.kind === 'kiosk') { this.replaceChildren(); return; }
    let state;
    try { state = await mandatesApi.actingAs(); } catch { this.replaceChildren(); return; }
    const ended = endedMessage || (state.ended ? pick(state, 'message') : null);
    this.acting = state.acting;
    if (state.acting) { this.showActing(state); return; }
    const notice = ended ? el('p', { className: 'banner banner--danger', attrs: { role: 'alert' }, textContent: ended }) : null;
    let principals = [];
    try { principals = (await mandatesApi.principals()).principals || []; } catch { /* shown without the chooser */ }
    this.showChooser(principals, notice);
  }

  showActing(state) {
    const back = el('button', { type: 'button', className: 'button button--secondary', textContent: t('acting_switch_back'),
      on: { click: () => this.choose(null) } });
    this.replaceChildren(el('div', { className: 'banner banner--info acting-banner', attrs: { role: 'status' } },
      el('strong', { textContent: t('acting_banner', { name: state.principal_name }) }), ' ', back));
  }

  showChooser(principals, notice) {
    if (!principals.length) { this.replaceChildren(...(notice ? [notice] : [])); return; }
    if (chosen()) {
      const other = el('button', { type: 'button', className: 'button button--secondary', textContent: t('acting_choose_other'),
        on: { click: () => { try { sessionStorage.removeItem(CHOSEN); } catch { /* ignore */ } this.showChooser(principals, null); } } });
      this.replaceChildren(...(notice ? [notice] : []), el('div', { className: 'acting-banner acting-banner--idle' }, other));
      return;
    }
    // Loaded only for people who hold mandates, to keep it out of everyone's first load; defined
    // before the element is made, so that the property reaches the component's setter.
    import('./acting-chooser.js').then(() => {
      const chooser = document.createElement('ot-acting-chooser');
      chooser.principals = principals;
      this.replaceChildren(...(notice ? [notice] : []), chooser);
    });
  }

  async choose(principal) {
    remember();
    if (!principal && !this.acting) { this.refresh(); return; }
    try {
      if (principal) await mandatesApi.actFor(principal.user_id);
      else await mandatesApi.stopActing();
    } catch (error) {
      this.replaceChildren(el('p', { className: 'banner banner--danger', attrs: { role: 'alert' }, textContent: error.message }));
      return;
    }
    location.assign(principal ? '/app/applications' : location.pathname); // every page's data changes with it
  }
}

customElements.define('ot-acting', ActingBanner);
if (!document.querySelector('ot-acting')) document.querySelector('ot-header')?.after(document.createElement('ot-acting'));
