// The "send invitations" progress panel of the invitation list in the admin: polls the
// staff-only JSON endpoint and updates the bar and the counts, without reloading the page.
// Without JavaScript the panel shows the counts of the moment the page was loaded.
(function () {
  "use strict";
  var panel = document.querySelector(".invitation-progress[data-progress-url]");
  if (!panel || !window.fetch) {
    return;
  }
  var url = panel.getAttribute("data-progress-url");
  var bar = panel.querySelector("progress");
  var text = panel.querySelector(".invitation-progress-text");
  var template = text ? text.textContent.trim() : "";
  var delay = 2000;
  var lastText = template;

  function render(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + " %";
    Object.keys(data.counts).forEach(function (status) {
      var cell = panel.querySelector('[data-status="' + status + '"]');
      if (cell) {
        cell.textContent = data.counts[status];
      }
    });
    if (text) {
      // Keep the page's language: only the numbers in the server's sentence change.
      var numbers = [data.done, data.total, data.percent];
      var index = 0;
      var updated = template.replace(/\d+/g, function (match) {
        return index < numbers.length ? String(numbers[index++]) : match;
      });
      if (updated !== lastText) {
        text.textContent = updated; // aria-live="polite" announces only real changes
        lastText = updated;
      }
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        render(data);
        // Quick while invitations wait in the queue, slow once everything has left.
        delay = data.waiting > 0 ? 2000 : 15000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, 30000);
      });
  }

  window.setTimeout(poll, delay);
})();
