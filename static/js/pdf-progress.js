// The progress panel of a PDF being rendered (compendium, minutes): polls the staff-only JSON endpoint every 1.5 s and
// moves the bar; when the render has finished (done or failed) it reloads the page, which then
// shows the download link and the SHA-256, or the reason of the failure. Without JavaScript
// the page refreshes itself (<noscript> meta refresh) and offers a reload link.
(function () {
  "use strict";
  var panel = document.querySelector(".pdf-progress-panel[data-progress-url]");
  if (!panel || !window.fetch || panel.getAttribute("data-finished") === "true") {
    return;
  }
  var url = panel.getAttribute("data-progress-url");
  var bar = panel.querySelector("progress");
  var percent = panel.querySelector('[data-field="progress"]');
  var status = panel.querySelector('[data-field="status_label"]');
  var delay = 1500;

  function render(data) {
    if (bar) {
      bar.value = data.progress;
      bar.textContent = data.progress + " %";
    }
    if (percent && percent.textContent !== String(data.progress)) {
      percent.textContent = String(data.progress);
    }
    if (status && status.textContent !== data.status_label) {
      status.textContent = data.status_label;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        render(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, 10000);
      });
  }

  window.setTimeout(poll, delay);
})();
