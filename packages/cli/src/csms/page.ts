import { createHash } from 'node:crypto';

/** The web page and the Content-Security-Policy that lets only its own inline code run. */
export interface AdminPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

// The page fills the window: a header, then stations and transactions side by side, then the
// frame log beside the traffic chart. Each panel's table scrolls inside the panel, and the panels
// take the window's height between them (3 : 2), so a taller window shows more rows. A narrow or
// low window stacks the panels instead. Table rows are one line each, so that the station and
// transaction tables can render only the rows in view (virtual scrolling) for any fleet size.
const STYLE = `
:root { --fg: #1d2430; --muted: #667085; --line: #e3e7ee; --bg: #f6f7f9; --accent: #2563eb; }
* { box-sizing: border-box; }
html, body { height: 100%; }
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; color: var(--fg); background: var(--bg); display: flex; flex-direction: column; }
header { display: flex; gap: 16px; align-items: baseline; padding: 10px 20px; background: #111827; color: #f9fafb; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; }
header .counts, header .energy { color: #cbd5e1; }
header .live { margin-left: auto; font-size: 12px; }
header .live.on::before { content: "●"; color: #22c55e; margin-right: 4px; }
header .live.off::before { content: "●"; color: #ef4444; margin-right: 4px; }
#status { padding: 4px 20px 0; min-height: 22px; margin: 0; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#status.error { color: #b91c1c; }
main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); grid-template-rows: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; padding: 4px 20px 14px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; min-width: 0; min-height: 0; display: flex; flex-direction: column; }
h2 { font-size: 14px; margin: 0 0 6px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
h2 .total { color: var(--muted); font-weight: 400; font-size: 12px; }
h2 input, h2 select { font: inherit; font-size: 12px; font-weight: 400; padding: 1px 6px; border: 1px solid var(--line); border-radius: 4px; }
h2 input:not([type]) { width: 9em; }
h2 label { font-size: 12px; font-weight: 400; }
.scroll { flex: 1; min-height: 0; overflow: auto; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
#stations { min-width: 860px; } #transactions { min-width: 860px; } #frames { min-width: 640px; }
th { position: sticky; top: 0; z-index: 1; background: #fff; text-align: left; color: var(--muted); font-weight: 500; font-size: 12px; border-bottom: 1px solid var(--line); padding: 3px 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
td { border-bottom: 1px solid #f0f2f5; padding: 2px 6px; line-height: 18px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#stations col:nth-child(1) { width: 11%; } #stations col:nth-child(2) { width: 80px; } #stations col:nth-child(3) { width: 84px; }
#stations col:nth-child(5) { width: 10%; } #stations col:nth-child(6) { width: 92px; } #stations col:nth-child(7) { width: 72px; } #stations col:nth-child(8) { width: 120px; }
#transactions col:nth-child(1) { width: 13%; } #transactions col:nth-child(2) { width: 11%; } #transactions col:nth-child(3) { width: 42px; } #transactions col:nth-child(4) { width: 10%; }
#transactions col:nth-child(5), #transactions col:nth-child(6) { width: 78px; } #transactions col:nth-child(7) { width: 66px; } #transactions col:nth-child(8) { width: 52px; }
#transactions col:nth-child(9), #transactions col:nth-child(10) { width: 48px; } #transactions col:nth-child(12) { width: 60px; }
#frames col:nth-child(1) { width: 74px; } #frames col:nth-child(2) { width: 15%; } #frames col:nth-child(3) { width: 120px; } #frames col:nth-child(4) { width: 190px; }
tr.pad td { padding: 0; border: 0; height: auto; }
tr.none td { color: var(--muted); }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 5px; border-radius: 9px; font-size: 11px; line-height: 16px; margin-right: 2px; background: #e5e7eb; }
.Available { background: #dcfce7; } .Occupied, .Charging, .Preparing, .SuspendedEV, .SuspendedEVSE, .Finishing { background: #dbeafe; }
.Unavailable { background: #fef3c7; } .Faulted { background: #fee2e2; } .Reserved { background: #ede9fe; }
.online { color: #15803d; } .offline { color: var(--muted); }
button { font: inherit; font-size: 12px; line-height: 16px; padding: 0 6px; border: 1px solid #cbd5e1; background: #fff; border-radius: 4px; cursor: pointer; }
button:hover { border-color: var(--accent); color: var(--accent); }
.gone { color: #b45309; font-weight: 500; }
.note { color: #b45309; font-size: 11px; }
.reason, .kind { color: var(--muted); }
.badge .raw { color: #475569; }
#frames { font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, monospace; }
#frames tr.f { cursor: pointer; }
#frames tr.f:hover td, #frames tr.f.open td { background: #f8fafc; }
#frames tr.detail td { white-space: normal; background: #f8fafc; }
#frames pre { margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 50vh; overflow: auto; }
.in { color: #0369a1; } .out { color: #7c3aed; } .link { color: #15803d; } .link.disconnected { color: #b45309; }
#traffic .chart { flex: 1; min-height: 80px; position: relative; }
#chart { position: absolute; inset: 0; width: 100%; height: 100%; }
#chart .grid { stroke: #eef0f4; stroke-width: 1; }
#chart text { font-size: 10px; fill: var(--muted); }
#chart .calls { fill: none; stroke: #2563eb; stroke-width: 1.5; }
#chart .connected { fill: none; stroke: #16a34a; stroke-width: 1.5; }
.key-calls { color: #2563eb; } .key-connected { color: #16a34a; }
#totals { margin-top: 6px; } #totals td { border: 0; padding: 1px 6px 1px 0; }
#totals td:first-child { color: var(--muted); width: 45%; }
@media (max-width: 1100px), (max-height: 560px) {
  html, body { height: auto; }
  main { display: flex; flex-direction: column; }
  section { height: 75vh; min-height: 320px; }
  #traffic { height: 45vh; }
}
`;

