import type { IncomingMessage, ServerResponse } from 'node:http';
import { isOcppCallError, isOcppSdkError } from '@ocpp/runtime';
import type {
  CsmsStore,
  FrameEntry,
  StationRecord,
  StoreEvent,
  TransactionRecord,
} from './store.js';

/** A bad admin request: answered with `status` and `{ "error": message }`. */
export class AdminError extends Error {
  override readonly name = 'AdminError';

  constructor(
    readonly status: number,
    message: string,
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

const MAX_BODY = 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(`${text}\n`);
}

async function readJson(req: IncomingMessage): Promise<JsonBody> {
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
  'GET  /api                                  this index',
  'GET  /api/stations                         stations with connectors (connected or not)',
  'GET  /api/stations/{id}                    one station',
  'GET  /api/transactions[?active=true&station={id}]',
  'GET  /api/frames[?limit=100&station={id}]  the last frames',
  'GET  /api/events                           Server-Sent Events: stations, transactions, frames',
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
];

/** A live feed client: updates coalesced into one `batch` event every 200 ms. */
class FeedClient {
  private readonly stations = new Map<string, StationRecord>();
  private readonly transactions = new Map<string, TransactionRecord>();
  private frames: FrameEntry[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly res: ServerResponse) {}

  push(event: StoreEvent): void {
    if (event.type === 'station') this.stations.set(event.station.identity, event.station);
    else if (event.type === 'transaction')
      this.transactions.set(
        `${event.transaction.identity}\u0000${event.transaction.id}`,
        event.transaction,
      );
    else {
      this.frames.push(event.frame);
      if (this.frames.length > 200) this.frames.splice(0, this.frames.length - 200);
    }
    this.timer ??= setTimeout(() => this.flush(), 200);
  }

  flush(): void {
    this.timer = undefined;
    const batch = {
      stations: [...this.stations.values()],
      transactions: [...this.transactions.values()],
      frames: this.frames,
    };
    this.stations.clear();
    this.transactions.clear();
    this.frames = [];
    this.res.write(`event: batch\ndata: ${JSON.stringify(batch)}\n\n`);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * The admin HTTP API and the web page of `ocpp csms`: JSON endpoints to list stations and
 * transactions and to drive stations (remote start/stop, reset, availability, configuration, a
 * raw versioned call), and a Server-Sent Events feed for the page. Returns the request handler and
 * a `close()` that ends the open feeds.
 */
export function createAdminHandler(
  backend: AdminBackend,
  page: () => string,
): { handle: (req: IncomingMessage, res: ServerResponse) => void; close: () => void } {
  const feeds = new Set<{ client: FeedClient; res: ServerResponse; off: () => void }>();

  const events = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    const { store } = backend;
    const hello = {
      info: backend.info(),
      stations: store.stations(),
      transactions: store.transactions().slice(0, 200),
      frames: store.frames(100),
    };
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
    const client = new FeedClient(res);
    const off = store.subscribe((e) => client.push(e));
    const ping = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
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
    req.on('close', () => {
      feed.off();
      feeds.delete(feed);
    });
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const { store } = backend;
    if (path === '/' || path === '/index.html') {
      if (method !== 'GET') throw new AdminError(405, 'use GET');
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      res.end(page());
      return;
    }
    if (path === '/api') return send(res, 200, { ...backend.info(), routes: ROUTES });
    if (path === '/api/events') return events(req, res);
    if (path === '/api/stations' && method === 'GET') return send(res, 200, store.stations());
    if (path === '/api/transactions' && method === 'GET') {
      const station = url.searchParams.get('station') ?? undefined;
      const active = url.searchParams.get('active');
      return send(
        res,
        200,
        store.transactions({
          ...(station === undefined ? {} : { identity: station }),
          activeOnly: active === 'true' || active === '1',
        }),
      );
    }
    if (path === '/api/frames' && method === 'GET') {
      const raw = Number(url.searchParams.get('limit') ?? 100);
      const limit = Number.isInteger(raw) && raw > 0 ? Math.min(raw, 500) : 100;
      const station = url.searchParams.get('station') ?? undefined;
      return send(res, 200, store.frames(limit, station));
    }
    const m = /^\/api\/stations\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
    if (m !== null) {
      let identity: string;
      try {
        identity = decodeURIComponent(m[1]!);
      } catch {
        throw new AdminError(400, 'malformed station identity in the path');
      }
      const op = m[2];
      if (op === undefined) {
        if (method !== 'GET') throw new AdminError(405, 'use GET');
        const s = store.station(identity);
        if (s === undefined) throw new AdminError(404, `station ${identity} is unknown`);
        return send(res, 200, { ...s, transactions: store.transactions({ identity }) });
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
        send(res, status, body);
      });
    },
    close: () => {
      for (const feed of feeds) {
        feed.off();
        feed.res.end();
      }
      feeds.clear();
    },
  };
}
