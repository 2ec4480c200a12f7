import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isOcppCallError, isOcppSdkError } from '@ocpp/runtime';
import type { AdminPage } from './page.js';
import {
  type ConnectionEntry,
  type CsmsStore,
  type EnergyTotals,
  type FrameEntry,
  MAX_CONNECTION_ENTRIES,
  type StationRecord,
  type StoreEvent,
  type TransactionRecord,
} from './store.js';

/** A bad admin request: answered with `status` and `{ "error": message }`. */
export class AdminError extends Error {
  override readonly name = 'AdminError';

  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The body of a POST, already parsed as a JSON object. */
export type JsonBody = Record<string, unknown>;

/**
 * The operations the admin API can run on a connected station. Each gets the station identity
 * and the request body, and resolves with the station's answer (neutral, or the raw CALLRESULT
 * for `call`).
 */
export interface StationOperations {
  readonly [name: string]: (identity: string, body: JsonBody) => Promise<unknown>;
}

/** What the admin server needs from the CSMS. */
export interface AdminBackend {
  readonly store: CsmsStore;
  /** True when `identity` is connected (operations need a connection). */
  isConnected(identity: string): boolean;
  readonly operations: StationOperations;
  /** Facts shown on `GET /api` and in the page header. */
  info(): Record<string, unknown>;
}

/** Who may use the admin API, and where it is reached. */
export interface AdminAccess {
  /** The bearer token every `/api` request must carry (`Authorization: Bearer <token>`). */
  readonly token: string;
  /**
   * The host names the `Host` header may name (lower case, IPv6 addresses in brackets): the
   * admin listener's own, so a page on another name (DNS rebinding) is refused.
   */
  readonly hostNames: ReadonlySet<string>;
  /** The admin listener's port, which the `Host` header must name too. */
  readonly port: number;
}

/** Bounds of the admin API's answers and live feeds. */
export interface AdminLimits {
  /**
   * The most items a list endpoint (`/api/stations`, `/api/transactions`, a station's
   * transactions) returns; `?limit=` asks for fewer.
   * @default 1000
   */
  readonly maxListItems?: number;
  /**
   * Milliseconds a live-feed client may leave the CSMS's writes unread (the socket buffer full)
   * before it is disconnected; meanwhile its updates are coalesced, not queued.
   * @default 30000
   */
  readonly feedStallMs?: number;
  /**
   * Station, transaction and removal updates a feed client may have waiting; beyond it they
   * are dropped and the client gets a fresh `hello` snapshot instead.
   * @default 2000
   */
  readonly feedMaxPending?: number;
  /**
   * Bytes of frame text a feed client may have waiting; the oldest frames are dropped beyond it.
   * @default 1048576 (1 MiB)
   */
  readonly feedMaxFrameBytes?: number;
}

/** The defaults of {@link AdminLimits}. */
export const DEFAULT_ADMIN_LIMITS: { readonly [K in keyof AdminLimits]-?: number } = {
  maxListItems: 1000,
  feedStallMs: 30_000,
  feedMaxPending: 2000,
  feedMaxFrameBytes: 1024 * 1024,
};

const MAX_BODY = 1024 * 1024;
const FEED_FRAMES = 200;
const HELLO_TRANSACTIONS = 200;
const HELLO_FRAMES = 100;
const HELLO_CONNECTIONS = 100;
const FEED_CONNECTIONS = 200;
/** Traffic samples kept for the page's chart: one a second, five minutes. */
const STATS_SAMPLES = 300;
const STATS_INTERVAL_MS = 1000;

/** One second of traffic and the state at its end, as the page's chart draws it. */
export interface StatsSample {
  readonly time: string;
  /** CALLs each way per second, over the last sample interval. */
  readonly callsInPerS: number;
  readonly callsOutPerS: number;
  readonly framesInPerS: number;
  readonly framesOutPerS: number;
  readonly connected: number;
  readonly stations: number;
  readonly energy: EnergyTotals;
}

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    ...headers,
  });
  res.end(`${text}\n`);
}

/** True for `application/json`, with or without parameters (`; charset=utf-8`). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json';
}

async function readJson(req: IncomingMessage): Promise<JsonBody> {
  // A form or a text/plain body is what a page on another site can send without asking: only
  // JSON is read, so such a request never reaches a station.
  if (!isJson(req.headers['content-type'])) {
    throw new AdminError(415, 'send the body as JSON (Content-Type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new AdminError(413, 'request body is larger than 1 MiB');
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AdminError(400, 'request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AdminError(400, 'request body must be a JSON object');
  }
  return value as JsonBody;
}

/** The SHA-256 of a token: equal lengths for a constant-time comparison. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer +(\S+) *$/i.exec(header);
  return m?.[1];
}

/**
 * The host name and port a `Host` header names, or undefined when it is not a bare `name:port`
 * (user info, a path or spaces are refused rather than parsed around).
 */
