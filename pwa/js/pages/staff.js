// The service-desk page (/staff, desktop-first, role staff): find a resident by application number,
// mobile or ID number; open them with a reason (call ticket, or purpose + text); then the masked
// profile, the one timeline (live), the application with what only staff see, notes and actions.
// The working state and the grant live in staff/desk.js; the staff session ends after 15 minutes
// without input (staff/idle.js).
import { api } from '../api.js';
import { el, fill } from '../dom.js';
import { t } from '../i18n.js';
import { ServiceDesk } from '../staff/desk.js';

const HANDOVER_MS = 5000;
// Switching language draws the page again: the opened resident (and its grant) is handed from the
// old drawing to the new one through this variable, in memory only, for a few seconds at most.
let carried = null;

export async function render({ main, session }) {
  await session.ready;
  main.classList.add('main--wide');
  const roles = session.me?.roles || [];
  if (!roles.includes('staff') && !roles.includes('admin')) {
    fill(main, el('h1', { textContent: t('staff_title') }), el('p', { className: 'lead', textContent: t('staff_not_for_you') }),
      el('p', {}, el('a', { className: 'button', href: '/', textContent: t('back_home') })));
    return () => main.classList.remove('main--wide');
  }
  const names = await catalogNames();
  const { purposes } = await api.staffPurposes();
  const desk = new ServiceDesk(main, { names, purposes });
  const onLanguage = () => {
    const handed = desk.handOver();
    if (handed) carried = { ...handed, at: Date.now() };
  };
  window.addEventListener('ot:language', onLanguage);
  desk.draw();
  await reopenCarried(desk);
  return () => {
    window.removeEventListener('ot:language', onLanguage);
    desk.leave({ close: !carried });
    main.classList.remove('main--wide');
  };
}

/** Opens the resident handed over by the previous drawing: the same grant, no new reason, nothing closed. */
async function reopenCarried(desk) {
  if (carried && Date.now() - carried.at < HANDOVER_MS) {
    const { found, grant, resident } = carried;
    carried = null;
    try {
      await desk.open(found, { grant, resident });
    } catch (error) {
      if (!error?.grantEnded && !error?.signedOut) throw error; // those two are already on the page
    }
  }
  carried = null;
}

async function catalogNames() {
  const { bundles = [] } = await api.bundles().catch(() => ({}));
  const departments = {};
  for (const bundle of bundles) for (const d of bundle.departments || []) departments[d.code] = d;
  return { departments, bundles: Object.fromEntries(bundles.map((b) => [b.code, b])) };
}
