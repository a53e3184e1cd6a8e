// Copy buttons: no network, no library; falls back to selecting the text.
document.querySelectorAll("button.copy").forEach(function (b) {
  var code = b.parentNode.querySelector("code");
  // A name that says what is copied, unless the markup gave the button one.
  if (code && !b.hasAttribute("aria-label")) b.setAttribute("aria-label", "Copy: " + code.textContent);
  b.addEventListener("click", function () {
    var text = code.textContent;
    var done = function () { b.textContent = "copied"; setTimeout(function () { b.textContent = "copy"; }, 1500); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else {
      var r = document.createRange(); r.selectNodeContents(code);
      var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
      try { document.execCommand("copy"); done(); } catch (e) {}
    }
  });
});
// Printing (and saving as PDF) shows every folded section: open them all before, and fold
// back afterwards those the reader had closed.
(function () {
  var reopen = [];
  addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; reopen.push(d); });
  });
  addEventListener("afterprint", function () {
    reopen.forEach(function (d) { d.open = false; });
    reopen = [];
  });
})();