function parseHost(header: string | undefined): { name: string; port: number } | undefined {
  if (header === undefined || header === '' || /[\s/\\@?#]/.test(header)) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return undefined;
  }
  return { name: url.hostname.toLowerCase(), port: url.port === '' ? 80 : Number(url.port) };
}

/**
 * Why a request may not reach the admin listener (403), or undefined: its `Host` must name the
 * listener, and an `Origin`, when sent, must be the listener's own origin; an API request must
 * not come from another site (`Sec-Fetch-Site`), while the page may be opened from a link.
 */
function refusal(req: IncomingMessage, access: AdminAccess, api: boolean): string | undefined {
  const host = parseHost(req.headers.host);
  if (host === undefined || host.port !== access.port || !access.hostNames.has(host.name)) {
    return 'the Host header does not name this admin listener';
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let given: string;
    try {
      given = new URL(origin).origin;
    } catch {
      return 'requests from another origin are refused';
    }
    if (given !== new URL(`http://${req.headers.host}`).origin) {
      return 'requests from another origin are refused';
    }
  }
  const site = req.headers['sec-fetch-site'];
  if (api && site !== undefined && site !== 'same-origin' && site !== 'none') {
    return 'requests from another site are refused';
  }
  return undefined;
}

/** Maps what a station operation threw to an HTTP status and a JSON error. */
export function errorResponse(e: unknown): { status: number; body: Record<string, unknown> } {
  if (e instanceof AdminError) return { status: e.status, body: { error: e.message } };
  if (isOcppCallError(e)) {
    return {
      status: 502,
      body: {
        error: `the station answered CALLERROR ${e.code}${e.description === '' ? '' : `: ${e.description}`}`,
        callError: { code: e.code, description: e.description, details: e.details },
      },
    };
  }
  if (isOcppSdkError(e)) {
    const status =
      e.code === 'TIMEOUT'
        ? 504
        : e.code === 'NOT_CONNECTED' || e.code === 'CONNECTION_CLOSED'
          ? 409
          : e.code === 'VALIDATION_FAILED' ||
              e.code === 'UNKNOWN_ACTION' ||
              (e.code as string) === 'UNSUPPORTED_BY_VERSION'
            ? 400
            : 500;
    return { status, body: { error: e.message, code: e.code } };
  }
  return { status: 500, body: { error: e instanceof Error ? e.message : String(e) } };
}

const ROUTES = [
  'every /api request needs the header "Authorization: Bearer <token>"; POST bodies are JSON (Content-Type: application/json)',
  'GET  /api                                  this index',
  'GET  /api/snapshot                         what the web page starts from: info, stations, transactions, frames, connections, stats',
  'GET  /api/stations[?limit=N&offset=N]      stations with connectors (connected or not), by identity',
  'GET  /api/stations/{id}                    one station and its transactions',
  'GET  /api/transactions[?active=true&station={id}&limit=N&offset=N]',
  'GET  /api/frames[?limit=100&station={id}]  the last frames',
  'GET  /api/connections[?limit=100&station={id}] the last connects and disconnects',
  'GET  /api/stats                            traffic and energy, one sample a second (the last 5 minutes)',
  'GET  /api/events                           Server-Sent Events: hello, batch, stats',
  'POST /api/stations/{id}/remote-start       {"idToken":"TAG","evseId":1}',
  'POST /api/stations/{id}/remote-stop        {"transactionId":"..."}',
  'POST /api/stations/{id}/reset              {"type":"Immediate"|"OnIdle"}',
  'POST /api/stations/{id}/change-availability {"operative":false,"evseId":1}',
  'POST /api/stations/{id}/get-configuration  {"keys":["HeartbeatInterval"]}',
  'POST /api/stations/{id}/set-configuration  {"key":"HeartbeatInterval","value":"60"}',
  'POST /api/stations/{id}/trigger-message    {"message":"Heartbeat"}',
  'POST /api/stations/{id}/unlock-connector   {"evseId":1,"connectorId":1}',
  'POST /api/stations/{id}/data-transfer      {"vendorId":"com.example","data":"..."}',
  'POST /api/stations/{id}/call               {"action":"GetVariables","payload":{...}} (raw, versioned)',
  'POST /api/stations/{id}/{operation}        any neutral operation by name, the body its params: getBaseReport {"reportBase":"FullInventory"}, setDisplayMessage, installCertificate, ...',
];

const txKey = (identity: string, id?: string) =>
  id === undefined ? identity : `${identity}\u0000${id}`;

/**
 * One live-feed client. Updates are coalesced by station and transaction and sent as one `batch`
 * event every 200 ms. When the socket does not take a write (`write` returns false) nothing more
 * is written until `drain`: updates keep coalescing meanwhile, with a bounded backlog (too many
 * and the client gets a fresh `hello` snapshot instead), and a client that stays stalled for
 * `feedStallMs` is disconnected.
 */
class FeedClient {
  private readonly stations = new Map<string, StationRecord>();
  private readonly transactions = new Map<string, TransactionRecord>();
  /** Removed stations (key: identity) and transactions (key: identity NUL id). */
  private readonly removed = new Map<string, { identity: string; transactionId?: string }>();
  private frames: FrameEntry[] = [];
  private frameBytes = 0;
  private connections: ConnectionEntry[] = [];
  /** The backlog overflowed: the next write is a snapshot, not a batch. */
  private resync = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly limits: typeof DEFAULT_ADMIN_LIMITS,
    private readonly snapshot: () => string,
  ) {}

  /** True while the socket has not taken the last write. */
  get stalled(): boolean {
    return this.stallTimer !== undefined;
  }

  private get pending(): number {
    return this.stations.size + this.transactions.size + this.removed.size;
  }

  push(event: StoreEvent): void {
    if (this.stopped || this.resync) return;
    switch (event.type) {
      case 'station':
        this.stations.set(event.station.identity, event.station);
        this.removed.delete(event.station.identity);
        break;
      case 'transaction': {
        const k = txKey(event.transaction.identity, event.transaction.id);
        this.transactions.set(k, event.transaction);
        this.removed.delete(k);
        break;
      }
      case 'removed': {
        const k = txKey(event.identity, event.transactionId);
        if (event.transactionId === undefined) {
          this.stations.delete(event.identity);
          for (const [tk, t] of this.transactions)
            if (t.identity === event.identity) this.transactions.delete(tk);
        } else {
          this.transactions.delete(k);
        }
        this.removed.set(k, {
          identity: event.identity,
          ...(event.transactionId === undefined ? {} : { transactionId: event.transactionId }),
        });
        break;
      }
      case 'frame':
        this.frames.push(event.frame);
        this.frameBytes += event.frame.frame.length;
        while (
          this.frames.length > 1 &&
          (this.frames.length > FEED_FRAMES || this.frameBytes > this.limits.feedMaxFrameBytes)
        ) {
          this.frameBytes -= this.frames.shift()!.frame.length;
        }
        break;
      case 'connection':
        this.connections.push(event.entry);
        if (this.connections.length > FEED_CONNECTIONS) this.connections.shift();
        break;
    }
    if (this.pending > this.limits.feedMaxPending) {
      this.clear();
      this.resync = true;
    }
    this.schedule();
  }

  private clear(): void {
    this.stations.clear();
    this.transactions.clear();
    this.removed.clear();
    this.frames = [];
    this.frameBytes = 0;
    this.connections = [];
  }

  private schedule(): void {
    if (this.stalled || this.stopped) return;
    this.timer ??= setTimeout(() => this.flush(), 200);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.stalled || this.stopped) return;
    if (this.resync) {
      this.resync = false;
      this.write(this.snapshot());
      return;
    }
    if (this.pending === 0 && this.frames.length === 0 && this.connections.length === 0) return;
    const batch = {
      removed: [...this.removed.values()],
      stations: [...this.stations.values()],
      transactions: [...this.transactions.values()],
      frames: this.frames,
      connections: this.connections,
    };
    this.clear();
    this.write(`event: batch\ndata: ${JSON.stringify(batch)}\n\n`);
  }

  /** Writes unless stalled; a write the socket does not take starts the stall clock. */
  write(text: string): void {
    if (this.stalled || this.stopped) return;
    if (this.res.write(text)) return;
    this.stallTimer = setTimeout(() => this.res.destroy(), this.limits.feedStallMs);
    this.res.once('drain', () => {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
      if (this.resync || this.pending > 0 || this.frames.length > 0 || this.connections.length > 0)
        this.schedule();
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.stallTimer);
    this.timer = undefined;
    this.clear();
  }
}

