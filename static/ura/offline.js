// A visit recorded without a connection (decision 89). No library, no service worker: the page the
// worker opened keeps working when the connection drops, and what she types is held in this
// browser only encrypted (AES-GCM), with a key the server keeps in her session and gives to the
// page, which holds it in memory as a non-extractable key. The device never stores the key: when
// the session ends (sign-out, idle time-out) it is gone, and so is what was held (Clear-Site-Data,
// and this script on a signed-out page). Held typing older than URA_OFFLINE_HOURS is deleted.
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

  const session = document.getElementById("ura-session");
  if (!session) {
    wipe();  // signed out: nothing typed offline outlives the session
    return;
  }
  const text = session.dataset;
  const maxAge = Number(text.offlineHours || 8) * 3600 * 1000;
  const page = crypto.randomUUID();  // one held record per page opened
  let key = null;  // a CryptoKey, not extractable, in memory only

  async function loadKey() {
    if (key) return key;
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

  const all = () => withStore("readonly", (store) => store.getAll()).catch(() => []);
  const remove = (id) => withStore("readwrite", (store) => store.delete(id));

  async function expireOld() {
    const now = Date.now();
    for (const record of await all()) {
      if (now - record.began > maxAge) await remove(record.id);
    }
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
      return null;  // an earlier key's (an earlier session, or older than the limit): unreadable
    }
  }

  // Send everything held as the author's kept forms; returns what was sent ({path, changes, keptAt}).
  async function flush(csrf) {
    await expireOld();
    const records = (await all()).sort((a, b) => a.at - b.at);  // the latest of a page is sent last
    if (!records.length || !(await loadKey())) return [];
    const sent = [];
    for (const record of records) {
      const held = await read(record);
      if (!held) {
        await remove(record.id);
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
        return sent;  // still no connection: held as it was
      }
      // After the idle time-out the server keeps it all the same and answers with the sign-in page.
      if (response.ok || response.type === "opaqueredirect") {
        await remove(record.id);
        const keptAt = response.ok ? (await response.json()).kept_at : new Date().toISOString();
        sent.push({ path: held.path, changes: held.changes, keptAt });
      }
    }
    return sent;
  }

  const pending = async () => (await all()).length > 0;

  window.uraOffline = { hold, flush, pending, loadKey, wipe };

  document.addEventListener("DOMContentLoaded", async () => {
    await expireOld();
    if (document.querySelector("form[data-offline]") || (await pending())) await loadKey();
    setInterval(expireOld, 60 * 1000);
    // Signing out wipes what is held here first (the server's Clear-Site-Data does it again).
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