// The script is written as plain JavaScript (no template literals, so that it stays a
// String.raw). Everything a station chooses (identities, boot fields, id tokens, statuses,
// frames, close reasons) goes through esc() before it reaches innerHTML.
const SCRIPT = String.raw`
"use strict";
const PAGE = 1000, MAX_KEPT = 5000, MAX_LOG = 1000, MAX_LOG_ROWS = 400, MAX_STATS = 300, OVERSCAN = 12;
const state = { info: {}, stations: new Map(), transactions: new Map(), log: [], frozen: null, expanded: new Set(), stats: [], energy: null, live: false };
/** A list the page is still fetching page by page (see refill), with what the feed changed meanwhile. */
const fill = { stations: undefined, transactions: undefined };
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const txKey = (identity, id) => identity + "\u0000" + id;
const keys = { stations: (s) => s.identity, transactions: (t) => txKey(t.identity, t.id) };
const pad2 = (n) => String(n).padStart(2, "0");
function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return esc(iso);
  const t = pad2(d.getHours()) + ":" + pad2(d.getMinutes()) + ":" + pad2(d.getSeconds());
  return d.toDateString() === new Date().toDateString() ? t : d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()) + " " + t;
}
const timeCell = (cls, iso) => '<td class="time ' + cls + '" data-at="' + esc(iso || "") + '" title="' + esc(iso || "") + '">' + when(iso) + "</td>";
function duration(ms) {
  if (!(ms >= 0)) return "";
  const s = Math.floor(ms / 1000);
  return Math.floor(s / 3600) + ":" + pad2(Math.floor(s / 60) % 60) + ":" + pad2(s % 60);
}
const kwh = (wh) => (wh / 1000).toFixed(2);
let dirty = false;
function schedule() { if (!dirty) { dirty = true; requestAnimationFrame(render); } }
function status(text, error) { const s = $("status"); s.textContent = text; s.title = text; s.className = error ? "error" : ""; }

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
class NoAccess extends Error {}
async function api(path) {
  const res = await fetch(path, { headers: auth(), cache: "no-store" });
  if (res.status === 401) throw new NoAccess();
  if (!res.ok) throw new Error(path + ": HTTP " + res.status);
  return res.json();
}

function touch(kind, k) { if (fill[kind]) fill[kind].touched.add(k); }

/**
 * A full state (GET /api/snapshot, or the feed's hello): what it lists replaces what the page had.
 * The rest of a longer list is paged in at once after a hello; after the snapshot only if the
 * feed fails, as its hello would otherwise bring the same again.
 */
function applySnapshot(d, pageNow) {
  state.info = d.info || {};
  const totals = d.totals || {};
  fresh("stations", d.stations || [], totals.stations, pageNow);
  fresh("transactions", d.transactions || [], totals.transactions, pageNow);
  state.log = [];
  addLog(d.frames, d.connections);
  state.stats = (d.stats || []).slice(-MAX_STATS);
  if (d.energy) state.energy = d.energy;
  schedule();
}

/** Replaces one list; when the snapshot holds only its first part, the rest is fetched in pages. */
function fresh(kind, items, total, pageNow) {
  const keyOf = keys[kind];
  const map = new Map();
  for (const x of items) map.set(keyOf(x), x);
  const want = kind === "transactions" ? Math.min(total ?? 0, MAX_KEPT) : (total ?? 0);
  if (want <= items.length) {
    state[kind] = map;
    fill[kind] = undefined;
    return;
  }
  // Until the pages come, what the page had stands in for the rest.
  for (const [k, v] of state[kind]) if (!map.has(k)) map.set(k, v);
  state[kind] = map;
  const f = { touched: new Set(), seen: new Set(items.map(keyOf)), offset: items.length, want, started: false };
  fill[kind] = f;
  if (pageNow) refill(kind, f);
}

function refillPending() {
  for (const kind of ["stations", "transactions"]) if (fill[kind] && !fill[kind].started) refill(kind, fill[kind]);
}

async function refill(kind, f) {
  const keyOf = keys[kind];
  f.started = true;
  let offset = f.offset;
  const want = f.want;
  try {
    while (offset < want) {
      const page = await api("/api/" + kind + "?offset=" + offset + "&limit=" + PAGE);
      if (fill[kind] !== f) return;
      if (!page.length) break;
      for (const x of page) {
        const k = keyOf(x);
        f.seen.add(k);
        // The feed's news is newer than a page fetched meanwhile.
        if (!f.touched.has(k)) state[kind].set(k, x);
      }
      offset += page.length;
      schedule();
    }
    for (const k of [...state[kind].keys()]) if (!f.seen.has(k) && !f.touched.has(k)) state[kind].delete(k);
  } catch (e) {
    if (fill[kind] === f) status("could not load every " + kind.slice(0, -1) + ": " + e, true);
  } finally {
    if (fill[kind] === f) fill[kind] = undefined;
    schedule();
  }
}

/** Frames and connection entries share one sequence: the log is kept in that order. */
function addLog(frames, connections) {
  const add = (frames || []).concat(connections || []);
  if (!add.length) return;
  for (const e of add) state.log.push(e);
  state.log.sort((a, b) => a.seq - b.seq);
  if (state.log.length > MAX_LOG) state.log.splice(0, state.log.length - MAX_LOG);
}

function merge(d) {
  for (const r of d.removed || []) {
    if (r.transactionId === undefined) {
      state.stations.delete(r.identity);
      touch("stations", r.identity);
      for (const [k, t] of state.transactions) if (t.identity === r.identity) { state.transactions.delete(k); touch("transactions", k); }
    } else {
      const k = txKey(r.identity, r.transactionId);
      state.transactions.delete(k);
      touch("transactions", k);
    }
  }
  for (const s of d.stations || []) { state.stations.set(s.identity, s); touch("stations", s.identity); }
  for (const t of d.transactions || []) { const k = txKey(t.identity, t.id); state.transactions.set(k, t); touch("transactions", k); }
  // The CSMS forgets finished transactions beyond its limit; so does the page.
  if (state.transactions.size > MAX_KEPT) {
    for (const [k, t] of state.transactions) {
      if (state.transactions.size <= MAX_KEPT) break;
      if (!t.active) state.transactions.delete(k);
    }
  }
  addLog(d.frames, d.connections);
  schedule();
}

function stats(sample) {
  state.stats.push(sample);
  if (state.stats.length > MAX_STATS) state.stats.splice(0, state.stats.length - MAX_STATS);
  state.energy = sample.energy;
  schedule();
}

function provisioning(p) {
  if (!p) return "";
  const parts = [];
  if (p.deviceModel) parts.push(p.deviceModel.variables + " variables");
  if (p.certificate) parts.push('<span title="' + esc(p.certificate.subject + " · until " + p.certificate.validTo) + '">certificate</span>');
  if (p.displayMessages) parts.push(p.displayMessages.ids.length + " messages");
  if (p.events && p.events.length) { const e = p.events[p.events.length - 1]; parts.push('<span title="' + esc(e.at + " " + e.type + (e.detail ? " = " + e.detail : "")) + '">' + p.events.length + " events</span>"); }
  return parts.join(" · ");
}

const where = (c) => c.evseId + (c.connectorId > 1 ? "/" + c.connectorId : "");
function connectorTitle(c) {
  return "EVSE " + c.evseId + ", connector " + c.connectorId + " · " + c.status + (c.status16 ? " (as sent: " + c.status16 + ")" : "") + (c.errorCode ? " · " + c.errorCode : "");
}

// A row is { key, tr: its attributes, cells: the HTML of each cell }: patchRows() updates only the
// cells that changed, so a button keeps its element (and a click on it lands) while the rest of
// its row updates under it.
function stationRow(s) {
  // The neutral status, the same words for every version, with the station's own where it
  // differs (1.6: Charging, Preparing, …).
  const neutral = s.connectors.map((c) => '<span class="badge ' + esc(c.status) + '" title="' + esc(connectorTitle(c)) + '" data-status="' + esc(c.status) + '" data-sent="' + esc(c.status16 || c.status) + '">' + where(c) + " " + esc(c.status) + (c.status16 && c.status16 !== c.status ? '<span class="raw"> · ' + esc(c.status16) + "</span>" : "") + "</span>").join("");
  const model = s.boot ? s.boot.vendor + " " + s.boot.model : "";
  const modelTitle = s.boot ? model + (s.boot.firmwareVersion ? " · firmware " + s.boot.firmwareVersion : "") + (s.boot.serialNumber ? " · serial " + s.boot.serialNumber : "") : "";
  const dropped = s.droppedTransactions ? ' <span class="note" title="the CSMS keeps a limited number of open transactions per station">' + s.droppedTransactions + " older open transactions dropped</span>" : "";
  const since = s.connected ? "connected since " + s.connectedAt + (s.remoteAddress ? " from " + s.remoteAddress : "") : "offline since " + (s.disconnectedAt || "");
  const buttons = s.connected ? '<button data-op="remote-start" data-id="' + esc(s.identity) + '">Start</button> <button data-op="reset" data-id="' + esc(s.identity) + '">Reset</button>' : "";
  return {
    key: s.identity,
    tr: 'class="r" data-station="' + esc(s.identity) + '"',
    cells: [
      '<td class="id" title="' + esc(s.identity) + '">' + esc(s.identity) + "</td>",
      "<td>" + esc(s.protocol) + "</td>",
      '<td class="link ' + (s.connected ? "online" : "offline") + '" title="' + esc(since) + '">' + (s.connected ? "connected" : "offline") + dropped + "</td>",
      '<td class="status">' + neutral + "</td>",
      '<td class="model" title="' + esc(modelTitle) + '">' + esc(model) + "</td>",
      '<td class="prov">' + provisioning(s.provisioning) + "</td>",
      timeCell("seen", s.lastSeen || s.lastHeartbeat),
      '<td class="ops">' + buttons + "</td>",
    ],
  };
}

function txState(t) {
  if (!t.active) return "Ended" + (t.stopReason ? ' <span class="reason">· ' + esc(t.stopReason) + "</span>" : "");
  // No end was heard of and the station has gone: the CSMS cannot know whether it still charges.
  if (t.stationConnected === false) return 'charging <span class="gone">· station disconnected</span>';
  return "charging";
}

function transactionRow(t, now) {
  const stop = t.active && t.stationConnected !== false ? '<button data-op="remote-stop" data-id="' + esc(t.identity) + '" data-tx="' + esc(t.id) + '">Stop</button>' : "";
  const kw = t.powerW === undefined ? "" : (t.powerW / 1000).toFixed(1);
  const shortId = t.id.length > 12 ? t.id.slice(0, 8) + "…" : t.id;
  const ms = (t.active ? now : Date.parse(t.stoppedAt)) - Date.parse(t.startedAt);
  return {
    key: txKey(t.identity, t.id),
    tr: 'class="r" data-transaction="' + esc(t.id) + '" data-station="' + esc(t.identity) + '" data-active="' + !!t.active + '" data-station-connected="' + (t.stationConnected !== false) + '"',
    cells: [
      '<td class="id" title="' + esc(t.identity) + '">' + esc(t.identity) + "</td>",
      '<td title="' + esc(t.id) + '">' + esc(shortId) + "</td>",
      '<td class="num">' + esc(t.evseId ?? "") + "</td>",
      '<td title="' + esc(t.idToken ?? "") + '">' + esc(t.idToken ?? "") + "</td>",
      timeCell("started", t.startedAt),
      timeCell("stopped", t.active ? "" : t.stoppedAt),
      '<td class="num duration">' + duration(ms) + "</td>",
      '<td class="num energy" title="' + esc(t.energyWh) + ' Wh">' + kwh(t.energyWh) + "</td>",
      '<td class="num">' + kw + "</td>",
      '<td class="num">' + (t.socPercent === undefined ? "" : esc(t.socPercent) + " %") + "</td>",
      '<td class="state">' + txState(t) + "</td>",
      '<td class="ops">' + stop + "</td>",
    ],
  };
}

const CUT = 300;
/** The log's rows for one entry: a frame (and its whole text below it when opened) or a connection. */
function logRows(e) {
  const cell = (cls, text, title) => '<td class="' + cls + '" title="' + esc(title ?? text) + '">' + esc(text) + "</td>";
  const time = '<td class="time" title="' + esc(e.time) + '">' + when(e.time) + "</td>";
  if (e.event) {
    const detail = e.event === "connected" ? (e.remoteAddress ? "from " + e.remoteAddress + " · " : "") + e.protocol : e.code === undefined ? "" : "code " + e.code + (e.reason ? " · " + e.reason : "");
    return [{ key: "c" + e.seq, tr: 'class="r c" data-seq="' + e.seq + '" data-identity="' + esc(e.identity) + '" data-from="connection"', cells: [time, cell("id", e.identity), '<td class="link ' + e.event + '">' + e.event + "</td>", "<td></td>", cell("frame", detail)] }];
  }
  const open = state.expanded.has(e.seq);
  const kind = e.kind === "CALLRESULT" ? ' <span class="kind">result</span>' : e.kind === "CALLERROR" ? ' <span class="kind">error</span>' : "";
  const rows = [{
    key: "f" + e.seq,
    tr: 'class="r f' + (open ? " open" : "") + '" tabindex="0" aria-expanded="' + open + '" data-seq="' + e.seq + '" data-identity="' + esc(e.identity) + '" data-from="' + esc(e.from) + '" data-action="' + esc(e.action || "") + '"',
    cells: [
      time,
      cell("id", e.identity),
      '<td class="dir ' + (e.from === "station" ? "in" : "out") + '">' + (e.from === "station" ? "station → csms" : "csms → station") + "</td>",
      '<td class="action" title="' + esc(e.action || "") + '">' + esc(e.action || "") + kind + "</td>",
      '<td class="frame">' + esc(e.frame.length > CUT ? e.frame.slice(0, CUT) + " …" : e.frame) + "</td>",
    ],
  }];
  if (open) {
    let full = e.frame;
    try { full = JSON.stringify(JSON.parse(e.frame), null, 2); } catch {}
    rows.push({ key: "d" + e.seq, tr: 'class="detail" data-detail="' + e.seq + '"', cells: ['<td colspan="5"><pre>' + esc(full) + "</pre></td>"] });
  }
  return rows;
}

const scratch = { tbody: document.createElement("tbody"), tr: document.createElement("tr") };
/** Makes the rows between "before" and "after" (null: the ends of tbody) the given ones, touching only what changed. */
function patchRows(tbody, rows, before, after) {
  const old = tbody.rowsByKey || new Map();
  const next = new Map();
  let cur = before ? before.nextSibling : tbody.firstChild;
  for (const r of rows) {
    let el = old.get(r.key);
    if (!el || el.trHtml !== r.tr) {
      scratch.tbody.innerHTML = "<tr " + r.tr + "></tr>";
      const fresh = scratch.tbody.firstChild;
      if (el) { for (const c of [...el.childNodes]) fresh.appendChild(c); fresh.cellHtml = el.cellHtml; }
      else fresh.cellHtml = [];
      if (el && el.parentNode === tbody) {
        const focused = document.activeElement === el;
        if (cur === el) cur = fresh;
        tbody.replaceChild(fresh, el);
        if (focused) fresh.focus();
      }
      el = fresh;
      el.trHtml = r.tr;
    }
    for (let i = 0; i < r.cells.length; i++) {
      if (el.cellHtml[i] === r.cells[i]) continue;
      scratch.tr.innerHTML = r.cells[i];
      const td = scratch.tr.firstChild;
      if (el.children[i]) el.replaceChild(td, el.children[i]);
      else el.appendChild(td);
      el.cellHtml[i] = r.cells[i];
    }
    while (el.children.length > r.cells.length) el.lastChild.remove();
    el.cellHtml.length = r.cells.length;
    next.set(r.key, el);
    if (el === cur) cur = cur.nextSibling;
    else tbody.insertBefore(el, cur);
  }
  while (cur && cur !== after) { const n = cur.nextSibling; cur.remove(); cur = n; }
  tbody.rowsByKey = next;
}

/** The one row saying why a table is empty. */
const noneRow = (cols, text) => ({ key: "none", tr: 'class="none"', cells: ['<td colspan="' + cols + '">' + text + "</td>"] });

/** Renders only the rows in view of a long list, with spacer rows for the rest (virtual scrolling). */
function virtualRows(boxId, items, row, cols, empty) {
  const box = $(boxId);
  const tbody = box.querySelector("tbody");
  if (!box.pads) {
    tbody.textContent = "";
    box.pads = [0, 1].map(() => { scratch.tbody.innerHTML = '<tr class="pad"><td colspan="' + cols + '"></td></tr>'; return tbody.appendChild(scratch.tbody.firstChild); });
  }
  const sample = tbody.querySelector("tr.r");
  if (sample && sample.offsetHeight > 0) box.rowHeight = sample.offsetHeight;
  const h = box.rowHeight || 23;
  const first = Math.max(0, Math.min(items.length - 1, Math.floor(box.scrollTop / h)) - OVERSCAN);
  const count = Math.ceil((box.clientHeight || 800) / h) + 2 * OVERSCAN;
  const shown = items.slice(first, first + count);
  patchRows(tbody, shown.length ? shown.map(row) : [noneRow(cols, empty)], box.pads[0], box.pads[1]);
  box.pads[0].style.height = first * h + "px";
  box.pads[1].style.height = Math.max(0, items.length - first - shown.length) * h + "px";
  box.dataset.rows = String(items.length);
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function drawChart() {
  const box = $("chart-box"), svg = $("chart");
  const W = box.clientWidth, H = box.clientHeight;
  const samples = state.stats;
  svg.dataset.samples = String(samples.length);
  if (!W || !H) return;
  const L = 34, R = 30, T = 8, B = 16, w = W - L - R, h = H - T - B;
  const calls = samples.map((s) => s.callsInPerS + s.callsOutPerS);
  const connected = samples.map((s) => s.connected);
  const maxCalls = niceMax(Math.max(1, ...calls)), maxConnected = niceMax(Math.max(1, ...connected));
  // The axis spans what there is, from one minute up to five.
  const span = Math.max(60, samples.length);
  const x = (i) => (L + w - (samples.length - 1 - i) * (w / (span - 1))).toFixed(1);
  const line = (values, max) => values.map((v, i) => x(i) + "," + (T + h - (v / max) * h).toFixed(1)).join(" ");
  let out = "";
  for (const f of [0, 0.5, 1]) {
    const y = (T + h - f * h).toFixed(1);
    out += '<line class="grid" x1="' + L + '" x2="' + (L + w) + '" y1="' + y + '" y2="' + y + '"></line>';
    out += '<text x="' + (L - 4) + '" y="' + (Number(y) + 3) + '" text-anchor="end">' + +(maxCalls * f).toFixed(1) + "</text>";
    out += '<text x="' + (L + w + 4) + '" y="' + (Number(y) + 3) + '">' + +(maxConnected * f).toFixed(1) + "</text>";
  }
  const ago = span >= 120 ? Math.round(span / 60) + " min" : span + " s";
  out += '<text x="' + L + '" y="' + (H - 3) + '">−' + ago + '</text><text x="' + (L + w) + '" y="' + (H - 3) + '" text-anchor="end">now</text>';
  out += '<polyline class="calls" points="' + line(calls, maxCalls) + '"></polyline>';
  out += '<polyline class="connected" points="' + line(connected, maxConnected) + '"></polyline>';
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.innerHTML = out;
  const last = samples[samples.length - 1];
  svg.dataset.calls = last ? String(calls[calls.length - 1]) : "";
  svg.dataset.connected = last ? String(last.connected) : "";
  $("legend").innerHTML = last ? '<span class="key-calls">— ' + calls[calls.length - 1] + " calls/s</span> (" + last.callsInPerS + " in, " + last.callsOutPerS + ' out) <span class="key-connected">— ' + last.connected + " connected</span>" : "waiting for the first sample";
}

function render() {
  dirty = false;
  const info = state.info;
  const now = Date.now();
  $("endpoint").textContent = info.url ? info.url + "/{identity}" : "";
  const stations = [...state.stations.values()].sort((a, b) => a.identity.localeCompare(b.identity));
  let online = 0;
  for (const s of stations) if (s.connected) online++;
  const txs = [...state.transactions.values()].sort((a, b) => (b.startedAt || "").localeCompare(a.startedAt || "") || b.id.localeCompare(a.id));
  let active = 0;
  for (const t of txs) if (t.active) active++;
  $("counts").textContent = online + " of " + stations.length + " stations connected · " + active + " transactions running";
  const e = state.energy;
  $("energy").textContent = e ? kwh(e.energyWh) + " kWh delivered · " + kwh(e.activeEnergyWh) + " kWh charging · " + (e.powerW / 1000).toFixed(1) + " kW" : "";
  const filter = $("filter").value.trim().toLowerCase();
  const shown = filter ? stations.filter((s) => s.identity.toLowerCase().includes(filter)) : stations;
  $("stations-total").textContent = (filter ? shown.length + " of " : "") + stations.length + (fill.stations ? " (loading…)" : "");
  virtualRows("stations-box", shown, stationRow, 8, filter ? "no station matches" : "no station has connected yet");
  $("transactions-total").textContent = txs.length + (fill.transactions ? " (loading…)" : "");
  virtualRows("transactions-box", txs, (t) => transactionRow(t, now), 12, "no transaction yet");

  const fs = $("f-station").value.trim().toLowerCase(), fa = $("f-action").value.trim().toLowerCase(), fd = $("f-dir").value;
  const log = state.frozen || state.log;
  const rows = [];
  let n = 0;
  for (let i = log.length - 1; i >= 0 && n < MAX_LOG_ROWS; i--) {
    const entry = log[i];
    if (fd && (entry.event ? "connection" : entry.from) !== fd) continue;
    if (fs && !entry.identity.toLowerCase().includes(fs)) continue;
    if (fa && !(entry.action || "").toLowerCase().includes(fa)) continue;
    for (const r of logRows(entry)) rows.push(r);
    n++;
  }
  patchRows($("frames").tBodies[0], rows.length ? rows : [noneRow(5, log.length ? "no entry matches" : "no frame yet")], null, null);
  drawChart();
  const tot = $("totals").tBodies[0];
  const last = state.stats[state.stats.length - 1];
  tot.innerHTML = e ? "<tr><td>energy delivered</td><td>" + kwh(e.energyWh) + " kWh (" + e.transactions + " transactions kept)</td></tr><tr><td>in running sessions</td><td>" + kwh(e.activeEnergyWh) + " kWh (" + e.activeTransactions + " running)</td></tr><tr><td>power now</td><td>" + (e.powerW / 1000).toFixed(1) + " kW</td></tr>" + (last ? "<tr><td>frames/s</td><td>" + last.framesInPerS + " in · " + last.framesOutPerS + " out</td></tr>" : "") : "";
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

function toggleFrame(tr) {
  const seq = Number(tr.dataset.seq);
  if (state.expanded.has(seq)) state.expanded.delete(seq);
  else {
    state.expanded.add(seq);
    // An opened frame would scroll away under the frames that keep coming: the log holds still.
    if (!$("pause").checked) {
      $("pause").checked = true;
      state.frozen = state.log.slice();
      status("frame log paused while a frame is open: untick pause to follow it again");
    }
  }
  schedule();
}

document.addEventListener("click", (e) => {
  const b = e.target.closest("button[data-op]");
  if (!b) {
    const f = e.target.closest("#frames tr.f");
    if (f && !String(window.getSelection() || "")) toggleFrame(f);
    return;
  }
  const op = b.dataset.op, id = b.dataset.id;
  if (op === "remote-start") {
    const s = state.stations.get(id);
    const free = s && s.connectors.find((c) => c.evseId > 0 && c.status === "Available");
    operate(op, id, { idToken: "WEB-" + Math.floor(Math.random() * 1e6), ...(free ? { evseId: free.evseId } : {}) });
  } else if (op === "remote-stop") operate(op, id, { transactionId: b.dataset.tx });
  else if (op === "reset") { if (confirm("Reset " + id + "?")) operate(op, id, { type: "Immediate" }); }
});
document.addEventListener("keydown", (e) => {
  if (e.key !== "Enter" && e.key !== " ") return;
  const f = e.target.closest && e.target.closest("#frames tr.f");
  if (f) { e.preventDefault(); toggleFrame(f); }
});
for (const id of ["filter", "f-station", "f-action", "f-dir"]) $(id).addEventListener("input", schedule);
$("pause").addEventListener("change", () => { state.frozen = $("pause").checked ? state.log.slice() : null; schedule(); });
for (const id of ["stations-box", "transactions-box"]) $(id).addEventListener("scroll", schedule, { passive: true });
new ResizeObserver(schedule).observe(document.body);
setInterval(() => { if (state.transactions.size) schedule(); }, 1000);

function live(on, text) { $("live").className = "live " + (on ? "on" : "off"); $("live").textContent = text; }

// One Server-Sent Events message: "event:" and "data:" lines (comments and "retry:" ignored).
function dispatch(block) {
  let event = "message", data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += (data ? "\n" : "") + line.slice(5).replace(/^ /, "");
  }
  if (!data) return;
  const body = JSON.parse(data);
  if (event === "hello") {
    applySnapshot(body, true);
    live(true, "live");
  } else if (event === "batch") merge(body);
  else if (event === "stats") stats(body);
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
    buffer += value.replace(/\r\n?/g, "\n");
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      dispatch(block);
    }
  }
}

// The first screen comes from one plain request (GET /api/snapshot), not from the live feed,
// which then follows for what changes.
async function start() {
  if (!token) { live(false, "no token"); status(NO_TOKEN, true); return; }
  try {
    applySnapshot(await api("/api/snapshot"), false);
  } catch (e) {
    if (e instanceof NoAccess) { live(false, "no access"); status(NO_TOKEN, true); return; }
    status("could not load the state: " + e, true);
  }
  for (;;) {
    try {
      if (!(await follow())) { live(false, "no access"); status(NO_TOKEN, true); return; }
    } catch {}
    refillPending();
    live(false, "reconnecting");
    await new Promise((r) => setTimeout(r, 2000));
  }
}
start();
`;

