/* The live view of a session's agreements (templates/agreements/live.html).
 *
 * htmx re-asks the fragment #live-agreements every few seconds; this file only tells
 * screen-reader users, politely and briefly, how many agreements changed ("3 acuerdos
 * actualizados") instead of letting them hear the whole list again, marks the changed rows
 * for sighted readers, and never moves the focus. Messages come translated from the page
 * (data-msg-* on #live-announce). No inline script or style: the CSP has no 'unsafe-inline'.
 */
(function () {
  "use strict";

  var before = null;

  function snapshot(fragment) {
    var rows = {};
    fragment.querySelectorAll("[data-agreement]").forEach(function (row) {
      rows[row.getAttribute("data-agreement")] = row.innerHTML;
    });
    return { rows: rows, state: fragment.getAttribute("data-state") };
  }

  function announce(text) {
    var region = document.getElementById("live-announce");
    if (!region || !text) {
      return;
    }
    // Emptied first so that the same message twice in a row is read twice.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  function message(region, count, stateChange) {
    var parts = [];
    if (count === 1) {
      parts.push(region.getAttribute("data-msg-one"));
    } else if (count > 1) {
      parts.push(region.getAttribute("data-msg-many").replace("{count}", String(count)));
    }
    if (stateChange) {
      parts.push(region.getAttribute("data-msg-" + stateChange));
    }
    return parts.join(". ");
  }

  document.addEventListener("DOMContentLoaded", function () {
    // The page says, without JavaScript, that it updates by reload; with it, that it
    // updates itself (a <noscript> would not do: a browser may run no script yet parse it).
    document.querySelectorAll(".live-hint-js").forEach(function (hint) {
      hint.hidden = false;
    });
    document.querySelectorAll(".live-hint-nojs").forEach(function (hint) {
      hint.hidden = true;
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "live-agreements" && event.detail.shouldSwap) {
      before = snapshot(target);
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var fragment = document.getElementById("live-agreements");
    var region = document.getElementById("live-announce");
    if (!before || !fragment || !region) {
      return;
    }
    var after = snapshot(fragment);
    var count = 0;
    Object.keys(after.rows).forEach(function (id) {
      if (before.rows[id] !== after.rows[id]) {
        count += 1;
        var row = fragment.querySelector('[data-agreement="' + id + '"]');
        if (row) {
          row.classList.add("agreement-changed");
        }
      }
    });
    Object.keys(before.rows).forEach(function (id) {
      if (!(id in after.rows)) {
        count += 1;
      }
    });
    var stateChange = before.state !== after.state ? after.state : null;
    before = null;
    announce(message(region, count, stateChange));
  });
})();
