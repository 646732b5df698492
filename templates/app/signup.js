// The sign-up form's proof of work (newsletter/app/challenge.py, the ALTCHA scheme):
// find the number whose SHA-256, after the salt, is the server's challenge; send it with
// the form. It starts when the page opens, so the work is mostly done while the reader
// types. Without this script the form still works: it then has to wait a few seconds.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pow-max]");
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var max = parseInt(form.getAttribute("data-pow-max"), 10);
  var salt = form.elements.pow_salt.value;
  var target = form.elements.pow_challenge.value;
  var encoder = new TextEncoder();

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  async function solve() {
    for (var n = 0; n <= max; n++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(salt + n));
      if (hex(digest) === target) {
        return n;
      }
    }
    return null;
  }

  var answer = solve();
  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) {
      return;
    }
    event.preventDefault();
    document.getElementById("pow-status").hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    answer.then(function (n) {
      if (n !== null) {
        form.elements.pow_number.value = String(n);
      }
      sending = true;
      form.submit();
    });
  });
})();
