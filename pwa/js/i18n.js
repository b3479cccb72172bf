// Message catalogs (pwa/i18n/<lang>.json) and the user's language. zh-CN is the default;
// English only when chosen (the choice is kept in localStorage and, when signed in, on the user).
export const LANGUAGES = ['zh-CN', 'en'];
const version = new URL(import.meta.url).pathname.split('/')[2];
let language = 'zh-CN';
let catalog = {};

export function currentLanguage() { return language; }

export function savedLanguage() {
  const saved = localStorage.getItem('lang');
  return LANGUAGES.includes(saved) ? saved : 'zh-CN';
}

export async function loadLanguage(lang) {
  const wanted = LANGUAGES.includes(lang) ? lang : 'zh-CN';
  const response = await fetch(`/static/${version}/i18n/${wanted}.json`);
  catalog = await response.json();
  language = wanted;
  localStorage.setItem('lang', wanted);
  // The BFF reads this cookie (or X-Language) for the language of its messages.
  document.cookie = `lang=${wanted}; path=/; SameSite=Lax`;
  document.documentElement.lang = wanted;
  return wanted;
}

export const has = (key) => key in catalog;

/** The string for key, with {name} placeholders filled from params. A numeric params.count picks
 * the plural form the catalog has for it: `key#0` for none, else `key#one`, `key#other`, … as
 * Intl.PluralRules names the count in this language; a catalog without forms keeps the plain key. */
export function t(key, params = {}) {
  const text = catalog[pluralKey(key, params.count)] ?? catalog[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

const pluralRules = {};
function pluralKey(key, count) {
  if (typeof count !== 'number') return key;
  if (count === 0 && `${key}#0` in catalog) return `${key}#0`;
  pluralRules[language] ??= new Intl.PluralRules(language);
  return `${key}#${pluralRules[language].select(count)}`;
}

/** Translates static markup: data-i18n="key" sets text, data-i18n-attr="aria-label:key;title:key" sets attributes. */
export function localize(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/** A localized field of an API object: {name_en}, {name: {"zh-CN", en}} or an already-localized string. */
export function pick(obj, field) {
  if (!obj) return '';
  const value = obj[field];
  if (language === 'en' && obj[`${field}_en`]) return obj[`${field}_en`];
  if (value && typeof value === 'object') return value[language] ?? value['zh-CN'] ?? value.zh ?? value.en ?? '';
  if (language !== 'en' && obj[`${field}_zh`]) return obj[`${field}_zh`];
  return value ?? '';
}

const dateFormats = {};
export function formatDate(value, withTime = false) {
  if (!value) return '';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const key = `${language}:${withTime}`;
  dateFormats[key] ??= new Intl.DateTimeFormat(language, withTime
    ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
  return dateFormats[key].format(date);
}
