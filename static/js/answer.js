// The answer form's character counter: "1 234 de 20 000 caracteres", turning red with how
// much to cut once the text is over the limit. Progressive only: without JavaScript the
// server checks the length and keeps the text in the form. The sentences come from the
// textarea's data-counter / data-counter-over attributes, in the page's language.
(function () {
  "use strict";
  var fields = document.querySelectorAll("textarea[data-max-chars]");
  Array.prototype.forEach.call(fields, function (field) {
    var limit = parseInt(field.getAttribute("data-max-chars"), 10);
    var normal = field.getAttribute("data-counter") || "";
    var over = field.getAttribute("data-counter-over") || normal;
    if (!limit || !normal) {
      return;
    }
    var counter = document.createElement("p");
    counter.className = "form-text answer-counter";
    counter.id = field.id + "-counter";
    field.insertAdjacentElement("afterend", counter);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    var wasOver = false;

    function update() {
      // The server counts line breaks as one character, as the browser's value does.
      var count = field.value.length;
      var isOver = count > limit;
      var sentence = (isOver ? over : normal)
        .replace("%(count)s", count.toLocaleString())
        .replace("%(limit)s", limit.toLocaleString())
        .replace("%(over)s", (count - limit).toLocaleString());
      counter.textContent = sentence;
      counter.classList.toggle("answer-counter-over", isOver);
      // Announce only the crossing of the limit, not every keystroke.
      if (isOver !== wasOver) {
        counter.setAttribute("role", isOver ? "alert" : "status");
        wasOver = isOver;
      }
    }

    field.addEventListener("input", update);
    update();
  });
})();
