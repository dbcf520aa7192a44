// Live parts of a page: an element with data-live-poll-ms is fetched again (the same URL with
// the X-Dashboard-Live header, which renders only that part) and swapped in, for as long as the
// server keeps marking it live: every few seconds while a rollout runs, slower while it waits,
// not at all once it is finished. No framework: a page works without this script too.
"use strict";
(function () {
  function schedule(region) {
    var delay = parseInt(region.getAttribute("data-live-poll-ms") || "0", 10);
    if (delay > 0) {
      window.setTimeout(function () { refresh(region); }, delay);
    }
  }

  function refresh(region) {
    // A hidden tab is not watched: poll again when it is shown (visibilitychange below).
    if (document.hidden) {
      region.setAttribute("data-live-paused", "true");
      return;
    }
    fetch(window.location.href, {
      headers: { "X-Dashboard-Live": region.id },
      credentials: "same-origin",
      cache: "no-store",
    }).then(function (response) {
      // Signed out meanwhile (the sign-in redirect was followed): show the sign-in page.
      if (response.redirected || response.status === 401) {
        window.location.reload();
        return null;
      }
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html === null || html === undefined) {
        schedule(region);
        return;
      }
      var holder = document.createElement("template");
      holder.innerHTML = html;
      var fresh = holder.content.getElementById(region.id);
      if (!fresh) {
        schedule(region);
        return;
      }
      region.replaceWith(fresh);
      schedule(fresh);
    }).catch(function () {
      schedule(region);  // a network blip: try again at the next tick
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { return; }
    document.querySelectorAll("[data-live-paused]").forEach(function (region) {
      region.removeAttribute("data-live-paused");
      refresh(region);
    });
  });

  // Forms that undo work (cancel) ask first; the question is the form's data-confirm.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.querySelectorAll("[data-live-poll-ms]").forEach(schedule);
})();