/** `?offset=` of a list: a whole number from 0, else 0. */
function listOffset(url: URL): number {
  const n = Number(url.searchParams.get('offset') ?? 0);
  return Number.isInteger(n) && n > 0 ? n : 0;
}

/** `?limit=` of a list: a whole number from 1 to `max`, else `fallback`. */
function listLimit(url: URL, fallback: number, max: number): number {
  const given = url.searchParams.get('limit');
  if (given === null) return Math.min(fallback, max);
  const n = Number(given);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : Math.min(fallback, max);
}

/** Sends at most `limit` items from `offset` on, with the total in `X-Total-Count`. */
function sendList(res: ServerResponse, items: readonly unknown[], limit: number, offset = 0): void {
  send(
    res,
    200,
    offset === 0 && items.length <= limit ? items : items.slice(offset, offset + limit),
    { 'X-Total-Count': String(items.length) },
  );
}

/**
 * The admin HTTP API and the web page of `ocpp csms`: JSON endpoints to list stations and
 * transactions and to drive stations (remote start/stop, reset, availability, configuration, a
 * raw versioned call), and a Server-Sent Events feed for the page. Every request must name the
 * admin listener in `Host` and come from no other origin (403); every `/api` request must carry
 * the bearer token (401); a POST body must be JSON (415). Returns the request handler and a
 * `close()` that ends the open feeds.
 */
