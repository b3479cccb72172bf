// The documents a case's item declares (e.g. the notarised inheritance certificate), for the
// officer's case detail: each opens through the BFF's access check, never from a cache.
import { el } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';

export function caseDocuments(documents) {
  if (!documents?.length) return null;
  return el('section', { className: 'case-documents' }, el('h3', { textContent: t('officer_documents') }),
    el('ul', { className: 'task-list' }, documents.map((d) => el('li', { className: 'task-list__item' },
      el('a', { className: 'task-list__name', href: d.url, target: '_blank', rel: 'noopener', textContent: t('officer_document_view', { name: pick(d, 'name') || d.code }) }),
      el('span', { className: 'task-list__meta', textContent: `${d.content_type} · ${Math.ceil(d.size / 1024)} KB · ${formatDate(d.uploaded_at, true)}` })))));
}
