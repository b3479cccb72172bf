// The service desk's working state: the search, the resident opened with a reason, and the grant
// from opening. The grant goes in X-Staff-Grant on every later call and lives only in a private
// field of this object: never in storage, never in a URL. A lost grant asks for a reason again; a
// lost or idle session shows the signed-out screen.
import { ApiError, api, loginUrl } from '../api.js';
import { el, fill } from '../dom.js';
import { t } from '../i18n.js';
import { watchIdle } from './idle.js';
import { reasonForm } from './reason.js';
import { residentView } from './resident.js';
import { followUpsTable, resultsTable, searchForm } from './search.js';
import { lifeEventFinder } from './life-events.js';

const IDLE_MS = 15 * 60 * 1000; // the session's staff idle limit (auth/sessions.py)

export class ServiceDesk {
  #current = null; // {rid, grant, name, resident, found, view}: the opened resident, in memory only
  #signedOut = false;
  #stopIdle;

  /** main: the page's element; names: {departments, bundles}; purposes from GET /staff/purposes. */
  constructor(main, { names, purposes }) {
    this.main = main;
    this.names = names;
    this.purposes = purposes;
    this.results = el('div', { attrs: { 'aria-live': 'polite' } });
    this.work = el('div');
    this.#stopIdle = watchIdle(IDLE_MS, () => this.signOut('idle'));
    this.search = searchForm({ onSignedOut: () => this.signOut('expired'),
      onResults: ({ results }) => fill(this.results, resultsTable(results, (found) => this.askReason(found))),
      onFollowUps: ({ items }) => fill(this.results, followUpsTable(items,
        (item) => this.askReason({ ...item.resident, application: item.number }, '', 'rating_follow_up'))) });
  }

  draw() {
    fill(this.main, el('h1', { textContent: t('staff_title') }),
      el('section', { className: 'staff-search', attrs: { 'aria-labelledby': 'staff-search-title' } },
        el('h2', { id: 'staff-search-title', className: 'visually-hidden', textContent: t('staff_search') }), this.search.node, this.results),
      this.work, lifeEventFinder());
  }

  /** What a redrawing (another language) needs to show the opened resident again, or null. */
  handOver() {
    const current = this.#current;
    return current ? { found: current.found, grant: current.grant, resident: current.resident } : null;
  }

  /** Leaving the page: the timeline stops; the grant is closed unless it was handed over. */
  leave({ close }) {
    this.#endCurrent({ close });
    this.#stopIdle();
  }

  /** Calls fn(rid, grant); a lost session or grant is handled here and marked on the error. */
  call = async (fn) => {
    if (!this.#current) throw Object.assign(new Error('no grant'), { grantEnded: true });
    try {
      return await fn(this.#current.rid, this.#current.grant);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) { error.signedOut = true; this.signOut('expired'); }
      else if (error instanceof ApiError && error.status === 403 && error.body.reason === 'access_reason_required') {
        error.grantEnded = true;
        const { rid, name } = this.#current;
        this.#endCurrent({ close: false });
        this.askReason({ id: rid, name }, t('staff_grant_ended'));
      }
      throw error;
    }
  };

  askReason(resident, notice = '', presetPurpose = '') {
    this.#endCurrent();
    const form = reasonForm({ resident, notice, presetPurpose, purposes: this.purposes,
      onOpened: (opened) => this.open(resident, opened), onSignedOut: () => this.signOut('expired'),
      onCancel: () => { fill(this.work); this.search.focus(); } });
    fill(this.work, form);
    form.querySelector('h2').focus();
  }

  /** Shows the resident opened with `grant`; found: the search row (with the application asked about). */
  async open(found, { grant, resident }) {
    this.#current = { rid: resident.id, grant, name: resident.name, resident, found };
    const view = residentView({ resident, names: this.names, call: this.call, onClose: () => this.#closed() });
    this.#current.view = view;
    fill(this.work, view.node);
    view.node.querySelector('h2').focus();
    await view.timeline.reload();
    view.timeline.start();
    if (found.application) await view.showApplication(found.application);
  }

  async signOut(why) {
    if (this.#signedOut) return;
    this.#signedOut = true;
    this.#endCurrent();
    if (why === 'idle') await api.logout().catch(() => {}); // end the session now, not at the server's next check
    fill(this.main, el('h1', { tabIndex: -1, textContent: t('staff_signed_out_title') }),
      el('p', { className: 'lead', textContent: t(why === 'idle' ? 'staff_signed_out_idle' : 'staff_signed_out_body') }),
      el('p', {}, el('a', { className: 'button', href: loginUrl('/staff'), textContent: t('signin_button') })));
    this.main.querySelector('h1').focus();
  }

  #closed() {
    this.#endCurrent();
    fill(this.work, el('p', { className: 'banner banner--success', attrs: { role: 'status' }, textContent: t('staff_closed') }));
    this.search.focus();
  }

  #endCurrent({ close = true } = {}) {
    if (!this.#current) return;
    this.#current.view?.timeline.stop();
    if (close) api.staffClose(this.#current.rid, this.#current.grant).catch(() => {});
    this.#current = null;
  }
}
