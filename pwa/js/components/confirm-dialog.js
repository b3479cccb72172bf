// confirmAction({title, body, confirm}): a modal <dialog> asking to confirm an audited action.
// Resolves true on confirm, false on cancel or Escape; focus returns to where it was.
import { el } from '../dom.js';
import { t } from '../i18n.js';

let counter = 0;

export function confirmAction({ title, body, confirm, warning = false }) {
  const returnTo = document.activeElement;
  const titleId = `confirm-title-${++counter}`;
  return new Promise((resolve) => {
    const dialog = el('dialog', { className: 'dialog', attrs: { 'aria-labelledby': titleId } },
      el('h2', { id: titleId, textContent: title }),
      body ? el('p', { textContent: body }) : null,
      el('div', { className: 'button-group' },
        el('button', { type: 'button', className: `button${warning ? ' button--warning' : ''}`, textContent: confirm,
          on: { click: () => dialog.close('yes') } }),
        el('button', { type: 'button', className: 'button button--secondary', textContent: t('confirm_cancel'),
          on: { click: () => dialog.close('no') } })));
    dialog.addEventListener('close', () => {
      dialog.remove();
      returnTo?.focus?.();
      resolve(dialog.returnValue === 'yes');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
