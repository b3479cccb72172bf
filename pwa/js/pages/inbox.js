// Messages: my notifications, newest first; opening one marks it read.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { formatDate, t } from '../i18n.js';

export async function render({ main }) {
  const { notifications, unread } = await api.inbox();
  const markAll = el('button', { type: 'button', className: 'button button--secondary', textContent: t('inbox_read_all'),
    on: { click: async () => { await api.markAllRead(); window.dispatchEvent(new Event('ot:inbox-read')); await render({ main }); } } });
  fill(main, el('h1', { textContent: t('nav_inbox') }),
    el('p', { attrs: { role: 'status' }, textContent: t('inbox_unread', { count: unread }) }),
    notifications.length ? el('ul', { className: 'task-list' }, notifications.map((n) => el('li', { className: 'task-list__item', dataset: { read: n.read_at ? '1' : '0' } },
      el('a', { className: 'task-list__name', href: n.link || (n.application_number ? `/app/applications/${n.application_number}` : '/app/applications'),
        textContent: n.read_at ? n.title : `● ${n.title}`, on: { click: () => { if (!n.read_at) api.markRead(n.id).then(() => window.dispatchEvent(new Event('ot:inbox-read'))).catch(() => {}); } } }),
      el('span', { className: 'task-list__meta', textContent: formatDate(n.created_at, true) })))) : el('p', { textContent: t('inbox_empty') }),
    unread ? markAll : null);
}
