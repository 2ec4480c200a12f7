import { createHash } from 'node:crypto';

/** The web page and the Content-Security-Policy that lets only its own inline code run. */
export interface AdminPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

const STYLE = `
:root { --fg: #1d2430; --muted: #667085; --line: #e3e7ee; --bg: #f6f7f9; --accent: #2563eb; }
* { box-sizing: border-box; }
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 16px; align-items: baseline; padding: 12px 20px; background: #111827; color: #f9fafb; }
header h1 { font-size: 16px; margin: 0; }
header .counts { color: #cbd5e1; }
header .live { margin-left: auto; font-size: 12px; }
header .live.on::before { content: "●"; color: #22c55e; margin-right: 4px; }
header .live.off::before { content: "●"; color: #ef4444; margin-right: 4px; }
main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; padding: 8px 20px 16px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 14px; margin: 0 0 8px; display: flex; gap: 10px; align-items: center; }
h2 input { font: inherit; padding: 2px 6px; border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); padding: 4px 6px; }
td { border-bottom: 1px solid #f0f2f5; padding: 4px 6px; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 11px; margin: 1px 2px 1px 0; background: #e5e7eb; }
.Available { background: #dcfce7; } .Occupied, .Charging, .Preparing, .SuspendedEV, .SuspendedEVSE, .Finishing { background: #dbeafe; }
.Unavailable { background: #fef3c7; } .Faulted { background: #fee2e2; } .Reserved { background: #ede9fe; }
.online { color: #15803d; } .offline { color: var(--muted); }
button { font: inherit; font-size: 12px; padding: 1px 8px; border: 1px solid #cbd5e1; background: #fff; border-radius: 4px; cursor: pointer; }
button:hover { border-color: var(--accent); color: var(--accent); }
#frames { font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, monospace; }
#frames td.frame { word-break: break-all; }
.dir { white-space: nowrap; } .in { color: #0369a1; } .out { color: #7c3aed; }
.scroll { max-height: 360px; overflow: auto; }
.frames.scroll { max-height: 420px; }
#status { padding: 6px 20px 0; min-height: 18px; margin: 0; color: var(--muted); }
td.nowrap, td.time { white-space: nowrap; }
#status.error { color: #b91c1c; }
.gone { color: #b45309; font-weight: 500; }
.note { color: #b45309; font-size: 11px; }
`;

