// The family's consent on the application page: how each heir answered, the deadline, the state of
// the inheritance items and — when an heir declined or time ran out — the one document to upload.
import { api, ApiError } from '../api.js';
import { el } from '../dom.js';
import { formatDate, pick, t } from '../i18n.js';

/** The panel for application `number`, or null when no item of it waits for the heirs. */
export async function consentPanel(number, changed) {
  const consents = await api.applicationConsents(number).catch(() => null);
  if (!consents || consents.state === 'none') return null;
  return el('section', { className: 'consent-panel', attrs: { 'aria-labelledby': 'consent-panel-title' } },
    el('h2', { id: 'consent-panel-title', textContent: t('consent_panel_title') }),
    el('p', {}, el('strong', { className: 'tag', textContent: t(`consent_panel_${consents.state}`) }),
      consents.deadline && consents.state === 'pending' ? ` ${t('consent_deadline', { date: formatDate(consents.deadline) })}` : ''),
    el('ul', { className: 'task-list' }, consents.heirs.map((heir) => el('li', { className: 'task-list__item' },
      el('span', { className: 'task-list__name', textContent: `${t(`consent_relation_${heir.relation}`)} ${heir.name}` }),
      el('span', { className: 'task-list__meta', textContent: t(`consent_state_${heir.decision}`) })))),
    consents.uploads_needed.map((needed) => uploadForm(number, needed, changed)));
}

function uploadForm(number, needed, changed) {
  const inputId = `upload-${needed.code}`;
  const file = el('input', { type: 'file', id: inputId, name: 'file', accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png' });
  const error = el('p', { className: 'field__error', attrs: { role: 'alert' } });
  const status = el('p', { attrs: { role: 'status' } });
  const form = el('form', { className: 'upload-form', noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!file.files.length) { error.textContent = t('upload_choose_first'); file.focus(); return; }
    form.querySelector('button').disabled = true;
    status.textContent = t('upload_sending');
    try {
      await api.upload(number, needed.code, file.files[0]);
      status.textContent = t('upload_done');
      changed();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      status.textContent = '';
      error.textContent = e.message;
      form.querySelector('button').disabled = false;
    }
  } } },
  el('h3', { textContent: t('upload_title', { name: pick(needed, 'name') }) }),
  el('p', { textContent: t('upload_why') }),
  el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: inputId, textContent: t('upload_file_label') }),
    el('p', { className: 'field__hint', textContent: t('upload_hint') }), file),
  error, status, el('button', { type: 'submit', className: 'button', textContent: t('upload_send') }));
  return form;
}