const BODY = `<body>
<header>
  <h1>ocpp csms</h1>
  <span id="endpoint"></span>
  <span class="counts" id="counts"></span>
  <span class="energy" id="energy"></span>
  <span class="live off" id="live">connecting</span>
</header>
<p id="status" role="status"></p>
<main>
<section id="stations-panel">
  <h2>Stations <span class="total" id="stations-total"></span> <input id="filter" placeholder="filter" aria-label="filter stations"></h2>
  <div class="scroll" id="stations-box"><table id="stations"><colgroup><col><col><col><col><col><col><col><col></colgroup><thead><tr><th>identity</th><th>version</th><th>link</th><th title="the same words for every version, then the station's own where it differs (1.6: Charging, Preparing, …)">status</th><th>model</th><th>provisioning</th><th title="any message from the station, not only heartbeats">last seen</th><th>actions</th></tr></thead><tbody><tr class="none"><td colspan="8">loading…</td></tr></tbody></table></div>
</section>
<section id="transactions-panel">
  <h2>Transactions <span class="total" id="transactions-total"></span></h2>
  <div class="scroll" id="transactions-box"><table id="transactions"><colgroup><col><col><col><col><col><col><col><col><col><col><col><col></colgroup><thead><tr><th>station</th><th>transaction</th><th class="num">evse</th><th>id token</th><th>started</th><th>stopped</th><th class="num">duration</th><th class="num">kWh</th><th class="num">kW</th><th class="num">SoC</th><th>state</th><th>actions</th></tr></thead><tbody><tr class="none"><td colspan="12">loading…</td></tr></tbody></table></div>
</section>
<section id="frames-panel">
  <h2>Frames
    <input id="f-station" placeholder="station" aria-label="show the frames of stations whose identity contains">
    <input id="f-action" placeholder="action" aria-label="show the frames of actions that contain">
    <select id="f-dir" aria-label="direction"><option value="">both ways, connections</option><option value="station">station → csms</option><option value="csms">csms → station</option><option value="connection">connects, disconnects</option></select>
    <label><input type="checkbox" id="pause"> pause</label>
  </h2>
  <div class="scroll" id="frames-box"><table id="frames"><colgroup><col><col><col><col><col></colgroup><thead><tr><th>time</th><th>station</th><th>direction</th><th>action</th><th>frame (click for all of it)</th></tr></thead><tbody><tr class="none"><td colspan="5">loading…</td></tr></tbody></table></div>
</section>
<section id="traffic">
  <h2>Traffic <span class="total" id="legend"></span></h2>
  <div class="chart" id="chart-box"><svg id="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="calls per second and connected stations, up to the last 5 minutes"></svg></div>
  <table id="totals"><tbody></tbody></table>
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
 * connectors (neutral and as sent), transactions with their energy, start, stop and duration,
 * the frame log with connects and disconnects (filtered by station, action and direction, each
 * frame expandable), and a chart of calls per second and connected stations with energy totals.
 * It starts from `GET /api/snapshot`, fetches longer lists in pages, and then follows the
 * Server-Sent Events of `/api/events` (read with `fetch`, which can send the admin token), with
 * buttons for remote start, remote stop and reset. The token comes from the URL fragment
 * (`#token=...`). Self-contained: inline CSS and script, nothing fetched from elsewhere.
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
