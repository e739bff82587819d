// Live transcript: polls the JSON API for messages newer than the last one shown and
// for who holds the conversation, and sends staff replies without a reload. Text is
// always inserted with textContent (shopper text is never HTML).
"use strict";

(function () {
  const table = document.getElementById("transcript");
  const box = document.getElementById("takeover");
  if (!table || !box) return;
  const session = box.dataset.session;
  const csrf = table.dataset.csrf;
  const pollMs = Number(table.dataset.pollMs) || 2000;
  let after = Number(table.dataset.after) || 0;
  let heldBy = null;
  let known = false;  // heldBy is known after the first poll
  const status = document.getElementById("live-status");
  const base = "/api/conversations/" + encodeURIComponent(session) + "/messages";

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    return td;
  }

  function row(m) {
    const tr = document.createElement("tr");
    tr.className = "sender-" + m.sender;
    tr.dataset.id = m.id;
    const from = cell(m.sender + (m.from_speech ? " 🎤 spoken" : ""));
    const entities = (m.entities || []).map(function (e) { return e.entity + "=" + e.value; }).join(" ");
    [cell(m.created_at), from, cell(m.text), cell(m.intent),
     cell(m.confidence == null ? "" : m.confidence.toFixed(2)),
     cell(m.sentiment == null ? "" : m.sentiment), cell(entities), cell(m.action),
     cell(m.latency_ms == null ? "" : Math.round(m.latency_ms) + " ms"),
     cell(m.reviewable ? "reload to review" : "")].forEach(function (td) { tr.appendChild(td); });
    return tr;
  }

  async function poll() {
    try {
      const response = await fetch(base + "?after=" + after, { headers: { Accept: "application/json" } });
      if (response.status === 401) { status.textContent = "Your session ended: log in again."; return; }
      if (response.ok) {
        const data = await response.json();
        const body = table.tBodies[0];
        data.messages.forEach(function (m) { body.appendChild(row(m)); after = Math.max(after, m.id); });
        const holder = data.takeover ? data.takeover.staff : null;
        // Someone took over or handed back: reload, so the right buttons show.
        if (known && holder !== heldBy) { window.location.reload(); return; }
        heldBy = holder;
        known = true;
        status.textContent = "Live · updated " + new Date().toLocaleTimeString();
      } else {
        status.textContent = "Could not refresh (" + response.status + "); retrying.";
      }
    } catch (err) {
      status.textContent = "Console unreachable; retrying.";
    }
    window.setTimeout(poll, pollMs);
  }

  const form = document.getElementById("reply-form");
  if (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const input = form.elements.namedItem("text");
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ text: input.value }),
      });
      if (response.ok) { input.value = ""; } else {
        const data = await response.json().catch(function () { return {}; });
        status.textContent = data.message || "The reply was not sent.";
      }
    });
  }
  window.setTimeout(poll, pollMs);
})();
