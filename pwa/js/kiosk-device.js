// An enrolled hall kiosk's device credential. An administrator's enrolment gives a setup link
// /kiosk#kiosk-credential=…; opened once on the kiosk, the credential is kept in this browser's
// localStorage (the part after # never reaches a server or its logs) and sent when the kiosk asks
// for a QR login code, so the resident's phone can name the hall. It belongs to the device, not to
// a resident: a kiosk sign-out that wipes everything else keeps it.
const KEY = 'onething-kiosk-credential';
const FRAGMENT = /^#kiosk-credential=([A-Za-z0-9_-]{20,100})$/;

/** Takes a credential from the setup link's fragment (then removes it from the address bar). */
export function adoptFromSetupLink() {
  const found = FRAGMENT.exec(location.hash);
  if (!found) return;
  localStorage.setItem(KEY, found[1]);
  history.replaceState(null, '', location.pathname + location.search);
}

export function kioskCredential() {
  return localStorage.getItem(KEY);
}

/** Clears local storage except this device's credential. */
export function clearAllButCredential() {
  const credential = kioskCredential();
  localStorage.clear();
  if (credential) localStorage.setItem(KEY, credential);
}
