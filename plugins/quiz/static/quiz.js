/* Quiz pages: save each answer as soon as it is given, keep unsent answers in the browser when
   the connection drops and send them when it comes back; the "Listen" buttons. The pages work
   without this file: every page is a plain form. */
(function () {
  "use strict";

  // --- read aloud ---------------------------------------------------------------------------
  function setupListen() {
    if (!("speechSynthesis" in window)) return;
    document.querySelectorAll("[data-listen]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var section = document.getElementById(button.dataset.listen);
        if (!section) return;
        var parts = [];
        var text = section.querySelector(".question-text");
        if (text) parts.push(text.innerText);
        section.querySelectorAll(".answer label").forEach(function (label) { parts.push(label.innerText); });
        // The language the question is written in (the organisation's), else the page's.
        var lang = (text && text.getAttribute("lang")) || document.documentElement.lang || "fr";
        var utterance = new SpeechSynthesisUtterance(parts.join(". \n"));
        utterance.lang = lang;
        var voices = window.speechSynthesis.getVoices();
        for (var i = 0; i < voices.length; i++) {
          if (voices[i].lang && voices[i].lang.toLowerCase().indexOf(lang.toLowerCase()) === 0) { utterance.voice = voices[i]; break; }
        }
        window.speechSynthesis.cancel();
        window.speechSynthesis.speak(utterance);
      });
    });
  }
  setupListen();

  var root = document.querySelector(".quiz-attempt");
  if (!root) return;
  var form = root.querySelector("form.attempt-form"); // absent on the summary page
  var KEY = "declic-quiz-" + root.dataset.attempt;
  var csrf = (root.querySelector("input[name=csrf_token]") || {}).value || "";
  var globalStatus = document.getElementById("save-status");
  var msg = root.dataset;

  function store(name, value) { try { localStorage.setItem(name, value); } catch (e) { /* private mode: no queue */ } }
  function queue() { try { return JSON.parse(localStorage.getItem(KEY) || "{}"); } catch (e) { return {}; } }
  function keep(q) { store(KEY, JSON.stringify(q)); }

  // Sequence numbers: milliseconds on the *server's* clock (the page carries it), counted on from
  // the page load and never going backwards, so they compare with the numbers of pages sent
  // without JavaScript and from other computers whatever this computer's clock says.
  var clockShift = Number(root.dataset.serverMs || Date.now()) - Date.now();
  var lastSeq = Number(localStorage.getItem(KEY + "-seq") || 0);
  function nextSeq() {
    lastSeq = Math.max(Date.now() + clockShift, lastSeq + 1);
    store(KEY + "-seq", String(lastSeq));
    return lastSeq;
  }

  function fieldsOf(section) {
    var out = [];
    section.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.disabled || el.type === "button") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      out.push([el.name, el.value]);
    });
    return out;
  }

  function say(slot, html, pending) {
    var el = document.getElementById("status-" + slot);
    if (el) { el.innerHTML = html; el.classList.toggle("pending", !!pending); }
  }
  function sayGlobal(text, pending) {
    if (!globalStatus) return;
    globalStatus.textContent = (pending ? "⚠ " : "✔ ") + text;
    globalStatus.classList.toggle("pending", !!pending);
  }
  function escapeText(text) { var d = document.createElement("div"); d.textContent = text; return d.innerHTML; }

  var sending = false, timer = null, delay = 2000;
  function retryLater() {
    if (timer) return;
    timer = setTimeout(function () { timer = null; flush(); }, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function flush() {
    if (sending) return;
    var q = queue();
    var slots = Object.keys(q);
    if (!slots.length) return;
    if (!navigator.onLine) { sayGlobal(msg.msgOffline, true); retryLater(); return; }
    sending = true;
    var slot = slots[0], entry = q[slot];
    var body = new URLSearchParams();
    entry.fields.forEach(function (f) { body.append(f[0], f[1]); });
    body.append("slot", slot);
    body.append("seq", String(entry.seq));
    fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "HX-Request": "true" }
    }).then(function (resp) {
      return resp.text().then(function (html) { return { status: resp.status, html: html }; });
    }).then(function (r) {
      sending = false;
      if (r.status === 401 || r.status === 429 || r.status >= 500) { sayGlobal(msg.msgOffline, true); retryLater(); return; }
      // The server answered for this answer (saved, refused or not valid): it leaves the queue,
      // unless a newer change of the same question was queued meanwhile.
      var current = queue();
      if (current[slot] && current[slot].seq === entry.seq) { delete current[slot]; keep(current); }
      if (r.status === 200 || r.status === 422) { say(slot, r.html, r.status !== 200); }
      else if (r.status === 409) { say(slot, escapeText(msg.msgFinished), true); }
      delay = 2000;
      if (!Object.keys(queue()).length) sayGlobal(msg.msgSaved, false);
      flush();
    }).catch(function () {
      sending = false;
      say(slot, escapeText(msg.msgOffline), true);
      sayGlobal(msg.msgOffline, true);
      retryLater();
    });
  }

  function enqueue(section) {
    if (!section || !section.dataset.saveUrl) return;
    var q = queue();
    q[section.dataset.slot] = { seq: nextSeq(), fields: fieldsOf(section), url: section.dataset.saveUrl };
    keep(q);
    say(section.dataset.slot, escapeText(navigator.onLine ? msg.msgSaving : msg.msgOffline), true);
    flush();
  }

  // The summary page: answers still waiting in the browser go before the submission.
  var submitForm = root.querySelector("form.submit-form");
  if (submitForm) {
    submitForm.addEventListener("submit", function (event) {
      if (!Object.keys(queue()).length) return;
      event.preventDefault();
      sayGlobal(navigator.onLine ? msg.msgSaving : msg.msgWait, true);
      flush();
      var waitThenSubmit = function () {
        if (!Object.keys(queue()).length) submitForm.submit();
        else setTimeout(waitThenSubmit, 1000);
      };
      setTimeout(waitThenSubmit, 500);
    });
  }
  window.addEventListener("online", function () { delay = 2000; flush(); });
  window.addEventListener("offline", function () { sayGlobal(msg.msgOffline, true); });
  flush();
  if (!form) return;

  form.addEventListener("change", function (event) { enqueue(event.target.closest(".question")); });
  var typing = {};
  form.addEventListener("input", function (event) {
    var section = event.target.closest(".question");
    if (!section || (event.target.type !== "text" && event.target.tagName !== "TEXTAREA")) return;
    clearTimeout(typing[section.dataset.slot]);
    typing[section.dataset.slot] = setTimeout(function () { enqueue(section); }, 1200);
  });

  form.addEventListener("submit", function (event) {
    if (!navigator.onLine) { event.preventDefault(); sayGlobal(msg.msgWait, true); return; }
    // The page's answers go with the form, numbered after everything queued for them.
    var seqField = form.querySelector("input[name=seq]");
    if (seqField) seqField.value = String(nextSeq());
    var q = queue();
    form.querySelectorAll(".question[data-slot]").forEach(function (s) { delete q[s.dataset.slot]; });
    keep(q);
  });

  // Answers left in the browser by an earlier visit (connection lost, tab closed): show them
  // and send them.
  function restore() {
    var q = queue();
    Object.keys(q).forEach(function (slot) {
      var section = form.querySelector('.question[data-slot="' + slot + '"]');
      if (!section) return;
      var values = {};
      q[slot].fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
      section.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (!el.name || el.type === "hidden") return;
        var given = values[el.name] || [];
        if (el.type === "radio" || el.type === "checkbox") el.checked = given.indexOf(el.value) !== -1;
        else if (given.length) el.value = given[0];
      });
      say(slot, escapeText(msg.msgSaving), true);
    });
  }
  restore();
  // The time left, kept current; once the server's limit (with its tolerance) has passed, a
  // reload lets the server finish the attempt and show the results.
  var timerBox = root.querySelector("[role=timer]");
  if (timerBox && timerBox.dataset.finishIn) {
    var started = Date.now();
    var left = Number(timerBox.dataset.secondsLeft), finishIn = Number(timerBox.dataset.finishIn);
    var label = timerBox.querySelector(".time-left");
    setInterval(function () {
      var gone = (Date.now() - started) / 1000;
      var minutes = String(Math.max(0, Math.floor((left - gone) / 60)));
      if (label && timerBox.dataset.msgLeft) label.textContent = timerBox.dataset.msgLeft.replace("__M__", minutes);
    }, 15000);
    var finishCheck = function () {
      if (navigator.onLine && !Object.keys(queue()).length) window.location.reload();
      else setTimeout(finishCheck, 5000);
    };
    setTimeout(finishCheck, (finishIn + 2) * 1000);
  }
})();
