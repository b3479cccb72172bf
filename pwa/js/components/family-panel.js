// <ot-family-panel number="…">: who handles this application with me (一件事 for the family).
// Lists the lead and co-handlers with their relation to the person it is about, pending join
// requests (any member may accept), invitations waiting for an answer; the lead invites relatives
// the registry gives (never typed) and may hand the lead over; a co-handler may leave.
// Names only: the BFF never sends a family member's ID number.
import { ApiError, request } from '../api.js';
import { el, fill } from '../dom.js';
import { has, t } from '../i18n.js';

const base = (number) => `/api/v1/applications/${encodeURIComponent(number)}`;
const relationText = (relation) => (relation && has(`family_relation_${relation}`) ? t(`family_relation_${relation}`) : '');

class FamilyPanel extends HTMLElement {
  connectedCallback() {
    if (!this.status) {
      this.status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
      this.load();
    }
  }

  async load() {
    try {
      this.family = (await request('GET', `${base(this.getAttribute('number'))}/members`)).data;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      fill(this); // not a member (any more): nothing to show
      return;
    }
    this.render();
  }

  /** One action, then the panel again (and the page told, so the timeline follows). */
  async act(path, body, done) {
    try {
      await request('POST', `${base(this.family.number)}${path}`, { body: body ?? {} });
      this.status.textContent = done;
      this.dispatchEvent(new CustomEvent('ot-family-changed', { bubbles: true }));
      await this.load();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.status.textContent = error.message;
    }
  }

  render() {
    const { members, my_role: myRole, invitable } = this.family;
    const active = members.filter((m) => m.status === 'active');
    const pending = members.filter((m) => m.status !== 'active');
    fill(this, el('section', { className: 'family', attrs: { 'aria-labelledby': 'family-title' } },
      el('h2', { id: 'family-title', textContent: t('family_title') }),
      el('ul', { className: 'task-list family__members' }, active.map((m) => this.memberItem(m, myRole))),
      active.length === 1 ? el('p', { className: 'muted', textContent: t('family_alone') }) : null,
      pending.length ? el('h3', { textContent: t('family_pending') }) : null,
      pending.length ? el('ul', { className: 'task-list family__pending' }, pending.map((m) => this.pendingItem(m))) : null,
      myRole === 'lead' && invitable.length ? this.inviteList(invitable) : null,
      this.leaveButton(active, myRole), this.status));
  }

  memberItem(member, myRole) {
    const label = [member.name, member.is_me ? t('family_you') : ''].join('');
    const handOver = myRole === 'lead' && member.role === 'co_handler'
      ? el('button', { type: 'button', className: 'button button--secondary button--small', textContent: t('family_hand_over'),
        attrs: { 'aria-label': t('family_hand_over_to', { name: member.name }) },
        on: { click: () => window.confirm(t('family_hand_over_confirm', { name: member.name }))
          && this.act('/lead', { member_id: member.id }, t('family_handed_over', { name: member.name })) } })
      : null;
    return el('li', { className: 'task-list__item', dataset: { member: member.name } },
      el('span', { className: 'task-list__name', textContent: label }),
      el('strong', { className: `tag ${member.role === 'lead' ? 'tag--green' : ''}`, textContent: t(`family_role_${member.role}`) }),
      el('span', { className: 'task-list__meta', textContent: relationText(member.relation) }), handOver);
  }

  pendingItem(member) {
    const answer = member.status === 'requested'
      ? el('div', { className: 'button-group' },
        el('button', { type: 'button', className: 'button button--small', textContent: t('family_accept'),
          attrs: { 'aria-label': t('family_accept_name', { name: member.name }) },
          on: { click: () => this.act(`/members/${member.id}/accept`, null, t('family_accepted', { name: member.name })) } }),
        el('button', { type: 'button', className: 'button button--secondary button--small', textContent: t('family_decline'),
          on: { click: () => this.act(`/members/${member.id}/decline`, null, t('family_declined', { name: member.name })) } }))
      : null;
    const state = member.status === 'invited' && !member.signed_up ? 'family_status_invited_later' : `family_status_${member.status}`;
    return el('li', { className: 'task-list__item', dataset: { member: member.name } },
      el('span', { className: 'task-list__name', textContent: member.name }),
      el('strong', { className: 'tag tag--yellow', textContent: t(state) }),
      el('span', { className: 'task-list__meta', textContent: relationText(member.relation) }), answer);
  }

  inviteList(invitable) {
    return el('div', {}, el('h3', { textContent: t('family_invite_heading') }),
      el('p', { className: 'field__hint', textContent: t('family_invite_hint') }),
      el('ul', { className: 'task-list family__invitable' }, invitable.map((r) => el('li', { className: 'task-list__item' },
        el('span', { className: 'task-list__name', textContent: r.name }),
        el('span', { className: 'task-list__meta', textContent: [relationText(r.relation), r.signed_up ? '' : t('family_not_signed_up')].filter(Boolean).join(' · ') }),
        el('button', { type: 'button', className: 'button button--small', textContent: t('family_invite'),
          attrs: { 'aria-label': t('family_invite_name', { name: r.name }) },
          on: { click: () => this.act('/members/invitations', { relative_ref: r.ref }, t('family_invited', { name: r.name })) } })))));
  }

  leaveButton(active, myRole) {
    const me = active.find((m) => m.is_me);
    if (!me || myRole === 'lead') return null;
    return el('p', {}, el('button', { type: 'button', className: 'button button--secondary', textContent: t('family_leave'),
      on: { click: () => window.confirm(t('family_leave_confirm')) && this.act('/members/leave', null, t('family_left')) } }));
  }
}

customElements.define('ot-family-panel', FamilyPanel);
