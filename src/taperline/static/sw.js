// taperline's service worker, served at /sw.js (scope /). Every page works without it.
//
// * The app shell (style, scripts, icons, manifest): cache first.
// * Today's pages (/dashboard, today's /checkin): network first, a copy kept; offline, the copy
//   is shown marked with when it was saved (<body data-offline-since>), and the page's script
//   shows the "offline since" banner.
// * A check-in, dose tap or journal Undo that cannot reach the server is queued in IndexedDB
//   ("taperline" / "queue"), keyed by its idempotency key (the form's idem; a dose's day and
//   time; an Undo's code's check), and the
//   page sends it again when the connection returns ("flush"); the server refuses a second
//   record for a key, so sending twice is harmless. Each entry carries its account ("who"):
//   only that account's pages send it; another account's drop it.
// * With Background Sync, queueing registers a sync ("taperline-queue"): the browser wakes this
//   worker when the connection is back, even with no page open, and "sync" sends the queue as a
//   page would (the token saved with each form, the account of the pages seen last), then
//   saves today's page again. One send runs at a time: the two never race.
// * "clear" (sign-out) deletes the saved pages and the queue; "forget" (a page seen signed out)
//   the saved pages only: a queue waiting for its owner's next sign-in stays.
"use strict";

var SHELL = "taperline-shell-1"; // /sw.js names it by the static files' version
var PAGES = "taperline-pages";
var SHELL_FILES = [
  "/static/taperline.css",
  "/static/taperline.js",
  "/static/vendor/htmx-2.0.11.min.js",
  "/static/icon.svg",
  "/static/icon-192.png",
  "/static/manifest.webmanifest"
];
var SAVED_PAGES = ["/dashboard", "/checkin"];
var QUEUED_POSTS = ["/checkin", "/doses/taken", "/journal/restore"]; // the last: a journal Undo
var DB_NAME = "taperline";
var STORE = "queue";
var META = "meta"; // {key: "who", value: the account whose pages were seen last}; and
// {key: "asked:" + its id, url, body, who, at (when queued), why, opened}: each check-in answered
// 422 (why "question": a night over 16 h) or 409 ("elsewhere": the day saved on another device),
// opened again with all typed, oldest first, kept until its day's check-in is saved (or, for
// "elsewhere", the person keeps the other device's: "drop")
var GRACE_MS = 6e5; // opened, not saved: opened again 10 min on (not over its page, nor in a tab)
var SAVED_HEADER = "x-taperline-saved";
var REFRESH_MS = 60 * 60 * 1000; // a saved check-in form older than an hour is fetched again
var SYNC_TAG = "taperline-queue";
var sending = Promise.resolve(null);
var saving = null; // the day of a POST /checkin redirected (saved, or to sign in)

self.addEventListener("install", function (event) {
  event.waitUntil(
    // from the server, not the browser's HTTP cache (an hour): a new shell has the new files;
    // if the server cannot be reached for one, from the HTTP cache rather than no worker
    caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES.map((u) => new Request(u, {cache: "reload"})))
      .catch(() => cache.addAll(SHELL_FILES)))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key !== SHELL && key !== PAGES;
      }).map((key) => caches.delete(key)));
    }).then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "GET" && url.pathname.indexOf("/static/") === 0) {
    event.respondWith(fromShell(request));
  } else if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(page(request, url));
  } else if (request.method === "POST" && QUEUED_POSTS.indexOf(url.pathname) >= 0) {
    event.respondWith(postOrQueue(request, url));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var work;
  if (data.type === "flush") {
    work = flushOnce(data.csrf || "", String(data.who || ""));
  } else if (data.type === "clear") {
    work = clearAll();
  } else if (data.type === "forget") {
    work = caches.delete(PAGES);
  } else if (data.type === "who") {
    work = transaction(META, "readwrite", function (store) {
      return store.put({key: "who", value: String(data.who || "")});
    });
  } else if (data.type === "keep") {
    work = keepToday();
  } else if (data.type === "list") {
    work = transaction(STORE, "readonly", (store) => store.getAll());
  } else if (data.type === "count") {
    work = transaction(STORE, "readonly", (store) => store.count());
  } else if (data.type === "asked") {
    work = takeAsked(String(data.who || ""));
  } else if (data.type === "drop") { // the person keeps the day as saved on another device
    work = forgetAsked(String(data.day || ""), String(data.who || ""), true);
  } else {
    work = Promise.resolve(null);
  }
  event.waitUntil(work.then(function (result) {
    if (port) { port.postMessage({ok: true, result: result}); }
  }, function (error) {
    if (port) { port.postMessage({ok: false, error: String(error)}); }
  }));
});

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) {
    event.waitUntil(replay());
  }
});

