// Settings: language, elder mode (长辈版), notifications, where I am signed in.
import { api, ApiError, loginUrl } from '../api.js';
import { el, fill } from '../dom.js';
import { currentLanguage, formatDate, has, pick, t } from '../i18n.js';

function radio(name, value, label, checked, onChange, lang) {
  const id = `${name}-${value}`;
  return el('div', { className: 'choice' },
    el('input', { type: 'radio', id, name, value, checked, on: { change: onChange } }),
    el('label', { htmlFor: id, textContent: label, lang }));
}

const emit = (name, detail) => window.dispatchEvent(new CustomEvent(name, { detail }));

export async function render({ main, session }) {
  await session.ready;
  const elder = document.documentElement.classList.contains('elder');
  const language = el('fieldset', {}, el('legend', { textContent: t('settings_language') }),
    radio('language', 'zh-CN', '中文（简体）', currentLanguage() === 'zh-CN', () => emit('ot:set-language', 'zh-CN'), 'zh-CN'),
    radio('language', 'en', 'English', currentLanguage() === 'en', () => emit('ot:set-language', 'en'), 'en'));
  const elderBox = el('div', { className: 'choice' },
    el('input', { type: 'checkbox', id: 'elder', checked: elder, attrs: { 'aria-describedby': 'elder-hint' },
      on: { change: (e) => emit('ot:set-elder', e.target.checked) } }),
    el('label', { htmlFor: 'elder', textContent: t('settings_elder_label') }));
  const parts = [
    el('h1', { textContent: t('nav_settings') }),
    el('h2', { textContent: t('settings_display') }), language,
    el('fieldset', {}, el('legend', { textContent: t('elder_mode') }),
      el('p', { className: 'field__hint', id: 'elder-hint', textContent: t('settings_elder_hint') }), elderBox),
  ];
  if (!session.me) {
    parts.push(el('p', {}, el('a', { className: 'button', href: loginUrl(), textContent: t('sign_in') })));
    fill(main, ...parts);
    return;
  }
  const notifications = el('div');
  const preferences = el('div');
  const sessions = el('div');
  const accessLog = el('div');
  const mandates = (session.me.roles || []).includes('resident') ? el('div') : null; // 委托代办
  parts.push(el('h2', { textContent: t('settings_notifications') }), notifications, preferences,
    el('h2', { textContent: t('settings_sessions') }), sessions,
    el('h2', { id: 'access-log-title', textContent: t('access_log_title') }), accessLog,
    mandates && el('h2', { id: 'mandates-title', textContent: t('mandates_title') }), mandates,
    mandates && el('h2', { id: 'proactive-title', textContent: t('proactive_title') }), mandates && el('div', { id: 'proactive-settings' }),
    el('h2', { textContent: t('settings_account') }),
    el('dl', { className: 'summary' }, row(t('settings_name'), session.me.name), row(t('settings_id_number'), session.me.id_number || '—'),
      row(t('settings_mobile'), session.me.mobile || '—', el('a', { href: '/app/settings/mobile', textContent: t('mobile_change_link') }))),
    el('button', { type: 'button', className: 'button button--secondary', textContent: t('sign_out'), on: { click: () => emit('ot:logout') } }));
  fill(main, ...parts);
  await Promise.all([renderNotifications(notifications), renderPreferences(preferences), renderSessions(sessions), renderAccessLog(accessLog),
    mandates && import('./settings-mandates.js').then((m) => m.renderMandates(mandates)),
    mandates && import('./offers.js').then((m) => m.renderSettings(main.querySelector('#proactive-settings')))]);
}

function row(label, value, action = null) {
  return el('div', { className: 'summary__row' }, el('dt', { textContent: label }), el('dd', { textContent: value }, action ? ' ' : null, action));
}

async function renderPreferences(box) {
  let prefs;
  try { prefs = await api.notificationPreferences(); } catch { box.replaceChildren(); return; }
  const kinds = prefs.available_kinds.map((k, i) => el('div', { className: 'choice' },
    el('input', { type: 'checkbox', id: `kind-${i}`, name: 'kind', value: k.kind, checked: prefs.kinds.includes(k.kind), disabled: !k.can_turn_off }),
    el('label', { htmlFor: `kind-${i}`, textContent: k.title })));
  const channels = ['push', 'sms'].map((c) => el('div', { className: 'choice' },
    el('input', { type: 'checkbox', id: `channel-${c}`, name: 'channel', value: c, checked: prefs.channels.includes(c) }),
    el('label', { htmlFor: `channel-${c}`, textContent: t(`channel_${c}`) })));
  const start = el('input', { type: 'time', id: 'quiet-start', value: prefs.quiet_hours?.start || '' });
  const end = el('input', { type: 'time', id: 'quiet-end', value: prefs.quiet_hours?.end || '' });
  const status = el('p', { attrs: { role: 'status', 'aria-live': 'polite' } });
  const form = el('form', { noValidate: true, on: { submit: async (event) => {
    event.preventDefault();
    const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    const body = { kinds: checked('kind'), channels: checked('channel'),
      quiet_hours: start.value && end.value ? { start: start.value, end: end.value } : null };
    try { await api.saveNotificationPreferences(body); status.textContent = t('prefs_saved'); } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      status.textContent = error.message;
    }
  } } },
  el('fieldset', {}, el('legend', { textContent: t('prefs_kinds') }), ...kinds),
  el('fieldset', {}, el('legend', { textContent: t('prefs_channels') }), ...channels),
  el('fieldset', {}, el('legend', { textContent: t('prefs_quiet') }), el('p', { className: 'field__hint', textContent: t('prefs_quiet_hint') }),
    el('div', { className: 'filters' },
      el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'quiet-start', textContent: t('prefs_quiet_start') }), start),
      el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'quiet-end', textContent: t('prefs_quiet_end') }), end))),
  status, el('button', { type: 'submit', className: 'button button--secondary', textContent: t('prefs_save') }));
  box.replaceChildren(form);
}

