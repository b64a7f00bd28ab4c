// Nothing typed is lost (decision 76). Progressive enhancement: without this file every form still
// works, and a form sent after the idle time-out is still kept by the server.
//
// - A form marked data-keep is kept on the server, for its author alone, a moment after each change
//   (agencies.kept); it is given back when the page is opened again, and forgotten once it went
//   through (the script marks it: ura_kept=1).
// - Signed in, the idle time-out is announced a minute ahead in a dialog that lets the worker stay.
// - After signing in again (#ura-restore), the form sent when the session had ended is given back.
// - Without a connection (decision 89), a form marked data-offline is held in this browser,
//   encrypted (static/ura/offline.js), and kept on the server when the connection returns; what
//   others recorded on the case meanwhile is then shown above it.
(() => {
  const session = document.getElementById("ura-session");
  if (!session) return;  // signed out: nothing to keep
  const text = session.dataset;
  const keepUrl = text.keepUrl;
  const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  const DELAY = 1500;
  const RESTORE_WAIT = 15000;  // a slow connection's answer, not one that will never come

  // Not typed by the worker (tokens, buttons, hidden state) or not to be kept (files, passwords).
  const skipped = (element) => !element.name || ["file", "password", "hidden", "submit", "button", "reset"].includes(element.type);

  function fieldsOf(form) {
    const fields = {};
    for (const element of form.elements) {
      if (skipped(element) || element.name === "ura_kept") continue;
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        fields[element.name] = fields[element.name] || [];
        continue;
      }
      const values = element.multiple ? [...element.selectedOptions].map((o) => o.value) : [element.value];
      fields[element.name] = [...(fields[element.name] || []), ...values];
    }
    return fields;
  }

  // Filling the form from what the server kept is not typing: its change event (for the parts shown
  // for one answer) must not send the same fields back, nor replace the message telling why they are
  // there.
  let filling = false;

  // The fields the worker changed on this page, by form: a restore arriving after she began typing
  // (on a slow connection, it takes a while) does not undo her typing.
  const changed = new WeakMap();
  const textual = (element) => element.tagName === "TEXTAREA" || ["text", "search", "email", "tel", "url"].includes(element.type);

  function fill(form, fields) {
    const hers = changed.get(form) || new Set();
    for (const element of form.elements) {
      if (skipped(element) || !(element.name in fields)) continue;
      const values = fields[element.name];
      if (hers.has(element.name)) {
        // Changed here while the kept form was on its way: a text keeps both, the kept one first;
        // any other choice stays hers.
        const kept = values[0] || "";
        if (textual(element) && kept && !element.value.includes(kept)) {
          element.value = element.value ? `${kept}${element.tagName === "TEXTAREA" ? "\n\n" : " "}${element.value}` : kept;
        }
        continue;
      }
      if (element.type === "checkbox" || element.type === "radio") element.checked = values.includes(element.value);
      else if (element.multiple) [...element.options].forEach((o) => { o.selected = values.includes(o.value); });
      else element.value = values[0] || "";
    }
    filling = true;
    try {
      form.dispatchEvent(new Event("change", { bubbles: true }));  // the parts shown for one answer
    } finally {
      filling = false;
    }
  }

  function say(form, message) {
    let status = form.querySelector(".ura-kept-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "ura-kept-status small text-body-secondary mt-2";
      status.setAttribute("role", "status");
      form.append(status);
    }
    status.textContent = message;
  }

  const time = (iso) => new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });

  const offline = window.uraOffline;
  let blanked = false;  // the idle time-out emptied the form offline: what is held is the latest
  let heldHere = false;  // this page held something while offline

  // Holding is done one at a time, in the order asked. The idle time-out's holding, emptying the
  // form and saying so is one turn: a keep falling due meanwhile (its dialog took the focus, which
  // is a change) then finds the form held and emptied, instead of saying "held" over its message.
  let turns = Promise.resolve();
  function inTurn(work) {
    const done = turns.then(work);
    turns = done.catch(() => undefined);
    return done;
  }

  // No connection: hold what is typed in this browser, encrypted, until it returns.
  const hold = (form) => inTurn(() => holdNow(form));

  async function holdNow(form) {
    if (blanked) return true;
    if (!given) {
      // Held now, it would be sent later as the kept form, over what the server kept and the page
      // never got back: it stays on the screen, and the page asks again when the connection returns.
      say(form, text.notKeptText);
      return false;
    }
    const held = offline && form.hasAttribute("data-offline") && (await offline.hold(form, fieldsOf(form)));
    say(form, held ? text.heldText : text.notKeptText);
    heldHere = heldHere || held;
    return held;
  }

  // The page's restore of what the server kept: a keep waits for it, or it would replace what was
  // kept with a form not yet given it back. Not given back (no answer): asked again before a keep
  // and when the connection returns; until it is, nothing of the form is kept or held, only said.
  let restoring = Promise.resolve();
  let given = true;
  let toldBack = false;
  let restoreForm = null;

  async function send(form) {
    await restoring;
    if (!given) await (restoring = restore(form, toldBack));
    if (!given) return hold(form);
    if (!navigator.onLine) return hold(form);
    const body = JSON.stringify({ path: location.pathname, fields: fieldsOf(form) });
    try {
      const response = await fetch(keepUrl, {
        method: "POST", body, credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      });
      if (response.ok) {
        say(form, text.keptText.replace("%(time)s", time((await response.json()).kept_at)));
        idle.restart();
      } else say(form, text.notKeptText);
    } catch (error) {
      await hold(form);
    }
  }

  // What others recorded on the case since the page was opened, shown above the form.
  async function showChanges(form, url) {
    if (!url) return;
    try {
      const response = await fetch(url, { credentials: "same-origin", redirect: "manual" });
      if (!response.ok) return;
      const box = document.createElement("div");
      box.innerHTML = await response.text();
      document.querySelectorAll("[data-changes-since]").forEach((old) => old.remove());
      if (box.firstElementChild) form.before(box.firstElementChild);
    } catch (error) {
      // the connection dropped again: what was sent is kept; the changes show next time
    }
  }

  // The connection is back: the form on the page is held once more as it is now, then everything
  // held is sent as the author's kept forms. True when the form on this page was told it was kept.
  // One at a time, shared by who asks meanwhile (the "online" event and the time-out both do).
  let reconnecting = null;
  function reconnect() {
    if (!reconnecting) reconnecting = reconnectNow().finally(() => { reconnecting = null; });
    return reconnecting;
  }

  async function reconnectNow() {
    if (!offline || !(await offline.pending())) return false;
    const form = document.querySelector("form[data-offline]");
    // Asked in turn: the idle time-out may be emptying the form meanwhile, and what it held before
    // emptying it is what is to be sent, not the emptied form.
    if (form && heldHere) await inTurn(() => !blanked && offline.hold(form, fieldsOf(form)));
    const { sent: sentAll, unreadable } = await offline.flush(csrf);
    if (unreadable) {
      const notice = document.createElement("p");
      notice.className = "alert alert-warning";
      notice.setAttribute("role", "alert");
      notice.textContent = text.unreadableText;
      document.querySelectorAll("[data-offline-unreadable]").forEach((old) => old.remove());
      notice.dataset.offlineUnreadable = "";
      document.getElementById("main").prepend(notice);
    }
    let told = false;
    for (const sent of sentAll) {
      if (form && sent.path === location.pathname) {
        say(form, text.sentText.replace("%(time)s", time(sent.keptAt)));
        told = true;
        await showChanges(form, sent.changes);
      } else {
        const notice = document.createElement("p");
        notice.className = "alert alert-info";
        notice.setAttribute("role", "status");
        const link = Object.assign(document.createElement("a"), { href: sent.path, textContent: text.sentElsewhereLink });
        notice.append(`${text.sentElsewhereText} `, link);
        document.getElementById("main").prepend(notice);
      }
    }
    if (await offline.pending()) {
      if (form) say(form, text.notKeptText);  // still held, tried again in a minute
      return false;
    }
    idle.restart();
    return told;
  }

  // Give back what the server kept of this form. After a sign-in that sent what was held offline,
  // the form is filled with it and the message stays the one saying so (check it, then record it).
  // One asking at a time, shared by who asks meanwhile: two answers would put the kept text in twice.
  let asking = null;
  function restore(form, told = false) {
    if (!asking) asking = restoreNow(form, told).finally(() => { asking = null; });
    return asking;
  }

  // AbortSignal.timeout is newer than the rest the page needs (Safari 16): made by hand where missing.
  function timeout(ms) {
    if (AbortSignal.timeout) return AbortSignal.timeout(ms);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), ms);
    return controller.signal;
  }

  async function restoreNow(form, told) {
    given = false;
    toldBack = told;
    try {
      const response = await fetch(`${keepUrl}?path=${encodeURIComponent(location.pathname)}`, {
        credentials: "same-origin", signal: timeout(RESTORE_WAIT),
      });
      if (!response.ok) return;
      const kept = await response.json();
      given = true;
      if (!kept.fields) return;
      fill(form, kept.fields);
      if (!told) say(form, text.restoredText.replace("%(time)s", time(kept.kept_at)));
      if (changed.get(form)?.size) send(form);  // what she typed meanwhile, with what came back
    } catch (error) {
      // no answer: what the server kept stays kept; asked for again before the next keep
    }
  }

  function watch(form) {
    let timer = null;
    changed.set(form, new Set());
    const later = (event) => {
      if (filling) return;
      if (event.target.name) changed.get(form).add(event.target.name);
      clearTimeout(timer);
      timer = setTimeout(() => send(form), DELAY);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", (event) => {
      clearTimeout(timer);
      if (!navigator.onLine && form.hasAttribute("data-offline")) {
        // Sent now, the page would be lost to the browser's error page: held instead.
        event.preventDefault();
        hold(form).then((held) => held && say(form, text.heldSubmitText));
        return;
      }
      // The marker tells the server to forget the kept form once this one went through: not while
      // the page has not got it back (what it holds would be lost with it).
      if (given && !form.querySelector("input[name=ura_kept]")) {
        const marker = document.createElement("input");
        Object.assign(marker, { type: "hidden", name: "ura_kept", value: "1" });
        form.append(marker);
      }
    });
  }

  // The idle time-out, announced a minute ahead (the server signs out after data-idle-seconds).
  const dialog = document.getElementById("ura-idle");
  const idle = {
    timers: [],
    // At the page's load, what the server says is left (it stores the last-seen time at most once a
    // minute); after a keep or "Stay signed in", the whole time-out.
    restart(seconds = Number(text.idleSeconds)) {
      this.timers.forEach(clearTimeout);
      this.timers = [
        setTimeout(() => { if (!dialog.open) dialog.showModal(); }, Math.max(seconds - 60, 0) * 1000),
        setTimeout(() => this.expire(), seconds * 1000),
      ];
    },
    async expire() {
      // Keep what is on the page, then go to the sign-in page, which brings the worker back here.
      const form = document.querySelector("form[data-keep]");
      if (!navigator.onLine && form && form.hasAttribute("data-offline") && offline) {
        // Offline: held, then taken off the screen; signed out once the connection returns.
        if (dialog.open) dialog.close();
        await inTurn(async () => {
          if (!(await holdNow(form))) return;
          blanked = true;
          form.reset();
          // Signed out: what would be typed now could be neither kept nor held, so nothing can be.
          for (const element of form.elements) element.disabled = true;
          say(form, text.offlineSignedOutText);
        });
        // The connection may have returned while it held.
        if (navigator.onLine) return this.expire();
        window.addEventListener("online", () => this.expire(), { once: true });
        return;
      }
      if (offline && (await offline.pending())) await reconnect();
      else if (form && !blanked) await send(form);  // emptied by the time-out: what it held was sent
      // Signed out here, or the sign-in page would send a session still alive straight back.
      // Marked as the idle time-out's: the key and what is held here stay for after the sign-in.
      try {
        await fetch(text.logoutUrl, {
          method: "POST", credentials: "same-origin", redirect: "manual", body: new URLSearchParams({ ura_idle: "1" }),
          headers: { "X-CSRFToken": csrf() },
        });
      } catch (error) {
        setTimeout(() => this.expire(), 10 * 1000);  // no answer yet (the connection is barely back)
        return;
      }
      location.assign(`${text.loginUrl}?next=${encodeURIComponent(location.pathname + location.search + "#ura-restore")}`);
    },
  };
  dialog.querySelector("[data-stay]").addEventListener("click", async () => {
    const response = await fetch(text.aliveUrl, { method: "POST", credentials: "same-origin", redirect: "manual", headers: { "X-CSRFToken": csrf() } });
    dialog.close();
    if (response.status === 204) idle.restart(); else idle.expire();
  });
  dialog.addEventListener("cancel", () => dialog.querySelector("[data-stay]").click());

  // The connection is back, or the server did not answer: what the page never got back is asked
  // for first, then what was held is sent.
  async function retry() {
    if (restoreForm && !given) await (restoring = restore(restoreForm, toldBack));
    return reconnect();
  }
  window.addEventListener("online", retry);
  setInterval(() => navigator.onLine && retry(), 60 * 1000);

  document.addEventListener("DOMContentLoaded", () => {
    idle.restart(Number(text.idleSecondsLeft || text.idleSeconds));
    // Watched at once: what she types while the page sends what was held is hers from the start.
    const forms = [...document.querySelectorAll("form[data-keep]")];
    forms.forEach(watch);
    const again = location.hash === "#ura-restore";
    const form = forms[0] || (again && document.querySelector("main form[method=post]"));
    if (form && !forms.includes(form)) watch(form);  // a form sent when the session had ended
    if (again) history.replaceState(null, "", location.pathname + location.search);
    const giveBack = form && (again || !form.hasAttribute("data-keep-bound"));
    if (giveBack) [given, restoreForm] = [false, form];
    restoring = (async () => {
      let told = false;
      try {
        told = navigator.onLine && (await reconnect());  // held on a page that was closed: sent now
      } finally {
        if (giveBack) await restore(form, told);
      }
    })().catch(() => undefined);
  });
})();
