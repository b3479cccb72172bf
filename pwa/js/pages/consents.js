// Every consent request asked of me as an heir (/app/consents), newest first.
import { el, fill, message } from '../dom.js';
import { t } from '../i18n.js';
import { consentRequests } from '../components/consent-requests.js';

export async function render({ main }) {
  const list = await consentRequests({ all: true });
  fill(main, el('h1', { textContent: t('consent_list_title') }), list || message(t('consent_none'), t('consent_none_body')));
}
