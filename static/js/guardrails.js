// Guardrails: under every <textarea data-guardrails="<network>">, show the words the
// organization's rules catch, highlighted, with the reason, as the person types.
// The server answers (POST data-guardrails-url, default /governance/check/live/) with the
// same code that checks the text when it is submitted, so the two never disagree.
// Offsets in the answer count Unicode code points; they are mapped onto the text with
// Array.from, so emoji before a match do not shift the highlight.
// Optional: data-guardrails-network="#id-of-a-select" takes the network from a select.
// Without JavaScript nothing is lost: the server still refuses a blocked text.
(function () {
  "use strict";
  var DELAY = 350;
  var DEFAULT_URL = "/governance/check/live/";

  function csrfToken(area) {
    var form = area.form;
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function networkOf(area) {
    var selector = area.getAttribute("data-guardrails-network");
    var select = selector ? document.querySelector(selector) : null;
    if (select) { return select.value; }
    return area.getAttribute("data-guardrails") || "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // The text cut into pieces, each with the strongest action that covers it.
  function pieces(text, matches) {
    var chars = Array.from(text);
    var marks = new Array(chars.length);
    matches.forEach(function (m) {
      for (var i = Math.max(0, m.start); i < Math.min(m.end, chars.length); i++) {
        if (marks[i] !== "block") { marks[i] = m.action; }
      }
    });
    var out = [];
    var start = 0;
    for (var i = 1; i <= chars.length; i++) {
      if (i === chars.length || marks[i] !== marks[start]) {
        out.push({ text: chars.slice(start, i).join(""), action: marks[start] || "" });
        start = i;
      }
    }
    return out;
  }

  function render(box, area, text, data) {
    var summary = box.querySelector(".guardrails-summary");
    var preview = box.querySelector(".guardrails-preview-text");
    var list = box.querySelector(".guardrails-list");
    while (preview.firstChild) { preview.removeChild(preview.firstChild); }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var matches = data.matches || [];
    summary.textContent = data.summary || "";
    summary.classList.toggle("is-blocked", !!data.blocked);
    var marked = matches.some(function (m) { return m.end > m.start; });
    preview.hidden = !marked;
    if (marked) {
      pieces(text, matches).forEach(function (piece) {
        if (piece.action) {
          var mark = el("mark", "guardrails-" + piece.action, piece.text);
          preview.appendChild(mark);
        } else {
          preview.appendChild(document.createTextNode(piece.text));
        }
      });
    }
    var listed = {};
    matches.forEach(function (m) {
      if (listed[m.message]) { return; }  // a term found twice is one line
      listed[m.message] = true;
      list.appendChild(el("li", "guardrails-item-" + m.action, m.message));
    });
    box.hidden = !text.trim();
    if (data.blocked) { area.setAttribute("aria-invalid", "true"); }
    else if (!area.closest(".has-error")) { area.removeAttribute("aria-invalid"); }
    area.setAttribute("data-guardrails-blocked", data.blocked ? "true" : "false");
  }

  function setUp(area, index) {
    var url = area.getAttribute("data-guardrails-url") || DEFAULT_URL;
    var box = el("div", "guardrails-preview");
    box.id = area.id ? area.id + "-guardrails" : "guardrails-" + index;
    box.setAttribute("aria-live", "polite");
    box.hidden = true;
    box.appendChild(el("p", "guardrails-summary"));
    var preview = el("div", "guardrails-preview-text");
    preview.hidden = true;
    box.appendChild(preview);
    box.appendChild(el("ul", "guardrails-list"));
    area.insertAdjacentElement("afterend", box);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + box.id);

    var timer = null;
    var sequence = 0;
    function check() {
      var text = area.value;
      if (!text.trim()) { box.hidden = true; return; }
      sequence += 1;
      var mine = sequence;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRFToken": csrfToken(area),
          "X-Requested-With": "XMLHttpRequest"
        },
        body: JSON.stringify({ network: networkOf(area), text: text })
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        if (mine !== sequence || area.value !== text) { return; }  // the text moved on
        render(box, area, text, data);
      }).catch(function () { /* the server still checks on submit */ });
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(check, DELAY);
    }
    area.addEventListener("input", schedule);
    var selector = area.getAttribute("data-guardrails-network");
    var select = selector ? document.querySelector(selector) : null;
    if (select) { select.addEventListener("change", check); }
    if (area.value.trim()) { check(); }
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-guardrails]"), setUp);
})();
