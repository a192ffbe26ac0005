// The email signature page: "Copy the signature" puts the signature on the clipboard as
// rich text (HTML, with a plain-text twin) so mail clients paste it formatted; where the
// browser cannot, the preview is selected and copied the old way.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("signature-copy");
    var preview = document.getElementById("signature-preview");
    var status = document.getElementById("signature-status");
    if (!button || !preview) { return; }
    var copied = button.getAttribute("data-copied-label") || "Copied";
    function done() { if (status) { status.textContent = copied; } }
    function selectAndCopy() {
      var range = document.createRange();
      range.selectNodeContents(preview);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { document.execCommand("copy"); done(); } catch (e) { /* the selection stays for Ctrl+C */ }
    }
    button.addEventListener("click", function () {
      var html = preview.innerHTML;
      if (navigator.clipboard && window.ClipboardItem && window.isSecureContext) {
        var item = new window.ClipboardItem({
          "text/html": new Blob([html], { type: "text/html" }),
          "text/plain": new Blob([preview.innerText], { type: "text/plain" })
        });
        navigator.clipboard.write([item]).then(done, selectAndCopy);
      } else { selectAndCopy(); }
    });
  });
})();
