// /app/login-failed?reason=…: where the BFF sends a browser whose sign-in did not complete
// (cancelled at the provider, expired, opened in another browser, provider down …). Only the
// stable reason travels in the URL; the words come from the catalogs.
import { loginUrl } from '../api.js';
import { el, fill } from '../dom.js';
import { has, t } from '../i18n.js';

export async function render({ main, query }) {
  const reason = query.get('reason') || '';
  const key = has(`login_failed_${reason}`) ? `login_failed_${reason}` : 'login_failed_other';
  fill(main, el('h1', { textContent: t('login_failed_title') }),
    el('p', { className: 'lead', textContent: t(key) }),
    el('div', { className: 'button-group' },
      el('a', { className: 'button', href: loginUrl('/'), textContent: t('login_failed_again') }),
      el('a', { href: '/', textContent: t('back_home') })));
}