// --- the shell and the pages ---

function fromShell(request) {
  return caches.match(request, {cacheName: SHELL}).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(SHELL).then((cache) => cache.put(request, copy));
      }
      return response;
    });
  });
}

function savedKey(url) {
  // The dashboard whatever its notice (?done=, ?queued=); the check-in form of today only.
  if (url.pathname === "/dashboard") { return "/dashboard"; }
  if (url.pathname === "/checkin" && !url.search) { return "/checkin"; }
  return null;
}

function page(request, url) {
  var key = savedKey(url), day = url.search === "?done=checkin" && saving; // saved: its day's go
  var done = day ? forgetAsked(day, "").catch(() => null) : Promise.resolve();
  saving = null;
  // A redirect (to sign in, say) reaches the page as it is: only a page itself is saved
  return done.then(() => fetch(request)).then(function (response) {
    if (key && response.status === 200 && !response.redirected) {
      return save(key, response.clone()).then(() => response);
    }
    return response;
  }, function () {
    var fallback = key || (SAVED_PAGES.indexOf(url.pathname) >= 0 ? url.pathname : null);
    return (fallback ? savedPage(fallback) : Promise.resolve(null)).then(function (saved) {
      return saved || notSaved();
    });
  });
}

function save(key, response) {
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(SAVED_HEADER, String(Date.now()));
    return caches.open(PAGES).then(function (cache) {
      return cache.put(key, new Response(body, {status: 200, headers: headers}));
    });
  });
}

function savedPage(key) {
  return caches.open(PAGES).then((cache) => cache.match(key)).then(function (hit) {
    if (!hit) { return null; }
    var since = hit.headers.get(SAVED_HEADER) || "";
    return hit.text().then(function (html) {
      var marked = html.replace("<body", '<body data-offline-since="' + since.replace(/\D/g, "") + '"');
      return new Response(marked, {status: 200, headers: {"Content-Type": "text/html; charset=utf-8"}});
    });
  });
}

function notSaved() {
  var html = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · taperline</title><link rel="stylesheet" href="/static/taperline.css"></head>' +
    '<body><main id="main"><h1>You are offline</h1>' +
    "<p>This page is not saved on this phone. Today's page is: " +
    '<a href="/dashboard">Today</a>.</p></main></body></html>';
  return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

function keepToday() {
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(SAVED_PAGES.map(function (path) {
      return cache.match(path).then(function (hit) {
        var saved = hit ? Number(hit.headers.get(SAVED_HEADER) || 0) : 0;
        if (hit && (path === "/dashboard" || Date.now() - saved < REFRESH_MS)) { return false; }
        return fetch(path, {credentials: "same-origin", redirect: "manual"}).then(function (response) {
          return response.status === 200 ? save(path, response).then(() => true) : false;
        }, () => false);
      });
    }));
  });
}

// --- the queue ---

function postOrQueue(request, url) {
  var copy = request.clone();
  return fetch(request).then((response) => { // a 2xx is a form drawn again, not saved
    return response.type !== "opaqueredirect" || url.pathname !== "/checkin" ? response :
      copy.text().then((body) => { saving = new URLSearchParams(body).get("date"); return response; });
  }, function () {
    return copy.text().then((body) => queue(request, url, body));
  });
}

