// The staff session ends after 15 minutes without input (auth/sessions.py); the page notices on its
// own so the screen does not keep showing a resident until the server's next check.
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'];
const CHECK_EVERY_MS = 15000;

/** Calls onIdle() when limitMs have passed without pointer, key, wheel or touch input (checked every 15 s). Returns stop(). */
export function watchIdle(limitMs, onIdle) {
  let lastActivity = Date.now();
  const markActive = () => { lastActivity = Date.now(); };
  ACTIVITY.forEach((name) => document.addEventListener(name, markActive, { passive: true }));
  const timer = setInterval(() => { if (Date.now() - lastActivity >= limitMs) onIdle(); }, CHECK_EVERY_MS);
  return () => {
    clearInterval(timer);
    ACTIVITY.forEach((name) => document.removeEventListener(name, markActive));
  };
}