const SCRIPT = `
"use strict";
const state = { stations: new Map(), transactions: new Map(), frames: [], info: {} };
const MAX_FRAMES = 300, MAX_ROWS = 500, MAX_KEPT = 5000;
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const time = (iso) => iso ? new Date(iso).toLocaleTimeString() : "";
const txKey = (identity, id) => identity + "\\u0000" + id;
let dirty = false;
function schedule() { if (!dirty) { dirty = true; requestAnimationFrame(render); } }
function status(text, error) { const s = $("status"); s.textContent = text; s.className = error ? "error" : ""; }

// The admin token comes in the URL fragment ocpp csms prints (#token=...), which browsers never
// send to a server. It is kept for this tab only and taken out of the address bar and history.
const TOKEN_KEY = "ocpp-csms-admin-token";
let token = "";
{
  const given = new URLSearchParams(location.hash.slice(1)).get("token");
  if (given) {
    token = given;
    try { sessionStorage.setItem(TOKEN_KEY, given); } catch {}
    history.replaceState(null, "", location.pathname + location.search);
  } else {
    try { token = sessionStorage.getItem(TOKEN_KEY) || ""; } catch {}
  }
}
const auth = () => ({ Authorization: "Bearer " + token });
const NO_TOKEN = "This page needs the admin token: open the address ocpp csms printed at start (it ends with #token=…).";

function merge(data) {
  for (const r of data.removed || []) {
    if (r.transactionId === undefined) {
      state.stations.delete(r.identity);
      for (const [k, t] of state.transactions) if (t.identity === r.identity) state.transactions.delete(k);
    } else state.transactions.delete(txKey(r.identity, r.transactionId));
  }
  for (const s of data.stations || []) state.stations.set(s.identity, s);
  for (const t of data.transactions || []) state.transactions.set(txKey(t.identity, t.id), t);
  // The CSMS forgets finished transactions beyond its limit; so does the page.
  if (state.transactions.size > MAX_KEPT) {
    for (const [k, t] of state.transactions) {
      if (state.transactions.size <= MAX_KEPT) break;
      if (!t.active) state.transactions.delete(k);
    }
  }
  if (!$("pause").checked) {
    for (const f of data.frames || []) state.frames.push(f);
    if (state.frames.length > MAX_FRAMES) state.frames.splice(0, state.frames.length - MAX_FRAMES);
  }
  schedule();
}

function txState(t) {
  if (!t.active) return esc(t.stopReason || "ended");
  // No end was heard of and the station has gone: the CSMS cannot know whether it still charges.
  if (t.stationConnected === false) return 'charging <span class="gone">· station disconnected</span>';
  return "charging";
}

function render() {
  dirty = false;
  const info = state.info;
  $("endpoint").textContent = info.url ? info.url + "/{identity}" : "";
  function provisioning(p) {
    if (!p) return "";
    const parts = [];
    if (p.deviceModel) parts.push(p.deviceModel.variables + " variables");
    if (p.certificate) parts.push('<span title="' + esc(p.certificate.subject + " · until " + p.certificate.validTo) + '">certificate</span>');
    if (p.displayMessages) parts.push(p.displayMessages.ids.length + " messages");
    if (p.events && p.events.length) { const e = p.events[p.events.length - 1]; parts.push('<span title="' + esc(e.at + " " + e.type + (e.detail ? " = " + e.detail : "")) + '">' + p.events.length + " events</span>"); }
    return parts.join(" · ");
  }
  const stations = [...state.stations.values()].sort((a, b) => a.identity.localeCompare(b.identity));
  const online = stations.filter((s) => s.connected).length;
  const txs = [...state.transactions.values()].sort((a, b) => (b.startedAt || "").localeCompare(a.startedAt || ""));
  const active = txs.filter((t) => t.active).length;
  $("counts").textContent = online + " of " + stations.length + " stations connected · " + active + " transactions running";
  const filter = $("filter").value.trim().toLowerCase();
  const shown = stations.filter((s) => !filter || s.identity.toLowerCase().includes(filter)).slice(0, MAX_ROWS);
  $("stations").tBodies[0].innerHTML = shown.map((s) => {
    const connectors = s.connectors.map((c) => '<span class="badge ' + esc(c.status16 || c.status) + '" title="EVSE ' + c.evseId + ', connector ' + c.connectorId + (c.errorCode ? ", " + esc(c.errorCode) : "") + '">' + c.evseId + (c.connectorId > 1 ? "/" + c.connectorId : "") + " " + esc(c.status16 || c.status) + "</span>").join(" ");
    const model = s.boot ? esc(s.boot.vendor + " " + s.boot.model) : "";
    const dropped = s.droppedTransactions ? ' <span class="note" title="the CSMS keeps a limited number of open transactions per station">' + s.droppedTransactions + " older open transactions dropped</span>" : "";
    const buttons = s.connected ? '<button data-op="remote-start" data-id="' + esc(s.identity) + '">Start</button> <button data-op="reset" data-id="' + esc(s.identity) + '">Reset</button>' : "";
    return '<tr data-station="' + esc(s.identity) + '"><td class="nowrap">' + esc(s.identity) + "</td><td>" + esc(s.protocol) + '</td><td class="' + (s.connected ? "online" : "offline") + '">' + (s.connected ? "connected" : "offline") + dropped + "</td><td>" + model + "</td><td>" + connectors + "</td><td>" + provisioning(s.provisioning) + '</td><td class="time">' + time(s.lastHeartbeat) + '</td><td class="nowrap">' + buttons + "</td></tr>";
  }).join("");
  $("transactions").tBodies[0].innerHTML = txs.slice(0, MAX_ROWS).map((t) => {
    const stop = t.active && t.stationConnected !== false ? '<button data-op="remote-stop" data-id="' + esc(t.identity) + '" data-tx="' + esc(t.id) + '">Stop</button>' : "";
    const kw = t.powerW === undefined ? "" : (t.powerW / 1000).toFixed(1);
    const shortId = t.id.length > 12 ? t.id.slice(0, 8) + "…" : t.id;
    return '<tr data-transaction="' + esc(t.id) + '" data-station-connected="' + (t.stationConnected !== false) + '"><td class="nowrap">' + esc(t.identity) + '</td><td class="nowrap" title="' + esc(t.id) + '">' + esc(shortId) + "</td><td>" + esc(t.evseId ?? "") + "</td><td>" + esc(t.idToken ?? "") + '</td><td class="time">' + time(t.startedAt) + '</td><td class="num">' + (t.energyWh / 1000).toFixed(2) + '</td><td class="num">' + kw + '</td><td class="num">' + (t.socPercent === undefined ? "" : t.socPercent + " %") + '</td><td class="state">' + txState(t) + "</td><td>" + stop + "</td></tr>";
  }).join("");
  $("frames").tBodies[0].innerHTML = state.frames.slice().reverse().map((f) =>
    '<tr data-seq="' + f.seq + '"><td class="time">' + time(f.time) + '</td><td class="nowrap">' + esc(f.identity) + '</td><td class="dir ' + (f.from === "station" ? "in" : "out") + '">' + (f.from === "station" ? "station → csms" : "csms → station") + '</td><td class="frame" title="' + (f.frame.length > 300 ? esc(f.frame) : "") + '">' + esc(f.frame.length > 300 ? f.frame.slice(0, 300) + " …" : f.frame) + "</td></tr>").join("");
}

async function operate(op, identity, body) {
  status(op + " " + identity + " …");
  try {
    const res = await fetch("/api/stations/" + encodeURIComponent(identity) + "/" + op, { method: "POST", headers: { ...auth(), "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (res.status === 401) { status(NO_TOKEN, true); return; }
    const answer = await res.json();
    if (!res.ok) { status(op + " " + identity + ": " + answer.error, true); return; }
    status(op + " " + identity + ": " + JSON.stringify(answer.result));
  } catch (e) { status(op + " " + identity + ": " + e, true); }
}

document.addEventListener("click", (e) => {
  const b = e.target.closest("button[data-op]");
  if (!b) return;
  const op = b.dataset.op, id = b.dataset.id;
  if (op === "remote-start") {
    const s = state.stations.get(id);
    const free = s && s.connectors.find((c) => c.evseId > 0 && c.status === "Available");
    operate(op, id, { idToken: "WEB-" + Math.floor(Math.random() * 1e6), ...(free ? { evseId: free.evseId } : {}) });
  } else if (op === "remote-stop") operate(op, id, { transactionId: b.dataset.tx });
  else if (op === "reset") { if (confirm("Reset " + id + "?")) operate(op, id, { type: "Immediate" }); }
});
$("filter").addEventListener("input", schedule);

function live(on, text) { $("live").className = "live " + (on ? "on" : "off"); $("live").textContent = text; }

// One Server-Sent Events message: "event:" and "data:" lines (comments and "retry:" ignored).
function dispatch(block) {
  let event = "message", data = "";
  for (const line of block.split("\\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += (data ? "\\n" : "") + line.slice(5).replace(/^ /, "");
  }
  if (!data) return;
  const body = JSON.parse(data);
  if (event === "hello") {
    state.info = body.info || {};
    state.stations.clear(); state.transactions.clear(); state.frames = [];
    merge(body);
    live(true, "live");
  } else if (event === "batch") merge(body);
}

// EventSource cannot send a header, so the feed is read with fetch, which can.
async function follow() {
  const res = await fetch("/api/events", { headers: auth(), cache: "no-store" });
  if (res.status === 401) return false;
  if (!res.ok || !res.body) throw new Error("HTTP " + res.status);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return true;
    buffer += value.replace(/\\r\\n?/g, "\\n");
    for (let end = buffer.indexOf("\\n\\n"); end >= 0; end = buffer.indexOf("\\n\\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      dispatch(block);
    }
  }
}

async function connect() {
  if (!token) { live(false, "no token"); status(NO_TOKEN, true); return; }
  for (;;) {
    try {
      if (!(await follow())) { live(false, "no access"); status(NO_TOKEN, true); return; }
    } catch {}
    live(false, "reconnecting");
    await new Promise((r) => setTimeout(r, 2000));
  }
}
connect();
`;

