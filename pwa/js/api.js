// The one HTTP client of the PWA: every call to the BFF goes through here, one function per operation.
// State-changing calls send the CSRF header; errors arrive as ApiError with the BFF's envelope
// {code, status, message, errors: {json: {field: [msg]}}}.
import { currentLanguage } from './i18n.js';

export class ApiError extends Error {
  constructor(status, body = {}) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.code ?? status;
    this.body = body;
  }

  /** {field: "first message"} from the envelope's errors (json, query or form locations). */
  get fieldErrors() {
    const out = {};
    for (const location of Object.values(this.body.errors || {})) {
      for (const [field, messages] of Object.entries(location || {})) {
        out[field] = Array.isArray(messages) ? String(messages[0]) : typeof messages === 'string' ? messages
          : Object.values(messages).flat().join(' ');
      }
    }
    return out;
  }
}

export const isOffline = (error) => error instanceof TypeError || error?.offline === true;

/** fetch with the house rules; returns {data, etag, status}. */
export async function request(method, path, { body, headers = {}, signal } = {}) {
  const init = { method, credentials: 'same-origin', signal,
    headers: { Accept: 'application/json', 'X-Language': currentLanguage(), ...headers } };
  if (method !== 'GET' && method !== 'HEAD') init.headers['X-OneThing-CSRF'] = '1';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { message: text }; }
  if (response.status === 403 && data?.reason === 'mandate_ended') { // the banner says so and goes
    window.dispatchEvent(new CustomEvent('ot:acting', { detail: { ended: data.message } }));
  }
  if (!response.ok) throw new ApiError(response.status, data || {});
  return { data, etag: response.headers.get('ETag'), status: response.status };
}

const get = async (path, opts) => (await request('GET', path, opts)).data;
const send = async (method, path, body, opts = {}) => (await request(method, path, { ...opts, body })).data;
const q = (params) => {
  const s = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  return s.toString() ? `?${s}` : '';
};
const id = encodeURIComponent;
const staffHeaders = (grant) => ({ headers: { 'X-Staff-Grant': grant } });

