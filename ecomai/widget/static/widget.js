/*
 * ecomai shopper widget: one script tag and a config object, no build step.
 *
 *   <script>window.EcomaiWidget = {shopName: "My shop", customerToken: "<signed by your server>"};</script>
 *   <script src="https://assistant.example.com/webhooks/ecomai/widget.js" defer></script>
 *
 * Everything lives in a Shadow DOM so the shop's CSS cannot break it (and ours cannot leak
 * out). It speaks the websocket protocol of ecomai/chat/protocol.py (README: "Websocket
 * protocol"). The file is plain ES2017 in one IIFE, in four parts: config, Connection
 * (socket, resume, backoff, queue), Recorder (push-to-talk) and Widget (the view). One
 * file because a drop-in widget must be one request and one tag; a bundler would be a
 * toolchain to reproduce for ~600 lines.
 *
 * Why, in short:
 * - The session id and the visible transcript live in sessionStorage: they survive a page
 *   change inside the shop (the shopper clicks a product card) and end with the tab.
 * - Frames are kept until the server says `received` (or refuses them), and re-sent after a
 *   reconnect: nothing typed during a dropped connection is lost. A frame the server got
 *   but whose `received` was lost may be answered twice; that beats losing it.
 * - The socket opens when the shopper first opens the panel (most visitors never do), or at
 *   once when a conversation is already under way in this tab, so pushed messages arrive.
 */
