// <ot-task-list>: the GOV.UK task-list pattern for per-department progress. Set .cases = [case, …]
// (the BFF's case progress: title, department_name, status, status_text, due_on, due_status,
// supplement, certificate); it raises 'ot-supplement' with the case when its action is pressed.
import { el } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';

const TAGS = { approved: 'tag--green', rejected: 'tag--red', supplement_requested: 'tag--yellow', withdrawn: 'tag--grey',
  submitted: 'tag--grey' };

class TaskList extends HTMLElement {
  set cases(list) { this._cases = list || []; this.render(); }

  render() {
    const items = this._cases.map((c) => {
      const nameId = `task-${c.reference}`;
      const meta = [pick(c, 'department_name')];
      if (c.due_on && !['approved', 'rejected', 'withdrawn'].includes(c.status)) {
        meta.push(t(c.due_status === 'overdue' ? 'task_overdue' : 'task_due', { date: formatDate(c.due_on) }));
      }
      const extra = [];
      if (c.status === 'supplement_requested' && c.supplement) {
        extra.push(el('p', { className: 'task-list__action' }, el('strong', { textContent: t('task_supplement_asked') }), ' ', c.supplement.message || ''),
          el('button', { type: 'button', className: 'button', textContent: t('task_supplement_button'),
            attrs: { 'aria-describedby': nameId }, on: { click: () => this.dispatchEvent(new CustomEvent('ot-supplement', { detail: c, bubbles: true })) } }));
      }
      if (c.decision?.reason) extra.push(el('p', { className: 'task-list__action', textContent: t('task_reason', { reason: c.decision.reason }) }));
      if (c.certificate) {
        extra.push(el('p', { className: 'task-list__action' }, el('a', { href: `/api/v1/certificates/${encodeURIComponent(c.certificate.number)}/download`,
          target: '_blank', textContent: t('task_certificate', { name: pick(c.certificate, 'title') || c.certificate.number }) })));
      }
      return el('li', { className: 'task-list__item', dataset: { status: c.status } },
        el('span', { className: 'task-list__name', id: nameId, textContent: pick(c, 'title') }),
        el('strong', { className: `tag ${TAGS[c.status] || ''}`, textContent: pick(c, 'status_text') || c.status }),
        el('span', { className: 'task-list__meta', textContent: meta.join(' · ') }), ...extra);
    });
    this.replaceChildren(el('ul', { className: 'task-list' }, items));
  }
}

customElements.define('ot-task-list', TaskList);
