// taperline: small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Fill an empty time-zone field with the browser's zone (sign-up).
  document.querySelectorAll("[data-detect-tz]").forEach(function (input) {
    if (!input.value) {
      try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep empty */ }
    }
  });
  // A form sent once (data-once: a journal Delete, an Undo) is not sent again by a double tap:
  // the second answer (the day gone already: 404) would replace the page with the Undo.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-once")) { return; }
    if (form.hasAttribute("data-sent")) { event.preventDefault(); }
    form.setAttribute("data-sent", "");
  });
  window.addEventListener("pageshow", function () { // back to the page: it may be sent again
    document.querySelectorAll("form[data-sent]").forEach((form) => form.removeAttribute("data-sent"));
  });
  // Show the value of a range slider next to its label.
  document.querySelectorAll("output[data-for]").forEach(function (output) {
    var input = document.getElementById(output.getAttribute("data-for"));
    if (input) {
      input.addEventListener("input", function () { output.textContent = input.value; });
    }
  });
})();

// Installable and offline (the worker: /static/sw.js, served at /sw.js, see its header): this
// part says when the page is a saved copy ("Offline since HH:MM"), sends the queue when the
// connection returns (where there is no Background Sync), and forgets the saved pages and the
// queue at sign-out.
(function () {
  "use strict";
  var body = document.body;
  var banner = document.getElementById("offline");
  var workers = navigator.serviceWorker;
  if (!banner || !workers || !window.MessageChannel) {
    return;
  }
  var who = body.getAttribute("data-signed-in") || "";
  var savedAt = Number(body.getAttribute("data-offline-since") || 0);
  var QUEUED = {
    checkin: "Your check-in is saved on this phone.",
    dose: "Your dose is saved on this phone.",
    restore: "Your Undo is saved on this phone: the check-in goes back when you are online."
  };

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function hhmm(ms) { var d = new Date(ms); return pad(d.getHours()) + ":" + pad(d.getMinutes()); }
  function say(text) { banner.textContent = text; banner.hidden = !text; }

  function csrf() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  // A message to the service worker and its answer (null without a worker or an answer).
  function ask(message) {
    var worker = workers.controller;
    if (!worker) { return Promise.resolve(null); }
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) {
        resolve(event.data && event.data.ok ? event.data.result : null);
      };
      worker.postMessage(message, [channel.port2]);
      setTimeout(function () { resolve(null); }, 5000); // a worker stopped mid-way
    });
  }

  function showOffline(since) {
    reconnect(0);
    ask({type: "count"}).then(function (waiting) {
      var queued = QUEUED[new URLSearchParams(location.search).get("queued") || ""];
      var text = "Offline since " + hhmm(since) + ". This page is as it was then.";
      if (savedAt && new Date(savedAt).toDateString() !== new Date().toDateString()) {
        // a saved form keeps its day: what is entered now is for that day
        text += " It was saved on " + new Date(savedAt).toLocaleDateString(undefined, {
          weekday: "long", day: "numeric", month: "long"
        }) + ", not today: what you save here is for that day.";
      }
      if (queued) { text += " " + queued; }
      if (waiting) {
        text += " " + waiting + (waiting === 1 ? " entry waits" : " entries wait") +
          " to be sent when you are back online.";
      }
      say(text);
    });
  }

  // After sending: today's page as it is now, or what was refused.
  // On a saved dashboard, a dose tapped offline shows as waiting, not as a button again.
  function markQueued() {
    ask({type: "list"}).then(function (items) {
      (items || []).forEach(function (item) {
        if (item.kind !== "dose") { return; }
        var fields = new URLSearchParams(item.body);
        document.querySelectorAll('form[action="/doses/taken"]').forEach(function (form) {
          var day = form.querySelector("input[name=day]");
          var clock = form.querySelector("input[name=clock]");
          if (!day || !clock || day.value !== fields.get("day") ||
              clock.value !== fields.get("clock")) { return; }
          var note = document.createElement("p");
          note.className = "dose-state";
          note.setAttribute("role", "status");
          note.textContent = (fields.get("status") === "missed" ? "Not taken" : "Taken") +
            ": saved on this phone, to be sent when you are back online";
          form.parentNode.classList.add("queued");
          form.replaceWith(note);
        });
      });
    });
  }

  // The oldest check-in the server sent back (sw.js, META), sent again: its form drawn again, all
  // typed. One per page: the next on the next (the worker keeps it until saved).
  var OPENED = "taperline-asked", opening;
  function openAsked() {
    return opening || (opening = ask({type: "asked", who: who}).then(function (item) {
      if (!item) { opening = null; return false; }
      var form = document.createElement("form");
      form.method = "post";
      form.action = item.url;
      form.hidden = true;
      var fields = new URLSearchParams(item.body);
      try { sessionStorage.setItem(OPENED, JSON.stringify([fields.get("date"), item.at, item.why, item.more])); } catch (e) { /* no notice */ }
      fields.set("csrf_token", csrf()); // the session's token now
      fields.forEach(function (value, name) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
      return true;
    }));
  }

  // The form openAsked opened says at its top that it is the one saved offline, and when.
  function notice() {
    var o, day = document.querySelector("form.checkin [name=date]"), h1 = document.querySelector("main h1");
    try { o = JSON.parse(sessionStorage.getItem(OPENED)); sessionStorage.removeItem(OPENED); } catch (e) { return; }
    if (!o || savedAt || !h1 || !day || day.value !== o[0]) { return; }
    opening = Promise.resolve(false);
    var at = new Date(o[1]), days = Math.round((new Date().setHours(0, 0, 0, 0) - at.setHours(0, 0, 0, 0)) / 864e5);
    var note = document.createElement("p");
    note.className = "notice";
    note.id = "offline-opened";
    note.setAttribute("role", "status");
    h1.after(note);
    setTimeout(function () { // filled later: a status region's new words are read out
      note.textContent = "This is the check-in you saved on this phone while offline" + (o[1] ? " (" +
        (days > 1 ? days + " days ago " : days ? "yesterday " : "") +
        "at " + hhmm(o[1]) + ")" : "") + ". It has not been saved" + (o[2] === "elsewhere" ?
        ": a check-in for this day was saved meanwhile on another device." : " yet: the answer below needs a look.") +
        (o[3] ? " " + o[3] + (o[3] > 1 ? " more check-ins" : " more check-in") + " saved on this phone also need" +
        (o[3] > 1 ? "" : "s") + " a look." : "");
    }, 50);
    if (o[2] !== "elsewhere") { return; }
    // or keep the other device's: this copy forgotten, not opened again
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "button secondary small";
    keep.textContent = "Keep the other device's check-in";
    keep.onclick = function () {
      ask({type: "drop", day: o[0], who: who}).then(function () { location.assign("/journal?done=offline-dropped"); });
    };
    note.after(keep);
  }

  function sent(result) {
    openAsked().then(function (opened) {
      if (!opened) { said(result); }
    });
  }

  function said(result) {
    if (result && result.refused.length) {
      say("Something you saved offline was not accepted. Please look at your journal" +
          " and enter it again.");
      return;
    }
    if (location.pathname === "/dashboard" && (savedAt || (result && result.sent))) {
      location.replace("/dashboard");
      return;
    }
    if (!(result && result.waiting)) { say(""); }
  }

  function sendQueue() {
    return ask({type: "flush", csrf: csrf(), who: who}).then(sent);
  }

  // While this page is a saved copy or entries wait, ask the server (after 2, 4, 8 ... 30 s) if
  // the connection is back: no "online" event comes on a signal too weak to load anything.
  var reconnecting = false;
  function reconnect(attempt) {
    if (reconnecting && attempt === 0) { return; }
    reconnecting = true;
    fetch("/healthz", {cache: "no-store"}).then(function (response) {
      return response.ok;
    }, function () { return false; }).then(function (up) {
      if (up) {
        reconnecting = false;
        sendQueue();
        return;
      }
      setTimeout(function () { reconnect(attempt + 1); }, Math.min(30000, 2000 * Math.pow(2, attempt)));
    });
  }

  function forget(everything) {
    return ask({type: everything ? "clear" : "forget"}).then(function () {
      var jobs = [];
      if (window.caches) {
        jobs.push(caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (key) {
            return everything || key === "taperline-pages";
          }).map(function (key) { return caches.delete(key); }));
        }));
      }
      if (everything && window.indexedDB) {
        jobs.push(new Promise(function (resolve) {
          var request = indexedDB.deleteDatabase("taperline");
          request.onsuccess = request.onerror = request.onblocked = function () { resolve(null); };
        }));
      }
      return Promise.all(jobs);
    }).catch(function () { return null; });
  }

  workers.register("/sw.js", {scope: "/"}).catch(function () { /* the pages work without it */ });

  if (!who) {
    forget(false); // signed out, or the session ended: no page of theirs stays
    return;
  }
  ask({type: "who", who: who});
  notice();
  if (savedAt) {
    showOffline(savedAt);
    markQueued();
    document.querySelectorAll("input[name=idem]").forEach(function (input) {
      // a saved form is filled in again and again: each time is a new entry
      input.value = window.crypto && crypto.randomUUID ?
        crypto.randomUUID().replace(/-/g, "") : String(Date.now()) + String(Math.random()).slice(2);
    });
  } else if (navigator.onLine) {
    sendQueue();
  }
  var today = location.pathname === "/dashboard" && !savedAt;
  if (today && workers.controller) { ask({type: "keep"}); }
  workers.addEventListener("controllerchange", function () { // the worker's first page
    ask({type: "who", who: who});
    if (today && navigator.onLine) { ask({type: "keep"}); }
  });
  workers.addEventListener("message", function (event) { // the worker's Background Sync sent it
    if (event.data && event.data.type === "synced") { sent(event.data.result); }
  });
  window.addEventListener("offline", function () { showOffline(Date.now()); });
  window.addEventListener("online", function () { reconnect(0); });

  // Sign-out sends what waits on this phone first, then clears it. Offline, or with entries
  // not taken yet, the person stays signed in and is told why: nothing is dropped in silence.
  document.querySelectorAll("form.signout").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-forgotten")) { return; }
      event.preventDefault();
      fetch("/healthz", {cache: "no-store"}).then(function (response) {
        return response.ok;
      }, function () { return false; }).then(function (up) {
        if (!up) { throw new Error("offline"); }
        return ask({type: "flush", csrf: csrf(), who: who});
      }).then(function (result) {
        if (result && result.waiting) { throw new Error("waiting"); }
        return forget(true);
      }).then(function () {
        form.setAttribute("data-forgotten", "");
        form.submit();
      }, function () {
        say("Signing out needs a connection: anything you saved on this phone is sent" +
            " first, and would be lost otherwise. Try again when you are back online.");
      });
    });
  });
})();
