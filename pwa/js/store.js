// A tiny IndexedDB key-value store, for drafts typed offline (never for anything the server owns).
const DB = 'onething';
const STORE = 'kv';
let opening;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function run(mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
  });
}

export const get = (key) => run('readonly', (s) => s.get(key));
export const set = (key, value) => run('readwrite', (s) => s.put(value, key));
export const del = (key) => run('readwrite', (s) => s.delete(key));
export const clear = () => run('readwrite', (s) => s.clear());

/** Every [key, value] whose key starts with prefix. */
export async function entries(prefix) {
  const keys = await run('readonly', (s) => s.getAllKeys());
  const wanted = keys.filter((k) => String(k).startsWith(prefix));
  return Promise.all(wanted.map(async (k) => [k, await get(k)]));
}
