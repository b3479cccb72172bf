// One e-certificate (电子证照) as its holder sees it: the title, the issuing department's full name
// (in both languages, as printed on paper certificates), the holder (masked), number, dates, and a
// verification QR code large enough for a phone camera at arm's length. It prints on one page
// (css/certificate.css, loaded with this page, holds the print rules); the PDF is the download.
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { currentLanguage, formatDate, pick, t } from '../i18n.js';
import '../components/qr-code.js';

const STYLESHEET = new URL('../../css/certificate.css', import.meta.url).href;

/** The page's own stylesheet (kept out of the first load), resolved once it has applied. */
function loadStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return Promise.resolve();
  return new Promise((resolve) => {
    document.head.append(el('link', { rel: 'stylesheet', href: STYLESHEET, on: { load: resolve, error: resolve } }));
  });
}

const row = (label, ...value) => el('div', { className: 'summary__row' }, el('dt', { textContent: t(label) }), el('dd', {}, ...value));

function issuer(certificate) {
  const other = currentLanguage() === 'en' ? 'zh-CN' : 'en';
  return [pick(certificate, 'issuer_name'),
    el('span', { className: 'certificate__other', lang: other, textContent: certificate.issuer_name?.[other] || '' })];
}

function facts(certificate) {
  return el('dl', { className: 'summary certificate__facts' },
    row('certificate_number', certificate.number),
    row('certificate_holder', certificate.holder || '—'),
    row('certificate_issuer', ...issuer(certificate)),
    row('certificate_issued_on', formatDate(certificate.issued_on)),
    certificate.revoked_on ? row('certificate_revoked_on', formatDate(certificate.revoked_on)) : null);
}

export async function render({ main, params }) {
  const [certificate] = await Promise.all([api.certificate(params.number), loadStylesheet()]);
  const valid = certificate.valid;
  const print = el('button', { type: 'button', className: 'button', textContent: t('certificate_print'), on: { click: () => window.print() } });
  fill(main,
    el('article', { className: 'certificate', attrs: { 'aria-labelledby': 'certificate-title' } },
      el('p', { className: 'certificate__kind', textContent: t('certificate_kind') }),
      el('h1', { id: 'certificate-title', textContent: pick(certificate, 'title') }),
      el('p', { className: `certificate__badge certificate__badge--${valid ? 'valid' : 'revoked'}`, textContent: t(valid ? 'certificate_valid' : 'certificate_revoked') }),
      facts(certificate),
      el('figure', { className: 'certificate__qr' },
        el('ot-qr', { attrs: { value: certificate.verify_url, label: t('certificate_qr_label', { number: certificate.number }) } }),
        el('figcaption', { textContent: t('certificate_qr_caption') }))),
    el('div', { className: 'button-group' }, print,
      el('a', { className: 'button button--secondary', href: api.certificateDownloadUrl(certificate.number), download: `${certificate.number}.pdf`, textContent: t('certificate_download') }),
      el('a', { href: '/app/applications', textContent: t('certificate_back') })));
}
