// A new reminder shows without reloading: ask for the unread count every few seconds and replace
// the bell's badge (reminders:unread_count, one query). A signed-out or timed-out session answers
// with a redirect or a 401, which is left alone: the page keeps what it shows.
(function () {
  "use strict";
  var holder = document.querySelector("[data-unread-url]");
  if (!holder) return;
  var url = holder.getAttribute("data-unread-url");
  var seconds = parseInt(holder.getAttribute("data-poll-seconds"), 10) || 60;
  var shown = null;
  function poll() {
    if (document.hidden) return; // a tab in the background asks when it is looked at again
    fetch(url, { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("not now");
        return response.json();
      })
      .then(function (data) {
        if (data.count === shown) return;
        shown = data.count;
        holder.innerHTML = data.badge; // rendered by the server, in the user's language
      })
      .catch(function () {});
  }
  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", poll);
})();