(function () {
  "use strict";
  if (window.__ecomaiWidget) return; // the tag included twice: one widget
  var script = document.currentScript;

  var STRINGS = {
    en: {
      open: "Chat with {shop}", close: "Close chat", title: "{shop} assistant", input: "Type your message",
      send: "Send message", hint: "Enter sends, Shift+Enter adds a line",
      mic: "Voice message: hold to talk, or press once to start and again to send",
      listening: "Listening… release or press again to send, Escape cancels",
      online: "Online", connecting: "Connecting…", reconnecting: "Reconnecting…", typing: "The assistant is typing…",
      you: "You said:", bot: "Assistant:", agent: "{agent} (staff):", staff: "A staff member",
      voice: "Voice message…", spoken: "spoken", queued: "waiting to send", suggestions: "Suggested replies",
      products: "Products", view: "View product", rated: "Rated {rating} out of 5",
      inStock: "In stock", lowStock: "Only {n} left", outOfStock: "Out of stock",
      tooLong: "Your message is too long ({n} characters; at most {max}). Please shorten it.",
      micBlocked: "Microphone access is blocked. Allow it in your browser's site settings, or type your message.",
      micMissing: "No microphone was found. Please type your message instead.",
      micFailed: "Recording did not work. Please try again or type your message.",
      takeoverStarted: "You're now chatting with {agent}.", takeoverEnded: "{agent} has left the chat.",
      image: "Image from the assistant"
    },
    de: {
      open: "Chat mit {shop}", close: "Chat schließen", title: "{shop} Assistent", input: "Nachricht eingeben",
      send: "Nachricht senden", hint: "Enter sendet, Umschalt+Enter fügt eine Zeile hinzu",
      mic: "Sprachnachricht: gedrückt halten zum Sprechen, oder einmal drücken zum Starten und erneut zum Senden",
      listening: "Ich höre zu… loslassen oder erneut drücken zum Senden, Escape bricht ab",
      online: "Online", connecting: "Verbinde…", reconnecting: "Verbindung wird wiederhergestellt…",
      typing: "Der Assistent schreibt…", you: "Sie:", bot: "Assistent:", agent: "{agent} (Team):",
      staff: "Ein Teammitglied", voice: "Sprachnachricht…", spoken: "gesprochen", queued: "wird gesendet",
      suggestions: "Antwortvorschläge", products: "Produkte", view: "Zum Produkt", rated: "Bewertet mit {rating} von 5",
      inStock: "Auf Lager", lowStock: "Nur noch {n}", outOfStock: "Nicht auf Lager",
      tooLong: "Ihre Nachricht ist zu lang ({n} Zeichen; höchstens {max}). Bitte kürzen Sie sie.",
      micBlocked: "Der Mikrofonzugriff ist blockiert. Erlauben Sie ihn in den Website-Einstellungen oder tippen Sie.",
      micMissing: "Kein Mikrofon gefunden. Bitte tippen Sie Ihre Nachricht.",
      micFailed: "Die Aufnahme hat nicht funktioniert. Bitte erneut versuchen oder tippen.",
      takeoverStarted: "Sie chatten jetzt mit {agent}.", takeoverEnded: "{agent} hat den Chat verlassen.",
      image: "Bild vom Assistenten"
    }
  };
  var HISTORY_LIMIT = 100;
  var HOLD_MS = 500; // a press held this long is push-to-talk; shorter ones toggle
  var BACKOFF_MS = [500, 15000]; // first retry, cap
  var RECORDING_TYPES = [["audio/webm;codecs=opus", "webm"], ["audio/ogg;codecs=opus", "ogg"], ["audio/mp4", "mp4"]];

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return key in values ? String(values[key]) : ""; });
  }

  // ---- config: checked up front; a bad one is a clear console error and no widget ----
  function readConfig(raw, scriptSrc) {
    raw = raw || {};
    var fail = function (message) { throw new Error("[ecomai widget] " + message); };
    var base = scriptSrc ? new URL(".", scriptSrc) : new URL(".", location.href);
    var socketUrl = raw.socketUrl || new URL("ws", base).href.replace(/^http/, "ws");
    if (!/^wss?:\/\//.test(socketUrl)) fail("socketUrl must be a ws:// or wss:// URL, got " + JSON.stringify(socketUrl));
    if (raw.customerToken != null && (typeof raw.customerToken !== "string" || !raw.customerToken)) {
      fail("customerToken must be the signed token string, or left out for guests");
    }
    var position = raw.position || "right";
    if (position !== "right" && position !== "left") fail('position must be "right" or "left"');
    var colors = raw.colors || {};
    Object.keys(colors).forEach(function (name) {
      if (["accent", "accentText", "background", "text"].indexOf(name) < 0) fail("unknown colour " + name);
      if (!CSS.supports("color", colors[name])) fail("colors." + name + " is not a CSS colour");
    });
    var lang = String(raw.language || document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    var maxTextChars = raw.maxTextChars == null ? 2000 : raw.maxTextChars;
    if (!(maxTextChars >= 1)) fail("maxTextChars must be a positive number");
    var maxAudioSeconds = raw.maxAudioSeconds == null ? 30 : raw.maxAudioSeconds;
    if (!(maxAudioSeconds >= 1 && maxAudioSeconds <= 30)) fail("maxAudioSeconds must be between 1 and 30");
    var currency = raw.currency || "USD";
    try { new Intl.NumberFormat("en", { style: "currency", currency: currency }); } catch (e) {
      fail("currency must be an ISO 4217 code such as USD, got " + JSON.stringify(currency));
    }
    return {
      socketUrl: socketUrl, cssUrl: new URL("widget.css", base).href, shopName: String(raw.shopName || "Shop"),
      customerToken: raw.customerToken || null, position: position, colors: colors,
      lang: STRINGS[lang] ? lang : "en", strings: Object.assign({}, STRINGS.en, STRINGS[lang], raw.strings || {}),
      currency: currency, maxTextChars: maxTextChars, maxAudioSeconds: maxAudioSeconds,
      open: raw.open === true
    };
  }

  // ---- sessionStorage, which may be switched off (private modes): then memory only ----
  function Store(prefix) {
    var memory = {};
    this.get = function (key) {
      try { return JSON.parse(sessionStorage.getItem(prefix + key)); } catch (e) { return memory[key] || null; }
    };
    this.set = function (key, value) {
      memory[key] = value;
      try { sessionStorage.setItem(prefix + key, JSON.stringify(value)); } catch (e) { /* memory only */ }
    };
  }

  // Who the token names, read (not verified: the server does that) only so that one
  // shopper's transcript is never shown to the next person signed in, or out, in this tab.
  function tokenOwner(token) {
    if (!token) return "guest";
    try {
      return "customer:" + JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub;
    } catch (e) { return "customer:?"; }
  }

  // ---- Connection: one socket at a time, resumed with the same session after a drop ----
  function Connection(config, store, on) {
    var ws = null, ready = false, attempt = 0, timer = null, pending = [], token = config.customerToken;

    function open() {
      timer = null;
      on.state(attempt ? "reconnecting" : "connecting");
      var socket;
      try { socket = new WebSocket(config.socketUrl); } catch (e) { retry(); return; }
      ws = socket;
      socket.onopen = function () {
        var hello = { type: "hello" };
        if (store.get("session")) hello.session_id = store.get("session");
        if (token) hello.customer_token = token;
        socket.send(JSON.stringify(hello));
      };
      socket.onmessage = function (event) { if (ws === socket) receive(event.data); };
      socket.onclose = function () {
        if (ws !== socket) return;
        ws = null; ready = false;
        retry();
      };
    }
    function retry() {
      on.state("reconnecting");
      var delay = Math.min(BACKOFF_MS[1], BACKOFF_MS[0] * Math.pow(2, attempt));
      attempt += 1;
      timer = setTimeout(open, delay * (0.75 + Math.random() / 4)); // jitter: a restarted server is not stampeded
    }
    function receive(data) {
      var frame;
      try { frame = JSON.parse(data); } catch (e) { return; }
      if (!frame || typeof frame.type !== "string") return;
      if (frame.type === "session") {
        ready = true; attempt = 0;
        on.frame(frame);
        pending.forEach(function (item) { ws.send(item.raw); });
        on.state("online");
        return;
      }
      if (frame.type === "error" && frame.code === "invalid_token") token = null; // guest from now on, say it once
      if ((frame.type === "received" || frame.type === "error") && frame.message_id) {
        pending = pending.filter(function (item) { return item.id !== frame.message_id; });
      }
      on.frame(frame);
    }
    this.start = function () { if (!ws && !timer) open(); };
    this.send = function (frame) {
      var item = { id: frame.message_id, raw: JSON.stringify(frame) };
      pending.push(item);
      if (ready) ws.send(item.raw); else this.start();
    };
    this.isReady = function () { return ready; };
    this.isPending = function (id) { return pending.some(function (item) { return item.id === id; }); };
    window.addEventListener("online", function () { // back online: do not wait out the backoff
      if (timer) { clearTimeout(timer); open(); }
    });
  }

  // ---- Recorder: MediaRecorder around one push-to-talk message ----
  function Recorder(maxSeconds, on) {
    var recorder = null, stream = null, cancelled = false, limitTimer = null, starting = false;
    this.supported = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
    this.active = function () { return starting || recorder !== null; };
    this.start = function () {
      if (this.active()) return;
      starting = true; cancelled = false;
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (media) {
        starting = false;
        if (cancelled) { media.getTracks().forEach(function (t) { t.stop(); }); return; }
        stream = media;
        var type = RECORDING_TYPES.filter(function (t) { return MediaRecorder.isTypeSupported(t[0]); })[0];
        var chunks = [];
        recorder = new MediaRecorder(stream, type ? { mimeType: type[0], audioBitsPerSecond: 32000 } : {});
        recorder.ondataavailable = function (event) { if (event.data.size) chunks.push(event.data); };
        recorder.onstop = function () {
          var wasCancelled = cancelled;
          release();
          if (!wasCancelled && chunks.length) on.recorded(new Blob(chunks, { type: chunks[0].type }), type ? type[1] : null);
        };
        recorder.start();
        limitTimer = setTimeout(function () { if (recorder) recorder.stop(); }, maxSeconds * 1000 - 300);
        on.state(true);
      }).catch(function (error) {
        starting = false;
        release();
        on.failed(error && (error.name === "NotAllowedError" || error.name === "SecurityError") ? "micBlocked"
          : error && error.name === "NotFoundError" ? "micMissing" : "micFailed");
      });
    };
    this.stop = function (cancel) {
      if (starting) { cancelled = true; return; } // released before the microphone opened: nothing said yet
      cancelled = !!cancel;
      if (recorder && recorder.state !== "inactive") recorder.stop();
    };
    function release() {
      clearTimeout(limitTimer);
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      recorder = null; stream = null;
      on.state(false);
    }
  }

  function blobToBase64(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(String(reader.result).split(",")[1] || ""); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsDataURL(blob);
    });
  }

  // ---- DOM helpers ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (attrs[key] === true) node.setAttribute(key, "");
      else if (attrs[key] !== false && attrs[key] != null) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  var ICONS = { // Material icons; SVG because shoppers' systems may lack an emoji font
    chat: "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z",
    mic: "M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z",
    send: "M2.01 21 23 12 2.01 3 2 10l15 2-15 2z"
  };
  function icon(name) {
    var ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg"), path = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false");
    path.setAttribute("d", ICONS[name]); path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }
  function srOnly(text) { return el("span", { "class": "sr", text: text + " " }); }
  function safeUrl(value) {
    try {
      var url = new URL(String(value), location.href);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (e) { return null; }
  }
  function withLinks(text) { // bot text may hold tracking links; text nodes only, never innerHTML
    var out = document.createDocumentFragment(), last = 0, pattern = /https?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g, match;
    while ((match = pattern.exec(text))) {
      out.appendChild(document.createTextNode(text.slice(last, match.index)));
      out.appendChild(el("a", { href: match[0], target: "_blank", rel: "noopener noreferrer", text: match[0] }));
      last = match.index + match[0].length;
    }
    out.appendChild(document.createTextNode(text.slice(last)));
    return out;
  }
  var seq = 0;
  function newMessageId() { seq += 1; return "w" + Date.now().toString(36) + "-" + seq; }

  // ---- Widget: the view and what the shopper does in it ----
  function Widget(config) {
    var t = config.strings, store = new Store("ecomai:"), self = this;
    var host = el("div", { id: "ecomai-widget", "data-position": config.position });
    var root = host.attachShadow({ mode: "open" });
    Object.keys(config.colors).forEach(function (name) { host.style.setProperty("--ecomai-" + name, config.colors[name]); });
    var names = { shop: config.shopName };
    var launcher = el("button", { "class": "launcher", type: "button", "aria-expanded": "false", "aria-controls": "panel",
      "aria-label": fill(t.open, names) }, [icon("chat")]);
    var status = el("p", { "class": "status", id: "status", role: "status", text: t.connecting });
    var closeButton = el("button", { "class": "close", type: "button", "aria-label": t.close, text: "×" });
    var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": fill(t.title, names), tabindex: "0" });
    var typing = el("div", { "class": "typing", hidden: true }, [el("span", { "class": "dots", "aria-hidden": "true" },
      [el("span"), el("span"), el("span")]), srOnly(t.typing)]);
    var input = el("textarea", { id: "input", rows: "1", "aria-label": t.input, placeholder: t.input,
      "aria-describedby": "hint counter", enterkeyhint: "send" });
    var counter = el("span", { "class": "counter", id: "counter" });
    var mic = el("button", { "class": "mic", type: "button", "aria-label": t.mic, "aria-pressed": "false",
      hidden: true }, [icon("mic")]);
    var send = el("button", { "class": "send", type: "submit", "aria-label": t.send }, [icon("send")]);
    var listening = el("p", { "class": "listening", role: "status", hidden: true, text: t.listening });
    var form = el("form", { "class": "composer" }, [input, mic, send]);
    var panel = el("section", { "class": "panel", id: "panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "title", hidden: true }, [
      el("header", {}, [el("div", {}, [el("h2", { id: "title", text: fill(t.title, names) }), status]), closeButton]),
      log, typing, listening, form,
      el("p", { "class": "hint", id: "hint" }, [el("span", { text: t.hint }), counter])
    ]);
    var stylesheet = el("link", { rel: "stylesheet", href: config.cssUrl });
    host.style.visibility = "hidden"; // until our CSS is in: no flash of an unstyled widget
    stylesheet.onload = stylesheet.onerror = function () { host.style.visibility = ""; };
    root.append(stylesheet, launcher, panel);

    var owner = tokenOwner(config.customerToken), previousOwner = store.get("owner");
    if (previousOwner && previousOwner !== "guest" && previousOwner !== owner) { // signed out, or someone else
      ["session", "history", "agentSeen", "open"].forEach(function (key) { store.set(key, null); });
    }
    store.set("owner", owner); // a guest who signs in keeps the conversation, as the server does
    var waiting = {}; // message id -> "queued" | "received": turns whose reply we wait for
    var voiceBubbles = {}; // message id -> the shopper bubble a transcript will fill in
    var history = store.get("history") || [];
    var connection = new Connection(config, store, { frame: onFrame, state: onState });
    var recorder = new Recorder(config.maxAudioSeconds, {
      recorded: sendVoice, failed: function (key) { notice(t[key]); },
      state: function (on) {
        mic.setAttribute("aria-pressed", String(on)); mic.classList.toggle("recording", on); listening.hidden = !on;
      }
    });
    mic.hidden = !recorder.supported; // e.g. plain http off localhost: no microphone API, so no button

    function remember(item) {
      history.push(item);
      if (history.length > HISTORY_LIMIT) history = history.slice(-HISTORY_LIMIT);
      store.set("history", history);
    }
    function render(item, live) {
      if (item.kind === "user") return shopperBubble(item.text, item.spoken);
      if (item.kind === "notice" || item.kind === "info") return log.appendChild(el("p", { "class": item.kind, text: item.text }));
      if (item.kind === "agent") {
        return log.appendChild(el("div", { "class": "msg agent" }, [
          el("span", { "class": "who", text: fill(t.agent, { agent: item.agent || t.staff }) }), withLinks(item.text)]));
      }
      botMessage(item.frame, live);
    }
    function add(item) { remember(item); return render(item, true); }
    function notice(text) { add({ kind: "notice", text: text }); scrollDown(); }
    function shopperBubble(text, spoken) {
      return log.appendChild(el("div", { "class": "msg user" + (spoken ? " spoken" : "") }, [srOnly(t.you),
        el("span", { "class": "text", text: text }), spoken ? el("span", { "class": "tag" }, [icon("mic"), el("span", { text: t.spoken })]) : null]));
    }
    function botMessage(frame, live) {
      var bubble = el("div", { "class": "msg bot" }, [srOnly(t.bot)]);
      if (frame.text) bubble.appendChild(withLinks(frame.text));
      var image = frame.image && safeUrl(frame.image);
      if (image) bubble.appendChild(el("img", { src: image, alt: t.image, loading: "lazy" }));
      if (frame.text || image) log.appendChild(bubble);
      var custom = frame.custom;
      if (custom && custom.type === "product_cards" && Array.isArray(custom.products)) log.appendChild(productCards(custom.products));
      if (live && Array.isArray(frame.buttons) && frame.buttons.length) log.appendChild(quickReplies(frame.buttons));
    }
    function quickReplies(buttons) {
      var group = el("div", { "class": "quick", role: "group", "aria-label": t.suggestions });
      buttons.forEach(function (button) {
        var node = el("button", { type: "button", text: button.title });
        node.addEventListener("click", function () {
          group.remove(); // one-shot, like a reply: the conversation has moved on
          sendText(button.payload, button.title);
          input.focus();
        });
        group.appendChild(node);
      });
      return group;
    }
    function productCards(products) {
      var price = new Intl.NumberFormat(config.lang, { style: "currency", currency: config.currency });
      var list = el("ul", { "class": "cards", "aria-label": t.products });
      products.forEach(function (p) {
        var hue = 0;
        String(p.sku || p.name).split("").forEach(function (c) { hue = (hue * 31 + c.charCodeAt(0)) % 360; });
        var thumb = el("div", { "class": "thumb", "aria-hidden": "true", text: String(p.name || "?").slice(0, 1) });
        thumb.style.setProperty("--hue", hue);
        var stock = !p.in_stock ? ["out", t.outOfStock] : p.stock <= 5 ? ["low", fill(t.lowStock, { n: p.stock })] : ["in", t.inStock];
        var url = safeUrl(p.url);
        list.appendChild(el("li", { "class": "card" }, [thumb, el("h3", { text: p.name }),
          el("p", { "class": "price", text: typeof p.price === "number" ? price.format(p.price) : "" }),
          typeof p.rating === "number" ? el("p", { "class": "rating" }, [el("span", { "aria-hidden": "true", text: "★ " + p.rating.toFixed(1) }),
            srOnly(fill(t.rated, { rating: p.rating.toFixed(1) }))]) : null,
          el("p", { "class": "stock " + stock[0], text: stock[1] }),
          url ? el("a", { href: url, target: "_blank", rel: "noopener" }, [el("span", { text: t.view }), srOnly(": " + p.name)]) : null
        ]));
      });
      return list;
    }
    var queued = {}; // message id -> its bubble, shown as waiting while the socket is down
    function markQueued(id, bubble) {
      queued[id] = bubble;
      bubble.classList.add("queued");
      bubble.appendChild(el("span", { "class": "tag queued-tag", text: t.queued }));
    }
    function unmarkQueued(id) {
      var bubble = queued[id];
      if (!bubble) return;
      delete queued[id];
      bubble.classList.remove("queued");
      var tag = bubble.querySelector(".queued-tag");
      if (tag) tag.remove();
    }
    function scrollDown() { log.scrollTop = log.scrollHeight; }
    function updateTyping() {
      // The server's `received` means the bot is on it; a frame still queued is not typing.
      typing.hidden = !Object.keys(waiting).some(function (id) { return waiting[id] === "received"; });
    }

    function onState(state) {
      status.textContent = t[state];
      panel.setAttribute("data-state", state);
    }
    function onFrame(frame) {
      var id = frame.message_id;
      switch (frame.type) {
        case "session":
          if (store.get("session") && store.get("session") !== frame.session_id) { // not resumed: a new conversation
            history = []; store.set("history", history); log.textContent = "";
          }
          store.set("session", frame.session_id);
          // Replies to turns accepted before a drop come from the server's outbox now; their
          // turn_complete went to the old socket. Unacknowledged ones are being re-sent.
          Object.keys(waiting).forEach(function (key) { if (!connection.isPending(key)) delete waiting[key]; });
          break;
        case "received": if (id in waiting) waiting[id] = "received"; unmarkQueued(id); break;
        case "transcript": {
          var bubble = voiceBubbles[id];
          if (bubble) { bubble.remove(); delete voiceBubbles[id]; }
          add({ kind: "user", text: frame.text, spoken: true });
          break;
        }
        case "bot": add({ kind: "bot", frame: frame }); break;
        case "agent_message": case "takeover_started": case "takeover_ended":
          if (firstTime(frame.id)) add(agentItem(frame));
          break;
        case "error":
          unmarkQueued(id);
          if (id && voiceBubbles[id]) { voiceBubbles[id].remove(); delete voiceBubbles[id]; }
          if (id && !(id in waiting) && frame.code !== "invalid_token") break; // not ours (already handled)
          notice(frame.message || "Sorry, something went wrong.");
          if (id && frame.code !== "bot_unavailable") delete waiting[id]; // refused: no turn_complete follows
          break;
        case "turn_complete": delete waiting[id]; break;
        default: return; // a frame from a newer server: ignore it
      }
      updateTyping();
      scrollDown();
    }

    // Staff pushes come at least once (numbered): show each id once, across page changes too.
    function firstTime(id) {
      if (typeof id !== "number") return true;
      var seen = store.get("agentSeen") || [];
      if (seen.indexOf(id) >= 0) return false;
      store.set("agentSeen", seen.concat([id]).slice(-HISTORY_LIMIT));
      return true;
    }
    function agentItem(frame) {
      var agent = String(frame.agent || t.staff);
      if (frame.type === "agent_message") return { kind: "agent", text: String(frame.text || ""), agent: agent };
      var fallback = frame.type === "takeover_started" ? t.takeoverStarted : t.takeoverEnded;
      return { kind: "info", text: String(frame.text || fill(fallback, { agent: agent })) };
    }
    function textLength(text) { return Array.from(text).length; } // code points, as the server counts
    function sendText(text, shown) {
      var id = newMessageId();
      var bubble = add({ kind: "user", text: shown });
      if (!connection.isReady()) markQueued(id, bubble);
      waiting[id] = "queued";
      connection.send({ type: "text", text: text, message_id: id });
      updateTyping(); scrollDown();
    }
    function sendVoice(blob, format) {
      var id = newMessageId();
      voiceBubbles[id] = shopperBubble(t.voice, true);
      if (!connection.isReady()) markQueued(id, voiceBubbles[id]);
      waiting[id] = "queued";
      updateTyping(); scrollDown();
      blobToBase64(blob).then(function (data) {
        var frame = { type: "audio", data: data, message_id: id };
        if (format) frame.format = format;
        connection.send(frame);
      }, function () { delete waiting[id]; notice(t.micFailed); updateTyping(); });
    }
    function submit() {
      var text = input.value.trim();
      if (!text) return;
      if (textLength(text) > config.maxTextChars) {
        notice(fill(t.tooLong, { n: textLength(text), max: config.maxTextChars }));
        return; // the text stays in the box to be shortened
      }
      input.value = "";
      onInput();
      sendText(text, text);
    }
    function onInput() {
      var n = textLength(input.value);
      counter.textContent = n > config.maxTextChars * 0.8 ? " · " + n + " / " + config.maxTextChars : "";
      counter.classList.toggle("over", n > config.maxTextChars);
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight, 120) + "px";
    }

    function setOpen(open, focusLauncher) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      host.classList.toggle("open", open);
      store.set("open", open);
      if (open) { connection.start(); scrollDown(); input.focus(); } else if (focusLauncher) launcher.focus();
    }
    launcher.addEventListener("click", function () { setOpen(panel.hidden, false); });
    closeButton.addEventListener("click", function () { setOpen(false, true); });
    panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.preventDefault();
      if (recorder.active()) recorder.stop(true); else setOpen(false, true);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
    input.addEventListener("input", onInput);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    });

    // Push-to-talk: a press starts recording; releasing after HOLD_MS sends (hold), an
    // earlier release leaves it running until the next press (toggle). Space works like
    // the mouse; a plain click (Enter, screen readers) toggles.
    var pressedAt = 0, spaceHandled = false;
    function press() {
      if (recorder.active()) { recorder.stop(false); pressedAt = 0; } else { recorder.start(); pressedAt = Date.now(); }
    }
    function release() { if (pressedAt && Date.now() - pressedAt >= HOLD_MS) recorder.stop(false); pressedAt = 0; }
    mic.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      mic.setPointerCapture(event.pointerId);
      press();
    });
    mic.addEventListener("pointerup", release);
    mic.addEventListener("keydown", function (event) {
      if (event.key !== " ") return;
      event.preventDefault();
      if (!event.repeat) { spaceHandled = true; press(); }
    });
    mic.addEventListener("keyup", function (event) {
      if (event.key !== " ") return;
      event.preventDefault();
      release();
      setTimeout(function () { spaceHandled = false; }, 0); // after the click this keyup may cause
    });
    mic.addEventListener("click", function (event) {
      if (event.detail > 0 || spaceHandled) return; // the pointer or Space handlers did it
      if (recorder.active()) recorder.stop(false); else recorder.start();
    });

    history.forEach(function (item, index) { render(item, index === history.length - 1); });
    document.body.appendChild(host);
    if (config.open || store.get("open")) setOpen(true, false);
    else if (store.get("session")) connection.start(); // a conversation is under way: hear pushes
    self.open = function () { setOpen(true, false); };
    self.close = function () { setOpen(false, false); };
  }

  function mount() {
    try {
      window.__ecomaiWidget = new Widget(readConfig(window.EcomaiWidget, script && script.src));
    } catch (error) {
      console.error(error.message || error);
    }
  }
  window.__ecomaiWidget = true; // claimed while the page is still loading
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