const BODY = `<body>
<header>
  <h1>ocpp csms</h1>
  <span id="endpoint"></span>
  <span class="counts" id="counts"></span>
  <span class="live off" id="live">connecting</span>
</header>
<p id="status" role="status"></p>
<main>
<section>
  <h2>Stations <input id="filter" placeholder="filter" aria-label="filter stations"></h2>
  <div class="scroll"><table id="stations"><thead><tr><th>identity</th><th>version</th><th>state</th><th>model</th><th>connectors</th><th>provisioning</th><th>last heartbeat</th><th></th></tr></thead><tbody></tbody></table></div>
</section>
<section>
  <h2>Transactions</h2>
  <div class="scroll"><table id="transactions"><thead><tr><th>station</th><th>transaction</th><th>evse</th><th>id token</th><th>started</th><th class="num">kWh</th><th class="num">kW</th><th class="num">SoC</th><th>state</th><th></th></tr></thead><tbody></tbody></table></div>
</section>
<section class="wide">
  <h2>Frames <label><input type="checkbox" id="pause"> pause</label></h2>
  <div class="scroll frames"><table id="frames"><thead><tr><th>time</th><th>station</th><th>direction</th><th>frame</th></tr></thead><tbody></tbody></table></div>
</section>
</main>
`;

const hash = (text: string) =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * What the page may do: run its own script and style (by hash), talk to its own origin, and
 * nothing else; no framing (its buttons reset stations), no forms, no base URL.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The single web page `ocpp csms` serves at `/` of its admin listener: stations with their
 * connectors, transactions with meter readings, and the live frame log, fed by the Server-Sent
 * Events of `/api/events` (read with `fetch`, which can send the admin token), with buttons for
 * remote start, remote stop and reset. The token comes from the URL fragment (`#token=...`).
 * Self-contained: inline CSS and script, nothing fetched from elsewhere.
 */
export function adminPage(title: string): AdminPage {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[<>&"]/g, '')}</title>
<style>${STYLE}</style>
</head>
${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;
  return { html, contentSecurityPolicy: CONTENT_SECURITY_POLICY };
}
