// Small DOM helpers shared by components and pages (no framework, no innerHTML with data).

/** el('a', {href, className}, child, …): props are DOM properties; `attrs` sets attributes; `on` adds listeners. */
export function el(tag, props = {}, ...children) {
  const { attrs, on, dataset, ...rest } = props;
  const node = Object.assign(document.createElement(tag), rest);
  for (const [name, value] of Object.entries(attrs || {})) if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : value);
  for (const [name, handler] of Object.entries(on || {})) node.addEventListener(name, handler);
  Object.assign(node.dataset, dataset || {});
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export const text = (value) => document.createTextNode(value ?? '');

/** Replaces node's children, skipping null/false (conditional parts of a page). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A heading + paragraph + optional link, for empty and error states. */
export function message(title, body, link) {
  return el('div', { className: 'message' }, el('h2', { textContent: title }), body ? el('p', { textContent: body }) : null, link || null);
}

let counter = 0;
export const uid = (prefix = 'id') => `${prefix}-${++counter}`;
