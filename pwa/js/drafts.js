// Drafts on the server and on this device. Autosave PATCHes only the changed answers with the draft's
// ETag (If-Match); while offline the changes wait in IndexedDB ('pending:<number>') and are synced when
// the connection returns. A 412 (changed on another device) is merged field by field: what was typed
// here last wins for the fields typed here; everything else comes from the server.
import { api, ApiError, isOffline } from './api.js';
import * as store from './store.js';

const forms = new Map(); // number -> {draft, etag, form}
let activeSaver = null; // the saver of the draft on screen, if any

/** The draft and its combined form, from the server, else the copy kept on this device. */
export async function loadDraft(number) {
  try {
    const { data: draft, etag } = await api.draft(number);
    if (draft.status !== 'draft') return { draft, etag, form: null };
    const cached = forms.get(number);
    const [form, bundle] = cached?.form && cached.draft.subject_ref === draft.subject_ref ? [cached.form, cached.bundle]
      : await Promise.all([api.bundleForm(draft.bundle, draft.subject_ref || undefined), api.bundle(draft.bundle)]);
    const pending = await store.get(`pending:${number}`).catch(() => null);
    const entry = { draft: withPending(draft, pending), etag, form, bundle: { code: bundle.code, name: bundle.name } };
    forms.set(number, entry);
    store.set(`copy:${number}`, entry).catch(() => {});
    return entry;
  } catch (error) {
    if (!isOffline(error)) throw error;
    const entry = forms.get(number) || await store.get(`copy:${number}`);
    if (!entry) throw error;
    const pending = await store.get(`pending:${number}`).catch(() => null);
    return { ...entry, draft: withPending(entry.draft, pending), offline: true };
  }
}

function withPending(draft, pending) {
  return pending ? { ...draft, answers: { ...draft.answers, ...pending.answers } } : draft;
}

/** Drops the forms kept in memory (their prefill changed, e.g. the account's mobile). */
export function forgetForms() { forms.clear(); }

export function forget(number) {
  forms.delete(number);
  return Promise.all([store.del(`copy:${number}`), store.del(`pending:${number}`)]).catch(() => {});
}

/** After a server save: the copy in memory and on this device take the saved answers and the new
 * ETag, so an offline reload shows what the server holds (not the draft as it was first opened). */
async function saveCopy(number, etag, saved) {
  const entry = forms.get(number) || await store.get(`copy:${number}`).catch(() => null);
  if (!entry) return;
  entry.etag = etag;
  entry.draft = { ...entry.draft, answers: { ...entry.draft.answers, ...saved } };
  forms.set(number, entry);
  await store.set(`copy:${number}`, entry).catch(() => {});
}

/** Saves changes of one draft: debounced, one request at a time, offline-safe. */
export class DraftSaver {
  constructor(number, etag, onState) {
    Object.assign(this, { number, etag, onState, pending: {}, timer: null, running: null });
    activeSaver = this;
  }

  stop() { if (activeSaver === this) activeSaver = null; }

  change(answers) {
    Object.assign(this.pending, answers);
    store.set(`pending:${this.number}`, { answers: this.pending, etag: this.etag }).catch(() => {});
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), 700);
  }

  async flush() {
    clearTimeout(this.timer);
    if (this.running) await this.running;
    if (!Object.keys(this.pending).length) return true;
    this.running = this.save().finally(() => { this.running = null; });
    return this.running;
  }

  async save() {
    const sending = { ...this.pending };
    this.onState('saving');
    try {
      this.etag = await patchMerging(this.number, sending, this.etag);
      for (const [key, value] of Object.entries(sending)) if (this.pending[key] === value) delete this.pending[key];
      await saveCopy(this.number, this.etag, sending);
      if (Object.keys(this.pending).length) await store.set(`pending:${this.number}`, { answers: this.pending, etag: this.etag });
      else await store.del(`pending:${this.number}`);
      this.onState('saved');
      return true;
    } catch (error) {
      this.onState(isOffline(error) ? 'offline' : 'error', error);
      return false;
    }
  }
}

/** PATCH with If-Match; on 412 take the server's new ETag and send our changes again (once). */
async function patchMerging(number, answers, etag) {
  try {
    return (await api.saveDraft(number, answers, etag)).etag;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 412) throw error;
    const { etag: fresh } = await api.draft(number);
    return (await api.saveDraft(number, answers, fresh)).etag;
  }
}

/** Sends every draft change kept on this device while offline. */
export async function syncPendingDrafts() {
  if (activeSaver) await activeSaver.flush();
  const entries = await store.entries('pending:').catch(() => []);
  let synced = 0;
  for (const [key, { answers, etag }] of entries) {
    const number = key.slice('pending:'.length);
    if (activeSaver?.number === number && Object.keys(activeSaver.pending).length) continue; // it saves its own
    try {
      const newEtag = await patchMerging(number, answers, etag);
      await store.del(key);
      if (activeSaver?.number === number) { activeSaver.etag = newEtag; activeSaver.onState('saved'); }
      await saveCopy(number, newEtag, answers);
      synced++;
    } catch (error) {
      if (isOffline(error)) break;
      if (error instanceof ApiError && [404, 409, 410].includes(error.status)) await store.del(key);
    }
  }
  return synced;
}
