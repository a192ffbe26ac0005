// The "add a source" form: show only the fields the chosen kind of source needs (each field
// carries `feed-for` and one `kind-<kind>` class per kind that uses it). Without this script
// every field shows, each saying in its help which kind it is for. A hidden field is also
// disabled, so what it holds is not sent.
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  if (!kind) {
    return;
  }
  var fields = document.querySelectorAll(".feed-for");
  function apply() {
    var chosen = "kind-" + kind.value;
    fields.forEach(function (field) {
      var shown = field.classList.contains(chosen);
      field.hidden = !shown;
      field.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  }
  kind.addEventListener("change", apply);
  apply();
})();
