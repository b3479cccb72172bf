// How the resident view's actions fail: a lost grant or session is the page's to handle (it asks
// for a reason again, or shows the signed-out screen); any other API error is shown as an alert.
import { ApiError } from '../api.js';

/** Errors the page itself handles (lost grant, signed out) pass through; others become an alert. */
export async function guarded(fn) {
  try { return await fn(); } catch (error) {
    if (error instanceof ApiError && !error.grantEnded && !error.signedOut) window.alert(error.message);
    throw error;
  }
}

/** The message of an API error a form shows itself; a lost grant, a lost session or a bug is rethrown. */
export function formError(error) {
  if (!(error instanceof ApiError) || error.grantEnded || error.signedOut) throw error;
  return error.message;
}
