// A visit recorded without a connection (decision 89). No library, no service worker: the page the
// worker opened keeps working when the connection drops, and what she types is held in this
// browser only encrypted (AES-GCM), with a key the server keeps for her sign-ins (agencies.offline)
// and gives to the page, which holds it in memory as a non-extractable key. The device never stores
// the key. An idle sign-out keeps both the key and what is held: signed in again, it is read and
// sent. An explicit sign-out ends the key and wipes what was held (this script, then the server's
// Clear-Site-Data). Held typing older than URA_OFFLINE_HOURS is deleted, and only then.
//
// static/ura/keep.js uses window.uraOffline: hold() while offline, flush() when the connection
// returns, which sends what was held as the author's kept form (her private draft on the server).
(() => {
  const DB = "ura-offline";
  const STORE = "held";

  function request(operation) {
    return new Promise((resolve, reject) => {
      operation.onsuccess = () => resolve(operation.result);
      operation.onerror = () => reject(operation.error);
    });
  }

  async function withStore(mode, work) {
    const opening = indexedDB.open(DB, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE, { keyPath: "id" });
    const db = await request(opening);
    try {
      const store = db.transaction(STORE, mode).objectStore(STORE);
      return await request(work(store));
    } finally {
      db.close();
    }
  }

  const wipe = () => request(indexedDB.deleteDatabase(DB)).catch(() => undefined);

  const all = () => withStore("readonly", (store) => store.getAll()).catch(() => []);
  const remove = (id) => withStore("readwrite", (store) => store.delete(id));

  async function expireOld(maxAge) {
    const now = Date.now();
    for (const record of await all()) {
      if (now - record.began > maxAge) await remove(record.id);
    }
  }

  const session = document.getElementById("ura-session");
  if (!session) {
    // Signed out: perhaps by the idle time-out, and what was held is sent once she signs in again.
    // Only what is older than the limit goes (an explicit sign-out wiped the rest already).
    const limit = document.getElementById("ura-offline-hours");
    if (limit) expireOld(Number(limit.dataset.offlineHours) * 3600 * 1000);
    return;
  }
  const text = session.dataset;
  const maxAge = Number(text.offlineHours || 8) * 3600 * 1000;
  const page = crypto.randomUUID();  // one held record per page opened
  let key = null;  // a CryptoKey, not extractable, in memory only

  let loading = null;  // the key's request in flight: one at a time, shared by who asks meanwhile

  function loadKey() {
    if (key) return Promise.resolve(key);
    if (!loading) loading = fetchKey().finally(() => { loading = null; });
    return loading;
  }

  async function fetchKey() {
    try {
      const response = await fetch(text.offlineKeyUrl, { credentials: "same-origin", redirect: "manual" });
      if (!response.ok) return null;
      const raw = Uint8Array.from(atob((await response.json()).key), (c) => c.charCodeAt(0));
      key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
      raw.fill(0);
    } catch (error) {
      return null;
    }
    return key;
  }

  const began = Date.now();

  // Hold what the form holds now, encrypted; false if the page never had the key.
  async function hold(form, fields) {
    if (!key) return false;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = JSON.stringify({ path: location.pathname, fields, changes: form.dataset.offlineChanges || "" });
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plain));
    await withStore("readwrite", (store) => store.put({ id: page, began, at: Date.now(), iv, data }));
    return true;
  }

  async function read(record) {
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, key, record.data);
      return JSON.parse(new TextDecoder().decode(plain));
    } catch (error) {
      return null;  // an ended key's (an explicit sign-out, revoked sign-ins, the limit): unreadable
    }
  }

  // Send everything held as the author's kept forms; returns what was sent ({path, changes, keptAt})
  // and how many held records cannot be read (kept until the limit, not deleted quietly).
  async function flush(csrf) {
    await expireOld(maxAge);
    const records = (await all()).sort((a, b) => a.at - b.at);  // the latest of a page is sent last
    const sent = [];
    let unreadable = 0;
    if (!records.length || !(await loadKey())) return { sent, unreadable };
    for (const record of records) {
      const held = await read(record);
      if (!held) {
        unreadable += 1;
        continue;
      }
      let response;
      try {
        response = await fetch(text.keepUrl, {
          method: "POST", credentials: "same-origin", redirect: "manual",
          body: JSON.stringify({ path: held.path, fields: held.fields }),
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        });
      } catch (error) {
        break;  // still no connection: held as it was
      }
      // Deleted only once the server said it kept it (a 2xx answer in JSON). Anything else (signed
      // out: a redirect or a 401; too large: 413) leaves this one and the rest held for next time.
      let keptAt = null;
      if (response.ok) keptAt = await response.json().then((answer) => answer.kept_at, () => null);
      if (!keptAt) break;
      await remove(record.id);
      sent.push({ path: held.path, changes: held.changes, keptAt });
    }
    return { sent, unreadable };
  }

  const pending = async () => (await all()).length > 0;

  window.uraOffline = { hold, flush, pending, loadKey, wipe };

  document.addEventListener("DOMContentLoaded", async () => {
    await expireOld(maxAge);
    if (document.querySelector("form[data-offline]") || (await pending())) await loadKey();
    setInterval(() => expireOld(maxAge), 60 * 1000);
    // Signing out on purpose wipes what is held here first (the server's Clear-Site-Data does it again).
    for (const form of document.querySelectorAll(`form[action="${text.logoutUrl}"]`)) {
      form.addEventListener("submit", async (event) => {
        if (form.dataset.wiped) return;
        event.preventDefault();
        key = null;
        await wipe();
        form.dataset.wiped = "1";
        form.requestSubmit();
      });
    }
  });
})();