/** A multipart upload (one file) with the same headers and errors as request(). */
async function uploadFile(path, file) {
  const body = new FormData();
  body.append('file', file, file.name);
  const response = await fetch(path, { method: 'POST', credentials: 'same-origin', body,
    headers: { Accept: 'application/json', 'X-Language': currentLanguage(), 'X-OneThing-CSRF': '1' } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const loginUrl = (next = location.pathname + location.search) => `/auth/login?next=${id(next)}`;

export const api = {
  // identity
  me: () => get('/api/v1/me'),
  updateMe: (patch) => send('PATCH', '/api/v1/me', patch),
  sessions: () => get('/api/v1/me/sessions'),
  requestMobileCode: (mobile) => send('POST', '/api/v1/me/mobile/code', { mobile }),
  confirmMobile: (code) => send('POST', '/api/v1/me/mobile', { code }),
  revokeSession: (sid) => send('DELETE', `/api/v1/me/sessions/${id(sid)}`),
  logout: () => send('POST', '/auth/logout'),
  // QR login: the kiosk creates and completes a ticket, the phone looks at and approves it
  createQrTicket: (credential) => send('POST', '/api/v1/auth/qr-tickets', credential ? { kiosk_credential: credential } : {}),
  qrTicket: (tid) => get(`/api/v1/auth/qr-tickets/${id(tid)}`),
  qrTicketStreamUrl: (tid) => `/api/v1/auth/qr-tickets/${id(tid)}/stream`,
  completeQrTicket: (tid) => send('POST', `/api/v1/auth/qr-tickets/${id(tid)}/complete`, {}),
  scanQrTicket: (tid) => send('POST', `/api/v1/auth/qr-tickets/${id(tid)}/scan`, {}),
  approveQrTicket: (tid, match) => send('POST', `/api/v1/auth/qr-tickets/${id(tid)}/approve`, { match }),
  rejectQrTicket: (tid) => send('POST', `/api/v1/auth/qr-tickets/${id(tid)}/deny`, {}),
  // catalog
  categories: () => get('/api/v1/categories'),
  bundles: (params = {}, opts = {}) => get(`/api/v1/bundles${q(params)}`, opts),
  bundle: (code) => get(`/api/v1/bundles/${id(code)}`),
  subjects: (code) => get(`/api/v1/bundles/${id(code)}/subjects`),
  bundleForm: (code, subject) => get(`/api/v1/bundles/${id(code)}/form${q({ subject })}`),
  checkForm: (code, subject, answers) => send('POST', `/api/v1/bundles/${id(code)}/form/check${q({ subject })}`, { answers }),
  fieldLabels: () => get('/api/v1/fields'),
  nameCheck: (name) => get(`/api/v1/name-check${q({ name })}`),
  // drafts: an application with status "draft", saved with its version as ETag / If-Match
  drafts: () => get('/api/v1/applications/drafts'),
  startDraft: (body) => request('POST', '/api/v1/applications', { body }),
  draft: (number) => request('GET', `/api/v1/applications/${id(number)}`),
  saveDraft: (number, answers, etag) => request('PATCH', `/api/v1/applications/${id(number)}`,
    { body: { answers }, headers: { 'If-Match': etag } }),
  deleteDraft: (number) => send('DELETE', `/api/v1/applications/${id(number)}`),
  submit: (number, version, idempotencyKey) => send('POST', `/api/v1/applications/${id(number)}/submit`,
    { version }, { headers: { 'Idempotency-Key': idempotencyKey } }),
  // submitted applications
  applications: () => get('/api/v1/applications'),
  application: (number) => get(`/api/v1/applications/${id(number)}`),
  receiptQrUrl: (number) => `/api/v1/applications/${id(number)}/receipt/qr.svg`,
  timeline: (number) => get(`/api/v1/applications/${id(number)}/timeline`),
  withdraw: (number, reason) => send('POST', `/api/v1/applications/${id(number)}/withdraw`, { reason }),
  supplement: (number, reference, body) => send('POST', `/api/v1/applications/${id(number)}/cases/${id(reference)}/supplement`, body),
  rating: (number) => get(`/api/v1/applications/${id(number)}/rating`),
  rate: (number, body) => send('POST', `/api/v1/applications/${id(number)}/rating`, body),
  certificates: () => get('/api/v1/certificates'),
  certificate: (number) => get(`/api/v1/certificates/${id(number)}`),
  certificateDownloadUrl: (number) => `/api/v1/certificates/${id(number)}/download`,
  // heirs' consent and the documents the law needs
  myConsents: () => get('/api/v1/me/consents'),
  consent: (cid) => get(`/api/v1/consents/${id(cid)}`),
  answerConsent: (cid, decision, undertaking) => send('POST', `/api/v1/consents/${id(cid)}/decision`, { decision, undertaking }),
  applicationConsents: (number) => get(`/api/v1/applications/${id(number)}/consents`),
  uploads: (number) => get(`/api/v1/applications/${id(number)}/uploads`),
  upload: (number, code, file) => uploadFile(`/api/v1/applications/${id(number)}/uploads/${id(code)}`, file),
  // notifications and live events
  inbox: (params = {}) => get(`/api/v1/inbox${q(params)}`),
  unreadCount: () => get('/api/v1/inbox/unread-count'),
  markRead: (nid) => send('POST', `/api/v1/inbox/${id(nid)}/read`, {}),
  markAllRead: () => send('POST', '/api/v1/inbox/read-all', {}),
  eventsStreamUrl: '/api/v1/events/stream',
  events: (after) => get(`/api/v1/events${q({ after })}`),
  notificationPreferences: () => get('/api/v1/notifications/preferences'),
  saveNotificationPreferences: (body) => send('PUT', '/api/v1/notifications/preferences', body),
  pushKey: () => get('/api/v1/push/public-key'),
  subscribePush: (subscription) => send('POST', '/api/v1/push/subscriptions', subscription),
  unsubscribePush: (deviceId) => send('DELETE', `/api/v1/push/subscriptions/${id(deviceId)}`),
  // officer workbench
  officerCases: (params = {}) => get(`/api/v1/officer/cases${q(params)}`),
  officerCase: (reference) => get(`/api/v1/officer/cases/${id(reference)}`),
  officerAction: (reference, action, body = {}) => send('POST', `/api/v1/officer/cases/${id(reference)}/${action}`, body),
  // service desk: the grant from opening a resident goes in X-Staff-Grant (kept in memory by the page only)
  staffPurposes: () => get('/api/v1/staff/purposes'),
  staffSearch: (query) => send('POST', '/api/v1/staff/search', { query }),
  staffFollowUps: () => get('/api/v1/staff/follow-ups'),
  staffOpen: (rid, reason) => send('POST', `/api/v1/staff/residents/${id(rid)}/access`, reason),
  staffClose: (rid, grant) => send('DELETE', `/api/v1/staff/residents/${id(rid)}/access`, undefined, staffHeaders(grant)),
  staffProfile: (rid, grant) => get(`/api/v1/staff/residents/${id(rid)}`, staffHeaders(grant)),
  staffReveal: (rid, grant, field) => send('POST', `/api/v1/staff/residents/${id(rid)}/reveal`, { field }, staffHeaders(grant)),
  staffTimeline: (rid, grant, params = {}) => get(`/api/v1/staff/residents/${id(rid)}/timeline${q(params)}`, staffHeaders(grant)),
  /** The timeline's live hints (SSE read with fetch, so the grant stays a header): the open Response. */
  staffTimelineStream: async (rid, grant, lastEventId, signal) => {
    const headers = { Accept: 'text/event-stream', 'X-Staff-Grant': grant, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) };
    const response = await fetch(`/api/v1/staff/residents/${id(rid)}/timeline/stream`, { credentials: 'same-origin', cache: 'no-store', headers, signal });
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
    return response;
  },
  staffApplication: (rid, grant, number) => get(`/api/v1/staff/residents/${id(rid)}/applications/${id(number)}`, staffHeaders(grant)),
  staffNotes: (rid, grant) => get(`/api/v1/staff/residents/${id(rid)}/notes`, staffHeaders(grant)),
  staffAddNote: (rid, grant, body) => send('POST', `/api/v1/staff/residents/${id(rid)}/notes`, body, staffHeaders(grant)),
  staffEscalate: (rid, grant, reference, text) => send('POST', `/api/v1/staff/residents/${id(rid)}/cases/${id(reference)}/escalate`, { text }, staffHeaders(grant)),
  staffResend: (rid, grant, nid) => send('POST', `/api/v1/staff/residents/${id(rid)}/notifications/${id(nid)}/resend`, {}, staffHeaders(grant)),
  staffEndSessions: (rid, grant) => send('POST', `/api/v1/staff/residents/${id(rid)}/sessions/end`, {}, staffHeaders(grant)),
  staffRatingFollowUp: (rid, grant, number) => send('POST', `/api/v1/staff/residents/${id(rid)}/ratings/${id(number)}/follow-up`, {}, staffHeaders(grant)),
  accessLog: (before) => get(`/api/v1/me/access-log${q({ before })}`),
};
