// /app/scan — scan a QR code with the camera (BarcodeDetector where the browser has it) or type/paste
// the code. Login codes (…/app/qr/<id>) open the approval page; other links of this app open too.
import { el, fill } from '../dom.js';
import { t } from '../i18n.js';

/** The in-app path a scanned text points to, or null. */
export function pathFromCode(text) {
  const value = (text || '').trim();
  if (/^[A-Za-z0-9_-]{32}$/.test(value)) return `/app/qr/${value}`;
  try {
    const url = new URL(value, location.origin);
    if (url.origin === location.origin && /^\/app\/qr\/[A-Za-z0-9_-]{32}$/.test(url.pathname)) return url.pathname;
    if (url.origin === location.origin && (url.pathname === '/' || url.pathname.startsWith('/app/'))) return url.pathname + url.search;
  } catch { /* not a URL */ }
  return null;
}

export async function render({ main, navigate }) {
  const error = el('p', { className: 'field__error', id: 'code-error', hidden: true });
  const input = el('input', { type: 'text', id: 'code', name: 'code', autocomplete: 'off', attrs: { 'aria-describedby': 'code-hint' } });
  const open = (text) => {
    const path = pathFromCode(text);
    if (path) { navigate(path); return true; }
    error.hidden = false;
    error.textContent = t('scan_not_ours');
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'code-hint code-error');
    input.focus();
    return false;
  };
  const form = el('form', { on: { submit: (e) => { e.preventDefault(); open(input.value); } } },
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'code', textContent: t('scan_code_label') }),
      el('span', { className: 'field__hint', id: 'code-hint', textContent: t('scan_code_hint') }), error, input),
    el('button', { type: 'submit', className: 'button', textContent: t('scan_open') }));
  const cameraArea = el('div');
  fill(main, el('h1', { textContent: t('scan_title') }), cameraArea, el('h2', { textContent: t('scan_manual') }), form);

  if (!('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia) {
    cameraArea.append(el('p', { className: 'muted', textContent: t('scan_no_camera') }));
    return undefined;
  }
  let stream = null; let timer = null;
  const video = el('video', { className: 'scanner', muted: true, playsInline: true, attrs: { 'aria-label': t('scan_camera_label') } });
  const start = el('button', { type: 'button', className: 'button', textContent: t('scan_start'), on: { click: async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch {
      fill(cameraArea, el('p', { className: 'muted', textContent: t('scan_no_camera') }));
      return;
    }
    video.srcObject = stream;
    await video.play();
    start.hidden = true;
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    const look = async () => {
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length && open(codes[0].rawValue)) return;
      timer = setTimeout(look, 300);
    };
    look();
  } } });
  cameraArea.append(el('p', { textContent: t('scan_intro') }), start, video);
  return () => { clearTimeout(timer); stream?.getTracks().forEach((track) => track.stop()); };
}