async function renderNotifications(box) {
  const push = await import('../push.js');
  const status = await push.pushStatus().catch(() => 'unsupported');
  const state = el('p', { attrs: { role: 'status' }, textContent: t(`push_${status}`) });
  const toggle = async (action, event) => {
    event.target.disabled = true; // one attempt at a time: the browser's push service may take its time
    try { await action(); } catch (error) {
      state.textContent = error instanceof ApiError ? error.message : t(error?.name === 'PushTimeout' ? 'push_timeout' : 'push_failed');
      event.target.disabled = false;
      return;
    }
    await renderNotifications(box);
    box.querySelector('[role=status]').focus?.();
  };
  const button = status === 'on'
    ? el('button', { type: 'button', className: 'button button--secondary', textContent: t('push_turn_off'), on: { click: (event) => toggle(push.disablePush, event) } })
    : status === 'off' ? el('button', { type: 'button', className: 'button', textContent: t('push_turn_on'), on: { click: (event) => toggle(push.enablePush, event) } }) : null;
  fill(box, el('p', { className: 'field__hint', textContent: t('push_explain') }), state, button);
}

async function renderSessions(box) {
  let list = [];
  try { list = (await api.sessions()).sessions || []; } catch (error) { fill(box, el('p', { textContent: error.message })); return; }
  const items = list.map((s) => el('li', { className: 'task-list__item' },
    el('span', { className: 'task-list__name', textContent: s.device || t('settings_unknown_device') }),
    s.current ? el('strong', { className: 'tag tag--green', textContent: t('settings_this_device') })
      : el('button', { type: 'button', className: 'button button--secondary', textContent: t('settings_end_session'),
        attrs: { 'aria-label': `${t('settings_end_session')}: ${s.device || ''}` },
        on: { click: async () => { await api.revokeSession(s.id); await renderSessions(box); } } }),
    el('span', { className: 'task-list__meta', textContent: t('settings_session_meta', { place: s.place || '—', time: formatDate(s.last_seen, true) }) })));
  fill(box, el('ul', { className: 'task-list' }, items));
}

// "Who viewed my data": every look and reveal by the service desk (or a department officer), when and why.
async function renderAccessLog(box, before = undefined) {
  let page;
  try { page = await api.accessLog(before); } catch (error) { fill(box, el('p', { textContent: error.message })); return; }
  const items = page.items.map((entry) => el('li', { className: 'task-list__item', dataset: { count: String(entry.count || 1) } },
    el('span', { className: 'task-list__name', textContent: t(`access_log_${entry.action}`, { name: accessWho(entry), what: accessWhat(entry) }) }),
    el('span', { textContent: accessWhy(entry) }),
    el('span', { className: 'task-list__meta' }, ...accessWhen(entry))));
  let list = box.querySelector('ul');
  if (!before) {
    list = el('ul', { className: 'task-list', attrs: { 'aria-labelledby': 'access-log-title' } });
    fill(box, el('p', { className: 'field__hint', textContent: t('access_log_explain') }), list);
  }
  list.append(...items);
  if (!before && !items.length) list.replaceWith(el('p', { textContent: t('access_log_empty') }));
  box.querySelector('.access-log__more')?.remove();
  if (page.next_before) {
    box.append(el('button', { type: 'button', className: 'button button--secondary access-log__more', textContent: t('access_log_more'),
      on: { click: () => renderAccessLog(box, page.next_before) } }));
  }
}

function accessWhat(entry) {
  const named = (entry.whats?.length ? entry.whats : [entry.what]).map((what) => (has(`staff_view_${what}`) ? t(`staff_view_${what}`)
    : has(`staff_field_${what}`) ? t(`staff_field_${what}`) : what));
  const what = new Intl.ListFormat(currentLanguage(), { type: 'conjunction' }).format(named);
  return entry.application ? `${what}（${entry.application}）` : what;
}

// The person, and where they work: an officer's department, or 客服 for the service desk.
function accessWho(entry) {
  return entry.who ? t('access_log_who', { name: entry.staff_name, who: pick(entry, 'who') }) : entry.staff_name;
}

function accessWhy(entry) {
  const detail = [entry.ticket, entry.reason].filter(Boolean).join(' · ');
  return detail ? t('access_log_why', { purpose: pick(entry, 'purpose_text'), detail }) : t('access_log_why_plain', { purpose: pick(entry, 'purpose_text') });
}

// One look: when. Several the same day: how many, from the first to the last (its time only).
function accessWhen(entry) {
  if (!(entry.count > 1)) return [el('time', { dateTime: entry.at, textContent: formatDate(entry.at, true) })];
  const lastTime = new Intl.DateTimeFormat(currentLanguage(), { timeStyle: 'short' }).format(new Date(entry.at));
  return [el('time', { dateTime: entry.first_at, textContent: formatDate(entry.first_at, true) }), '–',
    el('time', { dateTime: entry.at, textContent: lastTime }), ` · ${t('access_log_times', { count: entry.count })}`];
}