function queue(request, url, body) {
  var fields = new URLSearchParams(body);
  if (fields.get("copy")) { // "same as last night" reads the journal: it needs the server
    return notSaved();
  }
  return transaction(META, "readonly", (store) => store.get("dropped:" + (fields.get("idem") || "")))
    .then((dropped) => dropped && url.pathname === "/checkin" ?
      Response.redirect(new URL("/journal?done=offline-dropped", self.location.origin).href, 303) :
      queueNew(request, url, fields));
}

function queueNew(request, url, fields) {
  var item = {url: url.pathname, at: Date.now()};
  if (url.pathname === "/doses/taken") {
    fields.set("tapped_at", new Date().toISOString()); // logged at the tap, not at the sending
    item.kind = "dose";
    item.id = "dose:" + (fields.get("day") || "") + ":" + (fields.get("clock") || "");
  } else if (url.pathname === "/journal/restore") { // the day's code: sent twice, put back once
    item.kind = "restore";
    item.id = "restore:" + (fields.get("checkin") || "").slice(0, 9);
  } else {
    item.kind = "checkin";
    item.id = "checkin:" + (fields.get("idem") || String(Date.now()));
  }
  item.body = fields.toString();
  return transaction(META, "readonly", (store) => store.get("who")).then(function (who) {
    item.who = who ? who.value : "";
    return transaction(STORE, "readwrite", (store) => store.put(item));
  }).then(function () {
    return registerSync();
  }).then(function () {
    if (item.kind === "dose" && request.headers.get("HX-Request")) {
      return new Response(queuedDoseLine(fields), {
        status: 200, headers: {"Content-Type": "text/html; charset=utf-8"}
      });
    }
    return Response.redirect(new URL("/dashboard?queued=" + item.kind, self.location.origin).href, 303);
  });
}

function queuedDoseLine(fields) {
  var clock = (fields.get("clock") || "").replace(/[^0-9:]/g, "");
  var taken = fields.get("status") !== "missed";
  return '<li class="dose-line queued" id="dose-' + clock.replace(":", "") + '">' +
    '<div class="dose-what"><span class="dose-time">' + clock + "</span></div>" +
    '<p class="dose-state" role="status">' + (taken ? "Taken" : "Not taken") +
    ": saved on this phone, to be sent when you are back online</p></li>";
}

function registerSync() {
  var sync = self.registration && self.registration.sync;
  if (!sync) { return Promise.resolve(false); }
  return sync.register(SYNC_TAG).then(() => true, () => false);
}

function replay() {
  return transaction(META, "readonly", (store) => store.get("who")).then(function (who) {
    if (!who || !who.value) { return null; } // nobody signed in on this phone: keep the queue
    return flushOnce("", who.value).then(function (result) {
      return (result.sent ? refreshToday() : Promise.resolve(null)).then(function () {
        return self.clients.matchAll({type: "window"});
      }).then(function (pages) {
        pages.forEach(function (page) { page.postMessage({type: "synced", result: result}); });
        if (result.waiting) { throw new Error(result.waiting + " entries wait: try again later"); }
        return result;
      });
    });
  });
}

function refreshToday() {
  return fetch("/dashboard", {credentials: "same-origin", redirect: "manual"}).then(function (response) {
    return response.status === 200 ? save("/dashboard", response) : null;
  }, () => null);
}

function flushOnce(csrf, who) {
  var run = sending.then(() => flush(csrf, who));
  sending = run.catch(() => null);
  return run;
}

