// Every same-origin request that changes something carries the session's CSRF token (see web/auth.py).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta ? meta.content : "";
  var plain = window.fetch.bind(window);
  window.fetch = function (input, init) {
    init = init || {};
    var method = (init.method || (input && input.method) || "GET").toUpperCase();
    var url = new URL(typeof input === "string" ? input : input.url, location.href);
    if (token && url.origin === location.origin && ["GET", "HEAD", "OPTIONS"].indexOf(method) === -1) {
      var headers = new Headers(init.headers || {});
      headers.set("X-CSRF-Token", token);
      init.headers = headers;
    }
    return plain(input, init);
  };

  // Who is logged in (web/templates/_session_head.html). Every action is recorded under this name by
  // the server whatever a form sends, so a page's "your name" field is filled with it and hidden.
  var who = document.querySelector('meta[name="vigil-user"]');
  window.vigilSession = {
    user: who ? who.content : "",
    signAs: function (input, field) {
      if (!input) return;
      input.value = window.vigilSession.user;
      input.readOnly = true;
      field = field || input.closest("label") || input;
      field.hidden = true;
      field.style.display = "none";  // the field's own CSS would show it despite [hidden]
    }
  };
})();
