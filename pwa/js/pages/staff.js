// The service-desk page (/staff) is served by the shell; its search and timeline screens are not built yet.
import { el, fill } from '../dom.js';
import { t } from '../i18n.js';

export async function render({ main }) {
  fill(main, el('h1', { textContent: t('staff_title') }), el('p', { textContent: t('staff_soon') }));
}
