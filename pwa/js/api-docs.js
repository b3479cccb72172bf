// An offline OpenAPI viewer (no CDN): reads /api/openapi.json and lists every path and method with
// its parameters, request body and responses; schemas are expanded from components.
import { el, fill } from './dom.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
let spec;

function resolve(node) {
  let current = node;
  const seen = new Set();
  while (current?.$ref && !seen.has(current.$ref)) {
    seen.add(current.$ref);
    current = current.$ref.replace(/^#\//, '').split('/').reduce((acc, part) => acc?.[part], spec);
  }
  return current || {};
}

const refName = (node) => node?.$ref?.split('/').pop();

/** A schema as a nested list: property, type, required, description. */
function schemaView(node, depth = 0) {
  const schema = resolve(node);
  const name = refName(node);
  if (depth > 4) return el('span', { textContent: name || schema.type || 'object' });
  if (schema.type === 'array') return el('span', {}, 'array of ', schemaView(schema.items || {}, depth + 1));
  const props = Object.entries(schema.properties || {});
  if (!props.length) {
    const extra = schema.enum ? ` (${schema.enum.join(' | ')})` : schema.format ? ` (${schema.format})` : '';
    return el('code', { textContent: `${name || schema.type || 'any'}${extra}` });
  }
  const required = new Set(schema.required || []);
  return el('div', {}, name ? el('code', { textContent: name }) : null, el('ul', { className: 'schema' }, props.map(([prop, sub]) => {
    const subSchema = resolve(sub);
    return el('li', {}, el('code', { textContent: prop }), required.has(prop) ? el('strong', { textContent: ' required' }) : null,
      subSchema.readOnly ? el('span', { className: 'muted', textContent: ' read-only' }) : null, ' — ', schemaView(sub, depth + 1),
      subSchema.description ? el('span', { className: 'muted', textContent: ` ${subSchema.description}` }) : null);
  })));
}

function parameters(list) {
  if (!list.length) return null;
  return el('table', {}, el('caption', { className: 'visually-hidden', textContent: 'Parameters' }),
    el('thead', {}, el('tr', {}, ['Parameter', 'In', 'Required', 'Type', 'Description'].map((h) => el('th', { scope: 'col', textContent: h })))),
    el('tbody', {}, list.map(resolve).map((p) => el('tr', {}, el('td', {}, el('code', { textContent: p.name })), el('td', { textContent: p.in }),
      el('td', { textContent: p.required ? 'yes' : 'no' }), el('td', {}, schemaView(p.schema || {})), el('td', { textContent: p.description || '' })))));
}

function body(requestBody) {
  if (!requestBody) return null;
  const resolved = resolve(requestBody);
  return el('div', {}, el('h4', { textContent: `Request body${resolved.required ? ' (required)' : ''}` }),
    Object.entries(resolved.content || {}).map(([type, media]) => el('div', {}, el('p', {}, el('code', { textContent: type })), schemaView(media.schema || {}))));
}

function responses(map) {
  return el('div', {}, el('h4', { textContent: 'Responses' }), el('dl', {}, Object.entries(map || {}).flatMap(([code, response]) => {
    const resolved = resolve(response);
    const media = Object.values(resolved.content || {})[0];
    return [el('dt', {}, el('code', { textContent: code }), ` ${resolved.description || ''}`), el('dd', {}, media ? schemaView(media.schema || {}) : null)];
  })));
}

function operation(path, method, op, shared) {
  return el('details', { className: 'operation', dataset: { search: `${method} ${path} ${op.summary || ''}`.toLowerCase() } },
    el('summary', {}, el('strong', { textContent: method.toUpperCase() }), ' ', el('code', { textContent: path }), op.summary ? ` — ${op.summary}` : ''),
    op.description ? el('p', { textContent: op.description }) : null,
    parameters([...shared, ...(op.parameters || [])]), body(op.requestBody), responses(op.responses));
}

async function start() {
  const main = document.getElementById('main');
  try {
    spec = await (await fetch('/api/openapi.json', { headers: { Accept: 'application/json' } })).json();
  } catch {
    fill(main, el('h1', { textContent: '开放接口 API' }), el('p', { textContent: '无法读取接口描述，请联网后重试。 The API description could not be loaded.' }));
    return;
  }
  const groups = new Map((spec.tags || []).map((tag) => [tag.name, { tag, ops: [] }]));
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const tag = item[method].tags?.[0] || 'other';
      if (!groups.has(tag)) groups.set(tag, { tag: { name: tag }, ops: [] });
      groups.get(tag).ops.push(operation(path, method, item[method], item.parameters || []));
    }
  }
  const search = el('input', { type: 'search', id: 'api-search', autocomplete: 'off' });
  const count = el('p', { className: 'muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  const sections = [...groups.values()].filter((g) => g.ops.length).map(({ tag, ops }) => el('section', { className: 'api-group' },
    el('h2', { textContent: tag.name }), tag.description ? el('p', { textContent: tag.description }) : null, ...ops));
  const filter = () => {
    const words = search.value.trim().toLowerCase();
    let shown = 0;
    for (const details of main.querySelectorAll('details.operation')) {
      details.hidden = Boolean(words) && !details.dataset.search.includes(words);
      if (!details.hidden) shown++;
    }
    for (const section of main.querySelectorAll('section.api-group')) section.hidden = !section.querySelector('details:not([hidden])');
    count.textContent = `${shown} operations`;
  };
  search.addEventListener('input', filter);
  fill(main, el('h1', {}, `${spec.info.title} `, el('span', { className: 'muted', textContent: `${spec.info.version} · OpenAPI ${spec.openapi}` })),
    el('p', {}, '机器可读版本 Machine-readable: ', el('a', { href: '/api/openapi.json', textContent: '/api/openapi.json' })),
    el('div', { className: 'field' }, el('label', { className: 'field__label', htmlFor: 'api-search', textContent: '筛选 Filter (path, method, summary)' }), search),
    count, ...sections);
  filter();
}

start();
