// Mandates (委托代办) over the BFF: grant, list, revoke; whom I may act for; acting for them.
// Kept beside api.js (same request function and house rules) so the mandate pages own their calls.
import { request } from './api.js';

const get = async (path) => (await request('GET', path)).data;
const send = async (method, path, body) => (await request(method, path, { body })).data;

export const mandatesApi = {
  mandates: () => get('/api/v1/me/mandates'),
  choices: () => get('/api/v1/me/mandates/choices'),
  grant: (body) => send('POST', '/api/v1/me/mandates', body),
  revoke: (mandateId) => send('POST', `/api/v1/me/mandates/${encodeURIComponent(mandateId)}/revoke`, {}),
  principals: () => get('/api/v1/me/principals'),
  actingAs: () => get('/api/v1/me/acting-as'),
  actFor: (principalUserId) => send('POST', '/api/v1/me/acting-as', { principal_user_id: principalUserId }),
  stopActing: () => send('DELETE', '/api/v1/me/acting-as'),
};