function flush(csrf, who) {
  var result = {sent: 0, refused: [], waiting: 0};
  return transaction(STORE, "readonly", (store) => store.getAll()).then(function (items) {
    return items.reduce(function (chain, item) {
      return chain.then(function (stop) {
        if (stop) { result.waiting += 1; return true; }
        var outcome = item.who === who ? send(item, csrf) : Promise.resolve("other");
        return outcome.then(function (outcome) {
          if (outcome === "later" || outcome === "offline") {
            result.waiting += 1;
            return outcome === "offline";
          }
          var kept = Promise.resolve(null);
          if (outcome === "sent") {
            result.sent += 1;
            if (item.kind === "checkin") { kept = forgetAsked(new URLSearchParams(item.body).get("date"), who); }
          } else if (outcome === "refused" || outcome === "asked" || outcome === "elsewhere") {
            result.refused.push(item.kind);
          }
          if (outcome === "asked" || outcome === "elsewhere") {
            result.asked = true;
            kept = transaction(META, "readwrite", function (store) {
              return store.put({key: "asked:" + item.id, url: item.url, body: item.body, who: item.who,
                at: item.at, why: outcome === "elsewhere" ? outcome : "question"});
            });
          }
          return kept.then(function () {
            return transaction(STORE, "readwrite", (store) => store.delete(item.id));
          }).then(() => false);
        });
      });
    }, Promise.resolve(false));
  }).then(() => result);
}

function send(item, csrf) {
  var fields = new URLSearchParams(item.body);
  var headers = {};
  if (csrf) { // the session's token now (the one saved with the form may have changed)
    fields.set("csrf_token", csrf);
    headers["X-CSRF-Token"] = csrf;
  }
  return fetch(item.url, {
    method: "POST", body: fields, headers: headers, credentials: "same-origin"
  }).then(function (response) {
    if (response.redirected && new URL(response.url).pathname === "/signin") { return "later"; }
    if (response.ok) { return "sent"; } // saved, and the page it leads to shown
    if (response.status === 409 && item.kind === "dose") { return "sent"; } // in the log
    if (response.status === 422 && item.kind === "checkin") { return "asked"; }
    if (response.status === 409 && item.kind === "checkin") { return "elsewhere"; }
    if (response.status === 409) { return "refused"; }
    if (response.status === 401 || response.status === 403 || response.status === 429 ||
        response.status >= 500) { return "later"; }
    return "refused";
  }, () => "offline");
}

function mineOf(store, who, then) { // who "": the pages seen last
  var all = store.getAll();
  all.onsuccess = () => {
    who = who || (all.result.find((e) => e.key === "who") || {}).value;
    then(all.result.filter((e) => who && e.who === who && /^asked/.test(e.key))
      .sort((a, b) => (a.at || 0) - (b.at || 0)));
  };
}

function takeAsked(who) {
  // The oldest not opened in GRACE_MS, marked opened, and how many more wait.
  var now = Date.now(), item;
  return transaction(META, "readwrite", (store) => mineOf(store, who, (mine) => {
    item = mine.find((e) => !(now - e.opened < GRACE_MS));
    if (item) { item.opened = now; store.put(item); item.more = mine.length - 1; }
  })).then(() => item || null);
}

function forgetAsked(day, who, dropped) {
  return transaction(META, "readwrite", (store) => mineOf(store, who, (mine) => mine.forEach((e) => {
    var fields = new URLSearchParams(e.body);
    if (fields.get("date") !== day) { return; }
    store.delete(e.key);
    // let go: its form sent again from the history (Back) is not queued again
    if (dropped && fields.get("idem")) { store.put({key: "dropped:" + fields.get("idem")}); }
  })));
}

function clearAll() {
  return caches.delete(PAGES).then(function () {
    return transaction(STORE, "readwrite", (store) => store.clear());
  }).then(function () {
    return transaction(META, "readwrite", (store) => store.clear());
  });
}

function transaction(name, mode, work) {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore(STORE, {keyPath: "id"});
      open.result.createObjectStore(META, {keyPath: "key"});
    };
    open.onerror = function () { reject(open.error); };
    open.onsuccess = function () {
      var db = open.result;
      var tx = db.transaction(name, mode);
      var request = work(tx.objectStore(name));
      tx.oncomplete = function () { db.close(); resolve(request ? request.result : null); };
      tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
    };
  });
}
