/* The roster page: ask for a swap, approve or refuse one, and make the daily duty report.
 * The table itself is rendered by the server in the duty room's time zone; after a change the page reloads. */
(function () {
  "use strict";
  var V = window.VIGIL || {};
  var S = V.strings || {};

  function headers() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var result = {"Content-Type": "application/json", "Accept": "application/json"};
    if (meta && meta.content) { result["X-CSRF-Token"] = meta.content; }
    return result;
  }

  // "Who you are" is not asked: whoever is logged in acts (web/static/session.js).
  var user = window.vigilSession.user;
  var actorInput = document.getElementById("actor");
  if (actorInput) window.vigilSession.signAs(actorInput, actorInput.closest("section"));

  function actor() {
    return user || document.getElementById("actor").value.trim();
  }

  function say(target, text, isError) {
    target.textContent = text;
    target.classList.toggle("error", !!isError);
  }

  function explain(body) {
    return (S.errors && S.errors[body.code]) || body.error || "";
  }

  function send(url, body, message, buttons) {
    if (!body.actor) {
      say(message, S.name_first, true);
      document.getElementById("actor").focus();
      return;
    }
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(url, {method: "POST", headers: headers(), body: JSON.stringify(body), credentials: "same-origin"})
      .then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      })
      .then(function (answer) {
        if (answer.ok) {
          say(message, S.sent, false);
          window.location.reload();
          return;
        }
        say(message, S.failed.replace("%(error)s", explain(answer.data)), true);
        buttons.forEach(function (b) { b.disabled = false; });
      })
      .catch(function (error) {
        say(message, S.failed.replace("%(error)s", error.message), true);
        buttons.forEach(function (b) { b.disabled = false; });
      });
  }

  var form = document.getElementById("swap-form");
  var swapMessage = document.getElementById("swap-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var shift = parseInt(form.elements.shift_id.value, 10);
    if (!shift || !form.elements.to_person.value) {
      say(swapMessage, S.choose, true);
      return;
    }
    send(V.swapsUrl, {shift_id: shift, post: form.elements.post.value, to_person: form.elements.to_person.value,
                      reason: form.elements.reason.value, actor: actor()},
         swapMessage, [form.querySelector("button[type=submit]")]);
  });

  // "Swap…" on a row: pick that shift in the form and go to it.
  document.querySelectorAll(".ask-swap").forEach(function (button) {
    button.addEventListener("click", function () {
      form.elements.shift_id.value = button.getAttribute("data-shift");
      form.scrollIntoView({behavior: "smooth", block: "center"});
      form.elements.to_person.focus();
    });
  });

  var decisionMessage = document.getElementById("decision-message");
  document.querySelectorAll("button.decide").forEach(function (button) {
    button.addEventListener("click", function () {
      var row = button.closest("tr");
      send(V.decisionUrl.replace("{id}", button.getAttribute("data-swap")),
           {decision: button.getAttribute("data-decision"), actor: actor()},
           decisionMessage, Array.prototype.slice.call(row.querySelectorAll("button.decide")));
    });
  });

  var widget = document.getElementById("daily-widget");
  if (widget && window.VigilDocuments) {
    window.VigilDocuments.mount(widget, {
      kind: "daily",
      params: function () { return {date: document.getElementById("daily-date").value}; },
      language: function () { return document.getElementById("daily-language").value; }
    });
  }
})();