export function createAdminHandler(
  backend: AdminBackend,
  page: () => AdminPage,
  access: AdminAccess,
  limitsGiven: AdminLimits = {},
): { handle: (req: IncomingMessage, res: ServerResponse) => void; close: () => void } {
  const limits = { ...DEFAULT_ADMIN_LIMITS };
  for (const [k, v] of Object.entries(limitsGiven)) {
    if (v !== undefined) (limits as Record<string, number>)[k] = v;
  }
  const feeds = new Set<{ client: FeedClient; res: ServerResponse; off: () => void }>();
  const expected = digest(access.token);
  const authorised = (req: IncomingMessage): boolean => {
    const given = bearerToken(req.headers.authorization);
    return given !== undefined && timingSafeEqual(digest(given), expected);
  };

  // One sample a second of the traffic and the energy, for the page's chart: kept whether or not
  // a page is open, so one opened later draws the last minutes at once.
  const stats: StatsSample[] = [];
  let last = { at: performance.now(), traffic: backend.store.traffic() };
  const sample = (): StatsSample => {
    const { store } = backend;
    const at = performance.now();
    const traffic = store.traffic();
    const seconds = Math.max(0.001, (at - last.at) / 1000);
    const rate = (k: keyof typeof traffic) =>
      Math.round(((traffic[k] - last.traffic[k]) / seconds) * 10) / 10;
    const counts = store.counts();
    const s: StatsSample = {
      time: new Date().toISOString(),
      callsInPerS: rate('callsIn'),
      callsOutPerS: rate('callsOut'),
      framesInPerS: rate('framesIn'),
      framesOutPerS: rate('framesOut'),
      connected: counts.connected,
      stations: counts.stations,
      energy: store.energyTotals(),
    };
    last = { at, traffic };
    return s;
  };
  const sampler = setInterval(() => {
    const s = sample();
    stats.push(s);
    if (stats.length > STATS_SAMPLES) stats.shift();
    if (feeds.size === 0) return;
    const text = `event: stats\ndata: ${JSON.stringify(s)}\n\n`;
    for (const feed of feeds) feed.client.write(text);
  }, STATS_INTERVAL_MS);
  sampler.unref();

  /** What the page starts from, and what a live feed's `hello` carries. */
  const snapshot = () => {
    const { store } = backend;
    const stations = store.stations();
    const transactions = store.transactions();
    return {
      info: backend.info(),
      totals: { stations: stations.length, transactions: transactions.length },
      stations: stations.slice(0, limits.maxListItems),
      transactions: transactions.slice(0, HELLO_TRANSACTIONS),
      frames: store.frames(HELLO_FRAMES),
      connections: store.connectionLog(HELLO_CONNECTIONS),
      stats,
      energy: store.energyTotals(),
    };
  };
  const hello = (): string => `event: hello\ndata: ${JSON.stringify(snapshot())}\n\n`;

  const events = (res: ServerResponse) => {
    res.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
    });
    const client = new FeedClient(res, limits, hello);
    client.write(`retry: 2000\n${hello()}`);
    const off = backend.store.subscribe((e) => client.push(e));
    const ping = setInterval(() => client.write(': keep-alive\n\n'), 15_000);
    const feed = {
      client,
      res,
      off: () => {
        clearInterval(ping);
        client.stop();
        off();
      },
    };
    feeds.add(feed);
    res.on('close', () => {
      feed.off();
      feeds.delete(feed);
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const refused = refusal(req, access, path === '/api' || path.startsWith('/api/'));
    if (refused !== undefined) throw new AdminError(403, refused);
    const method = req.method ?? 'GET';
    const { store } = backend;
    if (path === '/' || path === '/index.html') {
      if (method !== 'GET' && method !== 'HEAD') throw new AdminError(405, 'use GET');
      const { html, contentSecurityPolicy } = page();
      res.writeHead(200, {
        ...COMMON_HEADERS,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': contentSecurityPolicy,
        'X-Frame-Options': 'DENY',
      });
      res.end(method === 'HEAD' ? undefined : html);
      return;
    }
    if (path !== '/api' && !path.startsWith('/api/')) {
      throw new AdminError(404, `no such page: ${path} (the web page is at /, the API at /api)`);
    }
    if (!authorised(req)) {
      throw new AdminError(
        401,
        'send the admin token as "Authorization: Bearer <token>" (ocpp csms prints it at start, or takes it from --admin-token or OCPP_CSMS_ADMIN_TOKEN)',
        { 'WWW-Authenticate': 'Bearer realm="ocpp csms"' },
      );
    }
    const m = /^\/api\/stations\/([^/]+)(?:\/([A-Za-z0-9-]+))?$/.exec(path);
    const op = m?.[2];
    if (op === undefined && method !== 'GET' && method !== 'HEAD') {
      throw new AdminError(405, `use GET for ${path}`);
    }
    if (path === '/api') {
      return send(res, 200, {
        ...backend.info(),
        limits: { ...store.limits, ...limits },
        routes: ROUTES,
      });
    }
    if (path === '/api/snapshot') return send(res, 200, snapshot());
    if (path === '/api/stats')
      return send(res, 200, { samples: stats, energy: store.energyTotals() });
    if (path === '/api/connections') {
      const limit = listLimit(url, 100, MAX_CONNECTION_ENTRIES);
      const station = url.searchParams.get('station') ?? undefined;
      return send(res, 200, store.connectionLog(limit, station));
    }
    if (path === '/api/events') {
      if (method !== 'GET') throw new AdminError(405, 'use GET for /api/events');
      return events(res);
    }
    if (path === '/api/stations') {
      return sendList(
        res,
        store.stations(),
        listLimit(url, limits.maxListItems, limits.maxListItems),
        listOffset(url),
      );
    }
    if (path === '/api/transactions') {
      const station = url.searchParams.get('station') ?? undefined;
      const active = url.searchParams.get('active');
      return sendList(
        res,
        store.transactions({
          ...(station === undefined ? {} : { identity: station }),
          activeOnly: active === 'true' || active === '1',
        }),
        listLimit(url, limits.maxListItems, limits.maxListItems),
        listOffset(url),
      );
    }
    if (path === '/api/frames') {
      const limit = listLimit(url, 100, store.limits.maxFrames);
      const station = url.searchParams.get('station') ?? undefined;
      return send(res, 200, store.frames(limit, station));
    }
    if (m !== null) {
      let identity: string;
      try {
        identity = decodeURIComponent(m[1]!);
      } catch {
        throw new AdminError(400, 'malformed station identity in the path');
      }
      if (op === undefined) {
        const s = store.station(identity);
        if (s === undefined) throw new AdminError(404, `station ${identity} is unknown`);
        return send(res, 200, {
          ...s,
          transactions: store.transactions({ identity }).slice(0, limits.maxListItems),
        });
      }
      const operation = Object.hasOwn(backend.operations, op) ? backend.operations[op] : undefined;
      if (operation === undefined) {
        throw new AdminError(
          404,
          `unknown operation "${op}" (${Object.keys(backend.operations).join(', ')})`,
        );
      }
      if (method !== 'POST') throw new AdminError(405, `use POST for ${op}`);
      const body = await readJson(req);
      if (!backend.isConnected(identity)) {
        throw new AdminError(
          store.station(identity) === undefined ? 404 : 409,
          `station ${identity} is not connected`,
        );
      }
      const result = await operation(identity, body);
      return send(res, 200, { station: identity, operation: op, result });
    }
    throw new AdminError(404, `no such endpoint: ${method} ${path} (GET /api lists them)`);
  };

  return {
    handle: (req, res) => {
      route(req, res).catch((e: unknown) => {
        const { status, body } = errorResponse(e);
        if (res.headersSent) {
          res.end();
          return;
        }
        // A refused request's body is not read: close the connection rather than drain it.
        if (status === 401 || status === 403 || status === 413 || status === 415)
          res.setHeader('Connection', 'close');
        send(res, status, body, e instanceof AdminError ? e.headers : {});
      });
    },
    close: () => {
      clearInterval(sampler);
      for (const feed of feeds) {
        feed.off();
        feed.res.end();
      }
      feeds.clear();
    },
  };
}
