// The proactive service over the BFF: what was prepared for me, accepting or declining it, automatic
// grants and objections, my choices. Kept beside api.js (same request function and house rules).
import { request } from './api.js';

const get = async (path) => (await request('GET', path)).data;
const send = async (method, path, body) => (await request(method, path, { body })).data;
const id = encodeURIComponent;

export const offersApi = {
  offers: () => get('/api/v1/offers'),
  accept: (offerId, answers) => send('POST', `/api/v1/offers/${id(offerId)}/accept`, { answers }),
  decline: (offerId) => send('POST', `/api/v1/offers/${id(offerId)}/decline`, {}),
  saveSettings: (body) => send('PUT', '/api/v1/offers/settings', body),
  object: (grantId, reason) => send('POST', `/api/v1/offers/grants/${id(grantId)}/objection`, { reason }),
};
