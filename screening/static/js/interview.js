// The interview room. Nothing typed is lost: every keystroke is first written to this
// browser's storage, then autosaved with the version the page last saw; failures retry,
// conflicts show both texts. Evidence tagging runs in the background and never blocks typing.
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room) { return; }

  var editable = room.dataset.editable === "true";
  var taggerOn = room.dataset.tagger === "true";
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var STORE = "screening:interview:" + room.dataset.interviewId + ":";
  var SAVE_DELAY = 600, TAG_DELAY = 800, MAX_BACKOFF = 30000;
  var msg = room.dataset;
  var sections = Array.prototype.slice.call(room.querySelectorAll("section.question"));
  var overview = Array.prototype.slice.call(room.querySelectorAll(".overview-item"));
  var saveState = document.getElementById("save-state");
  var indicatorNames = {};
  Array.prototype.forEach.call(document.querySelectorAll("#indicator-names li"), function (li) {
    indicatorNames[li.dataset.id] = { name: li.textContent, polarity: li.dataset.polarity };
  });
  var current = 0;
  var states = {};

  // ------------------------------------------------------------ local storage (the safety net)
  // One entry per answer (key: question id) and one for the notes (key: NOTES), each with the
  // version the edit was based on, so a copy left from an older visit never silently
  // overwrites what the server got since.
  var NOTES = "__notes";
  function storageGet(key) {
    var raw = null;
    try { raw = window.localStorage.getItem(STORE + key); } catch (e) { return null; }
    if (raw === null) { return null; }
    try {
      var kept = JSON.parse(raw);
      if (kept && typeof kept === "object" && typeof kept.text === "string") { return kept; }
    } catch (e) { /* an older plain-text copy: below */ }
    return { text: raw, rating: null, version: null };  // no version known: shown as a conflict
  }
  function storagePut(state) {
    try {
      window.localStorage.setItem(STORE + state.key, JSON.stringify({
        text: state.textarea.value, rating: state.rating, version: state.version, at: Date.now()
      }));
    } catch (e) { /* storage full or blocked: the server save still runs */ }
  }
  function storageClear(key) {
    try { window.localStorage.removeItem(STORE + key); } catch (e) { /* ignore */ }
  }

  // ------------------------------------------------------------ state and the indicator
  function refreshIndicator() {
    var worst = "saved";
    var order = ["saved", "saving", "error", "offline", "conflict"];
    Object.keys(states).forEach(function (key) {
      var s = states[key];
      var status = s.conflict ? "conflict" : s.offline ? "offline" : s.error ? "error" :
        (s.pending || s.inflight) ? "saving" : "saved";
      if (order.indexOf(status) > order.indexOf(worst)) { worst = status; }
    });
    saveState.className = "save-state " + worst;
    saveState.textContent = msg["msg" + worst.charAt(0).toUpperCase() + worst.slice(1)];
    saveState.dataset.state = worst;
  }

  function markOverview(state) {
    if (state.isNotes) { return; }
    var item = overview[state.index];
    if (!item) { return; }
    item.classList.toggle("answered", state.textarea.value.trim().length > 0);
    item.querySelector(".ov-rating").textContent = state.rating ? "★" + state.rating : "";
  }

  // ------------------------------------------------------------ saving (answers and the notes alike)
  function payload(state) {
    if (state.isNotes) { return { notes: state.textarea.value, version: state.version }; }
    return { text: state.textarea.value, rating: state.rating, version: state.version };
  }

  function unchangedSince(state, body) {
    return state.isNotes ? state.textarea.value === body.notes
      : state.textarea.value === body.text && state.rating === body.rating;
  }

  function scheduleSave(state, delay) {
    window.clearTimeout(state.saveTimer);
    state.saveTimer = window.setTimeout(function () { save(state); }, delay);
  }

  function save(state) {
    if (!editable || state.conflict) { return; }
    if (state.inflight) { state.again = true; return; }
    var body = payload(state);
    state.inflight = true;
    state.again = false;
    refreshIndicator();
    fetch(state.url, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (result) {
      state.inflight = false;
      state.offline = false;
      state.backoff = 0;
      if (result.status === 200) {
        state.version = result.data.version;
        state.section.dataset.version = state.version;
        state.error = false;
        showMessage(state, "");
        if (unchangedSince(state, body) && !state.again) {
          state.pending = false;
          storageClear(state.key);
        } else {
          storagePut(state);
          scheduleSave(state, 0);
        }
      } else if (result.status === 409 && result.data.error === "conflict") {
        showConflict(state, result.data.current);
      } else if (result.status >= 500) {
        goOffline(state);
      } else {
        // Refused (too long, locked, invalid): keep the text here, say why, wait for the next edit.
        state.error = true;
        showMessage(state, result.data.message || msg.msgError);
      }
      refreshIndicator();
    }).catch(function () {
      state.inflight = false;
      goOffline(state);
      refreshIndicator();
    });
  }

  function goOffline(state) {
    state.offline = true;
    state.backoff = Math.min((state.backoff || 1000) * 2, MAX_BACKOFF);
    scheduleSave(state, state.backoff);
  }

  function retryAll() {
    Object.keys(states).forEach(function (key) {
      var s = states[key];
      if (s.pending && !s.conflict) { s.backoff = 0; scheduleSave(s, 0); }
    });
  }
  window.addEventListener("online", retryAll);

  function showMessage(state, text) {
    state.message.textContent = text;
    state.message.classList.toggle("hidden", !text);
  }

  // ------------------------------------------------------------ conflicts: show both, overwrite neither
  function showConflict(state, theirs) {
    state.conflict = theirs;
    state.conflictBox.querySelector(".theirs").textContent = theirText(state, theirs);
    state.conflictBox.querySelector(".mine").textContent = state.textarea.value;
    state.conflictBox.classList.remove("hidden");
  }

  function theirText(state, theirs) {
    return (state.isNotes ? theirs.notes : theirs.text) || "";
  }

  function resolve(state, keepMine) {
    var theirs = state.conflict;
    state.conflict = null;
    state.conflictBox.classList.add("hidden");
    state.version = theirs.version;
    state.section.dataset.version = theirs.version;
    if (keepMine) {
      state.pending = true;
      storagePut(state);
      save(state);
    } else {
      state.textarea.value = theirText(state, theirs);
      state.pending = false;
      storageClear(state.key);
      if (!state.isNotes) {
        setRating(state, theirs.rating, false);
        requestTags(state, 0);
      }
    }
    markOverview(state);
    refreshIndicator();
  }

  // ------------------------------------------------------------ evidence as they type
  function requestTags(state, delay) {
    if (!taggerOn || state.isNotes) { return; }
    window.clearTimeout(state.tagTimer);
    state.tagTimer = window.setTimeout(function () {
      if (state.tagAbort) { state.tagAbort.abort(); }
      var controller = window.AbortController ? new AbortController() : null;
      state.tagAbort = controller;
      var text = state.textarea.value;
      fetch(room.dataset.tagUrl, {
        method: "POST", credentials: "same-origin", signal: controller ? controller.signal : undefined,
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ text: text })
      }).then(function (r) { return r.json(); }).then(function (data) {
        renderEvidence(state, text, data);
      }).catch(function () { /* aborted or offline: evidence simply waits for the next change */ });
    }, delay);
  }

  function renderEvidence(state, text, data) {
    var box = state.section.querySelector(".evidence-text");
    var note = state.section.querySelector(".evidence-state");
    box.textContent = "";
    if (!data.available) {
      note.textContent = msg.msgTaggerOff;
      return;
    }
    note.textContent = "";
    var cursor = 0;
    data.sentences.forEach(function (s) {
      if (s.start > cursor) { box.appendChild(document.createTextNode(text.slice(cursor, s.start))); }
      var span = document.createElement("span");
      span.className = "sent" + (s.polarity ? " " + s.polarity : "");
      span.textContent = text.slice(s.start, s.end);
      span.dataset.indicators = s.indicators.join(" ");
      s.indicators.forEach(function (id) {
        var info = indicatorNames[id] || { name: id, polarity: "positive" };
        var badge = document.createElement("span");
        badge.className = "badge ind " + (info.polarity === "negative" ? "neg" : "pos");
        badge.textContent = info.name;
        span.appendChild(badge);
      });
      box.appendChild(span);
      cursor = Math.max(cursor, s.end);
    });
    if (cursor < text.length) { box.appendChild(document.createTextNode(text.slice(cursor))); }
    var missing = [];
    Array.prototype.forEach.call(state.section.querySelectorAll(".star-item"), function (li) {
      var present = !!data.star[li.dataset.part];
      li.classList.toggle("present", present);
      li.classList.toggle("missing", !present);
      if (!present) { missing.push(li.dataset.part); }
    });
    var hint = state.section.querySelector(".star-hint");
    hint.textContent = "";
    if (text.trim()) {
      var priority = ["action", "result", "situation", "task"];
      for (var i = 0; i < priority.length; i++) {
        if (missing.indexOf(priority[i]) >= 0) {
          var probe = state.section.querySelector('.pill-list li[data-star="' + priority[i] + '"]');
          if (probe) { hint.textContent = "→ " + probe.textContent.trim(); break; }
        }
      }
    }
  }

  // ------------------------------------------------------------ rating
  function setRating(state, value, persist) {
    state.rating = value ? parseInt(value, 10) : null;
    Array.prototype.forEach.call(state.section.querySelectorAll('input[type="radio"]'), function (r) {
      r.checked = parseInt(r.value, 10) === state.rating;
    });
    markOverview(state);
    if (persist) {
      state.pending = true;
      storagePut(state);
      scheduleSave(state, 0);
      refreshIndicator();
    }
  }

  // ------------------------------------------------------------ navigation and timers
  function show(index) {
    if (index < 0 || index >= sections.length) { return; }
    sections[current].classList.add("hidden");
    overview[current].classList.remove("current");
    current = index;
    sections[current].classList.remove("hidden");
    overview[current].classList.add("current");
    states[sections[current].dataset.qid].shownAt = Date.now();
  }

  function fmt(seconds) {
    var m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  var started = Date.parse(room.dataset.started);
  var interviewTimer = document.getElementById("interview-timer");
  function tick() {
    var elapsed = (Date.now() - started) / 1000;
    interviewTimer.textContent = fmt(Math.max(0, elapsed));
    interviewTimer.parentNode.classList.toggle("over", elapsed > parseInt(room.dataset.duration, 10) * 60);
    var state = states[sections[current].dataset.qid];
    var spent = state.spent + (Date.now() - state.shownAt) / 1000;
    state.timer.textContent = fmt(spent);
    state.timer.parentNode.classList.toggle("over", spent > parseInt(state.section.dataset.minutes, 10) * 60);
  }

  document.addEventListener("keydown", function (event) {
    var typing = event.target.matches("textarea, input[type=text], input[type=search]");
    if (event.altKey && (event.key === "ArrowRight" || event.key === "ArrowLeft")) {
      event.preventDefault();
      leave();
      show(current + (event.key === "ArrowRight" ? 1 : -1));
      return;
    }
    if (/^[1-5]$/.test(event.key) && editable && (event.altKey || !typing) && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      setRating(states[sections[current].dataset.qid], event.key, true);
    }
  });

  function leave() {
    var state = states[sections[current].dataset.qid];
    state.spent += (Date.now() - state.shownAt) / 1000;
  }

  room.addEventListener("click", function (event) {
    var nav = event.target.closest("[data-nav]");
    var go = event.target.closest("[data-goto]");
    if (nav) { leave(); show(current + parseInt(nav.dataset.nav, 10)); }
    if (go) { leave(); show(parseInt(go.dataset.goto, 10)); }
  });

  function anyUnsaved() {
    return Object.keys(states).some(function (key) { return states[key].pending || states[key].conflict; });
  }

  window.addEventListener("beforeunload", function (event) {
    if (anyUnsaved()) { event.preventDefault(); event.returnValue = msg.msgUnsaved; return msg.msgUnsaved; }
  });

  // Work left in this browser by an earlier visit (closed tab, failed save, server restart):
  // re-sent when it was based on what the server still has, otherwise shown beside it.
  function restoreKept(state) {
    var kept = storageGet(state.key);
    if (!kept) { return; }
    var differs = kept.text !== state.textarea.value || (!state.isNotes && kept.rating !== state.rating);
    if (!differs) { storageClear(state.key); return; }
    if (kept.version === state.version) {
      state.textarea.value = kept.text;
      if (!state.isNotes) { setRating(state, kept.rating, false); }
      state.pending = true;
      scheduleSave(state, 0);
    } else {
      var theirs = state.isNotes ? { notes: state.textarea.value, version: state.version }
        : { text: state.textarea.value, rating: state.rating, version: state.version };
      state.textarea.value = kept.text;
      state.pending = true;
      showConflict(state, theirs);
    }
  }

  function watchTyping(state) {
    state.textarea.addEventListener("input", function () {
      state.pending = true;
      state.error = false;
      storagePut(state);
      markOverview(state);
      scheduleSave(state, SAVE_DELAY);
      requestTags(state, TAG_DELAY);
      refreshIndicator();
    });
    state.conflictBox.querySelector(".keep-mine").addEventListener("click", function () { resolve(state, true); });
    state.conflictBox.querySelector(".take-theirs").addEventListener("click", function () { resolve(state, false); });
  }

  // ------------------------------------------------------------ set up each question
  sections.forEach(function (section, index) {
    var qid = section.dataset.qid;
    var state = {
      key: qid, qid: qid, index: index, section: section, isNotes: false,
      url: room.dataset.saveUrl.replace("__QID__", encodeURIComponent(qid)),
      textarea: section.querySelector("textarea.answer"),
      message: section.querySelector(".answer-message"),
      conflictBox: section.querySelector(".conflict"),
      timer: section.querySelector(".question-timer"),
      version: parseInt(section.dataset.version, 10) || 0,
      rating: section.dataset.rating ? parseInt(section.dataset.rating, 10) : null,
      pending: false, inflight: false, offline: false, error: false, conflict: null,
      spent: 0, shownAt: Date.now(), backoff: 0
    };
    states[qid] = state;
    markOverview(state);

    if (editable) {
      restoreKept(state);
      watchTyping(state);
      section.addEventListener("change", function (event) {
        if (event.target.matches('input[type="radio"]')) { setRating(state, event.target.value, true); }
      });
    }
    if (!taggerOn) { section.querySelector(".evidence-state").textContent = msg.msgTaggerOff; }
    if (state.textarea.value.trim()) { requestTags(state, 50 * index); }
  });

  // ------------------------------------------------------------ interview notes (the same safety net)
  var notesBox = document.getElementById("notes");
  if (notesBox && editable) {
    var notesState = {
      key: NOTES, isNotes: true, section: notesBox, url: room.dataset.notesUrl,
      textarea: notesBox.querySelector("textarea"),
      message: notesBox.querySelector(".notes-message"),
      conflictBox: notesBox.querySelector(".conflict"),
      version: parseInt(notesBox.dataset.version, 10) || 0, rating: null,
      pending: false, inflight: false, offline: false, error: false, conflict: null, backoff: 0
    };
    states[NOTES] = notesState;
    restoreKept(notesState);
    watchTyping(notesState);
  }

  // Completing waits for every answer to be saved first.
  var completeForm = document.getElementById("complete-form");
  if (completeForm) {
    completeForm.addEventListener("submit", function (event) {
      if (anyUnsaved()) { event.preventDefault(); retryAll(); window.alert(msg.msgUnsaved); }
    }, true);
  }

  overview[0] && overview[0].classList.add("current");
  refreshIndicator();
  window.setInterval(tick, 1000);
  tick();
  // Let tests and curious people see what the room holds.
  room.dataset.ready = "true";
})();
