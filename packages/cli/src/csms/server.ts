import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import {
  CSMS_OPERATIONS,
  type CsmsContext,
  type CsmsHandlers,
  createGenericCsms,
  type GenericCsms,
  type MeterValue,
  type ProtocolVersion,
  type StationHandle,
  type TransactionEvent,
} from '@ocpp/generic-api';
import type { Logger } from '@ocpp/rpc';
import { isOcppCallError } from '@ocpp/runtime';
import type { TransportCloseInfo } from '@ocpp/transport';
import {
  createWsServer,
  type HandshakeRejection,
  type SecurityProfile,
  safeEqual,
  tlsServerOptions,
} from '@ocpp/transport-ws';
import { CliError } from '../cli/errors.js';
import type { Credentials } from '../cli/files.js';
import {
  type CertificateAuthority,
  type CsrInfo,
  certificatesOf,
  createAuthority,
  readCsr,
  signCsr,
} from '../pki.js';
import { PROTOCOLS } from '../validate/verdict.js';
import {
  AdminError,
  type AdminLimits,
  createAdminHandler,
  type JsonBody,
  type StationOperations,
} from './admin.js';
import { CsmsDatabase } from './db.js';
import { adminPage } from './page.js';
import { type CsmsScript, fillPayload, type ScriptEvent, ScriptState } from './script.js';
import { CsmsStore, type MeterReading, PROVISIONING_LIMITS, type StoreLimits } from './store.js';
import { tapServer } from './tap.js';

/** Every bound of the CSMS's memory: the store's and the admin API's (each has a default). */
export type CsmsLimits = StoreLimits & AdminLimits;

/** Options of {@link startCsms}. */
export interface CsmsOptions {
  /** The address OCPP listens on. */
  readonly host: string;
  /** The OCPP port; 0 picks a free port. */
  readonly port: number;
  /**
   * The address of the admin listener (the web page and the admin API, plain HTTP). Anything
   * but a loopback address exposes it to the network, guarded by the token only.
   * @default '127.0.0.1'
   */
  readonly adminHost?: string;
  /**
   * The admin listener's port; 0 picks a free one. By default the OCPP port + 1, or a free port
   * when that one is taken (or the OCPP port is 0).
   * @default port + 1
   */
  readonly adminPort?: number;
  /**
   * The bearer token every admin API request must carry: at least 16 visible ASCII characters.
   * @default 32 random bytes, base64url
   */
  readonly adminToken?: string;
  /** Bounds of what the CSMS keeps and sends (every one has a default). */
  readonly limits?: CsmsLimits;
  /**
   * The SQLite database file that keeps stations, transactions, meter readings and the 1.6
   * transaction-id counter across restarts (created when missing; `FILE-wal` and `FILE-shm` lie
   * beside it while it is open). `:memory:` keeps everything in memory only: a restart begins
   * afresh and 1.6 transaction ids start at 1 again.
   * @default ':memory:'
   */
  readonly db?: string;
  readonly protocols: readonly ProtocolVersion[];
  readonly credentials?: Credentials;
  /**
   * Serve wss:// with these certificates, each with its key: one RSA and one EC certificate
   * offer every TLS 1.2 suite OCPP 2.0.1 requires. `ca`: require client certificates it issued.
   */
  readonly tls?: {
    readonly certificates: readonly { readonly cert: Buffer; readonly key: Buffer }[];
    readonly ca?: Buffer;
  };
  readonly heartbeatIntervalSeconds: number;
  /** Signs the stations' CSRs (SignCertificate). @default a CA made at start, in memory */
  readonly signingCa?: CertificateAuthority;
  /**
   * `pending`: a station is answered Pending (retry after 2 s) until it was provisioned: the CSMS
   * reads its device model (2.x GetBaseReport FullInventory, 1.6 GetConfiguration) after the
   * Pending answer, and accepts its next boot.
   * @default 'accepted'
   */
  readonly bootStatus?: 'accepted' | 'pending';
  /**
   * A test counterpart's script (`--script`): boot answers per station, authorisation answers
   * per id token, CSMS-initiated calls on events. Its boot rule for a station wins over
   * {@link bootStatus}.
   */
  readonly script?: CsmsScript;
  readonly callTimeoutMs: number;
  /** Receives connection events, every frame and refused handshakes. */
  readonly log: CsmsLog;
  readonly logger: Logger;
}

/** What `ocpp csms` reports as it runs. */
export interface CsmsLog {
  connected(identity: string, protocol: string, remoteAddress: string | undefined): void;
  disconnected(identity: string, protocol: string, info: TransportCloseInfo): void;
  frame(identity: string, protocol: string, from: 'station' | 'csms', text: string): void;
  refused(rejection: HandshakeRejection): void;
  /**
   * A call of the `--script` was answered (`answer`) or failed (`error`: not sent, timed out, a
   * CALLERROR).
   */
  script?(
    entry: {
      readonly identity: string;
      readonly protocol: string;
      readonly event: string;
      readonly action: string;
    } & ({ readonly answer: unknown } | { readonly error: string }),
  ): void;
}

/** A running CSMS. */
export interface RunningCsms {
  /** The OCPP endpoint stations connect to (`ws://host:port`, identity appended). */
  readonly url: string;
  /** The admin listener: the web page at `/`, the API under `/api` (`http://host:port/`). */
  readonly adminUrl: string;
  /** The web page with the token in its fragment, to open in a browser. */
  readonly pageUrl: string;
  /** The bearer token of the admin API. */
  readonly adminToken: string;
  /** True when the token was generated here (not given). */
  readonly adminTokenGenerated: boolean;
  /** The address the admin listener is bound to. */
  readonly adminAddress: string;
  readonly port: number;
  readonly securityProfile: SecurityProfile;
  readonly store: CsmsStore;
  readonly csms: GenericCsms;
  /** The database file, or undefined when everything is in memory. */
  readonly db: string | undefined;
  /** What the database held at start: stations and transactions, the last 1.6 id given. */
  readonly restored: { stations: number; transactions: number; lastTransactionId: number };
  close(): Promise<void>;
}

function readings(meterValue: readonly MeterValue[] | undefined): MeterReading[] {
  const out: MeterReading[] = [];
  for (const mv of meterValue ?? []) {
    for (const sv of mv.sampledValue) {
      if (!Number.isFinite(sv.value)) continue;
      const scale = sv.multiplier === undefined ? 1 : 10 ** sv.multiplier;
      out.push({
        time: mv.timestamp,
        measurand: sv.measurand ?? 'Energy.Active.Import.Register',
        value: sv.value * scale,
        ...(sv.unit === undefined ? {} : { unit: sv.unit }),
        ...(sv.phase === undefined ? {} : { phase: sv.phase }),
      });
    }
  }
  return out;
}

function listenOn(
  server: HttpServer | HttpsServer,
  port: number,
  host: string,
  what: string,
): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        e.code === 'EADDRINUSE'
          ? new CliError(
              `${what} port ${port} on ${host} is already in use (choose another with --${what === 'admin' ? 'admin-port' : 'port'})`,
            )
          : e.code === 'EACCES'
            ? new CliError(
                `no permission to listen on ${host}:${port} (ports below 1024 need privileges)`,
              )
            : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND'
              ? new CliError(`cannot listen on ${host}: no such local address`)
              : new CliError(`cannot listen on ${host}:${port}: ${e.code ?? e.message}`),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

// ---- admin request bodies ----

function text(body: JsonBody, key: string, required: true): string;
function text(body: JsonBody, key: string, required?: false): string | undefined;
function text(body: JsonBody, key: string, required = false): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw new AdminError(400, `"${key}" is required`);
    return undefined;
  }
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v === '')
    throw new AdminError(400, `"${key}" must be a non-empty string`);
  return v;
}

function whole(body: JsonBody, key: string, required = false): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) {
    if (required) throw new AdminError(400, `"${key}" is required`);
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new AdminError(400, `"${key}" must be a whole number ≥ 0`);
  }
  return v;
}

function operations(csms: GenericCsms, callTimeoutMs: number): StationOperations {
  const station = (identity: string): StationHandle => {
    const h = csms.station(identity);
    if (h === undefined) throw new AdminError(409, `station ${identity} is not connected`);
    return h;
  };
  const options = { timeout: callTimeoutMs };
  return {
    'remote-start': (id, body) => {
      const evseId = whole(body, 'evseId');
      const remoteStartId = whole(body, 'remoteStartId');
      return station(id).remoteStart(
        {
          idToken: {
            idToken: text(body, 'idToken') ?? 'ADMIN',
            type: text(body, 'idTokenType') ?? 'Central',
          },
          ...(evseId === undefined ? {} : { evseId }),
          ...(remoteStartId === undefined ? {} : { remoteStartId }),
        },
        options,
      );
    },
    'remote-stop': (id, body) =>
      station(id).remoteStop({ transactionId: text(body, 'transactionId', true) }, options),
    reset: (id, body) => {
      const type = text(body, 'type') ?? 'Immediate';
      if (type !== 'Immediate' && type !== 'OnIdle' && type !== 'ImmediateAndResume') {
        throw new AdminError(400, '"type" must be Immediate, OnIdle or ImmediateAndResume');
      }
      const evseId = whole(body, 'evseId');
      return station(id).reset({ type, ...(evseId === undefined ? {} : { evseId }) }, options);
    },
    'change-availability': (id, body) => {
      const operative = body.operative;
      if (typeof operative !== 'boolean')
        throw new AdminError(400, '"operative" (true or false) is required');
      const evseId = whole(body, 'evseId');
      const connectorId = whole(body, 'connectorId');
      return station(id).changeAvailability(
        {
          operationalStatus: operative ? 'Operative' : 'Inoperative',
          ...(evseId === undefined ? {} : { evseId }),
          ...(connectorId === undefined ? {} : { connectorId }),
        },
        options,
      );
    },
    'get-configuration': (id, body) => {
      const keys = body.keys;
      if (keys !== undefined && (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))) {
        throw new AdminError(400, '"keys" must be a list of strings');
      }
      return station(id).getConfiguration(
        keys === undefined ? {} : { keys: keys as string[] },
        options,
      );
    },
    'set-configuration': (id, body) => {
      const key = text(body, 'key', true);
      const value = body.value;
      // An empty string is a value (it clears some keys); a missing one is a mistake.
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new AdminError(400, '"value" (a string, number or boolean) is required');
      }
      return station(id).setConfiguration({ key, value: String(value) }, options);
    },
    'trigger-message': (id, body) => {
      const evseId = whole(body, 'evseId');
      return station(id).triggerMessage(
        {
          requestedMessage: text(body, 'message', true) as 'Heartbeat',
          ...(evseId === undefined ? {} : { evseId }),
        },
        options,
      );
    },
    'unlock-connector': (id, body) => {
      const connectorId = whole(body, 'connectorId');
      return station(id).unlockConnector(
        {
          evseId: whole(body, 'evseId', true)!,
          ...(connectorId === undefined ? {} : { connectorId }),
        },
        options,
      );
    },
    'data-transfer': (id, body) => {
      const messageId = text(body, 'messageId');
      return station(id).dataTransfer(
        {
          vendorId: text(body, 'vendorId', true),
          ...(messageId === undefined ? {} : { messageId }),
          ...(body.data === undefined ? {} : { data: body.data }),
        },
        options,
      );
    },
    call: (id, body) => {
      const handle = station(id);
      const action = text(body, 'action', true);
      const payload = body.payload ?? {};
      const protocol = PROTOCOLS[handle.version];
      const entry = protocol.isAction(action) ? protocol.actions[action] : undefined;
      if (entry === undefined) {
        throw new AdminError(400, `"${action}" is not an action of ${handle.version}`);
      }
      if (entry.kind !== 'CALL' || entry.direction === 'StationToCsms') {
        throw new AdminError(400, `${action} is not a CALL the CSMS sends in ${handle.version}`);
      }
      const session = handle.session as unknown as {
        call(action: string, payload: unknown, options: { timeout: number }): Promise<unknown>;
      };
      return session.call(action, payload, options);
    },
    // Every neutral operation by its own name (`getBaseReport`, `setDisplayMessage`, ...): the
    // body is its params, as the generic API takes them; reports resolve once assembled.
    ...Object.fromEntries(
      CSMS_OPERATIONS.map((name) => [
        name,
        (id: string, body: JsonBody) => {
          const method = station(id)[name] as unknown as (
            params: unknown,
            options: { timeout: number },
          ) => Promise<unknown>;
          return method.call(station(id), body, options);
        },
      ]),
    ),
  };
}

/**
 * Answers for every other message a station may send, so that none is refused `NotSupported`:
 * what a test CSMS without a certificate authority, tariffs or DER can truthfully say. Each is
 * logged.
 */
function answerEverything(
  note: (identity: string, what: string) => void,
  store: CsmsStore,
): CsmsHandlers {
  const heard =
    <R>(what: string, answer: R) =>
    (_params: unknown, ctx: { identity: string }): R => {
      note(ctx.identity, what);
      return answer;
    };
  return {
    onSecurityEvent: (p, ctx) => {
      note(ctx.identity, `security event ${p.type}`);
      store.provisioned(ctx.identity, (x) => {
        x.events = [
          ...(x.events ?? []),
          {
            at: p.timestamp ?? new Date().toISOString(),
            type: `security: ${p.type}`,
            ...(p.techInfo === undefined ? {} : { detail: p.techInfo }),
          },
        ];
      });
    },

    onReport: (r, ctx) => {
      note(ctx.identity, `device model report ${r.requestId}: ${r.reportData.length} variables`);
      const values: Record<string, string> = {};
      for (const d of r.reportData.slice(0, PROVISIONING_LIMITS.values)) {
        const actual = d.variableAttribute.find((a) => a.type === undefined || a.type === 'Actual');
        if (actual?.value !== undefined)
          values[variableName(d.component, d.variable)] = actual.value;
      }
      store.provisioned(ctx.identity, (x) => {
        x.deviceModel = {
          requestId: r.requestId,
          at: r.generatedAt,
          variables: r.reportData.length,
          values,
        };
      });
    },
    onMonitoringReport: (r, ctx) =>
      note(ctx.identity, `monitoring report ${r.requestId}: ${r.monitor.length} variables`),
    onChargingProfiles: (r, ctx) =>
      note(ctx.identity, `charging profiles report ${r.requestId}: ${r.profiles.length} parts`),
    onDisplayMessages: (r, ctx) => {
      note(ctx.identity, `display messages ${r.requestId}: ${r.messageInfo.length}`);
      store.provisioned(ctx.identity, (x) => {
        x.displayMessages = { at: new Date().toISOString(), ids: r.messageInfo.map((m) => m.id) };
      });
    },
    onCustomerInformation: (r, ctx) =>
      note(ctx.identity, `customer information ${r.requestId}: ${r.data.length} characters`),
    onEvent: (r, ctx) => {
      note(ctx.identity, `${r.eventData.length} event(s)`);
      store.provisioned(ctx.identity, (x) => {
        x.events = [
          ...(x.events ?? []),
          ...r.eventData.map((e) => ({
            at: e.timestamp,
            type: `${e.trigger}${e.cleared === true ? ' (cleared)' : ''}: ${variableName(e.component, e.variable)}`,
            detail: e.actualValue,
          })),
        ];
      });
    },
    onNotifyChargingLimit: heard('NotifyChargingLimit', {}),
    onClearedChargingLimit: heard('ClearedChargingLimit', {}),
    onNotifyEVChargingNeeds: heard('NotifyEVChargingNeeds', { status: 'Accepted' as const }),
    onNotifyEVChargingSchedule: heard('NotifyEVChargingSchedule', {
      status: 'Accepted' as const,
    }),
    onReservationStatusUpdate: heard('ReservationStatusUpdate', {}),
    onPublishFirmwareStatusNotification: heard('PublishFirmwareStatusNotification', {}),
    onGet15118EVCertificate: heard('Get15118EVCertificate failed (no contract certificates)', {
      status: 'Failed' as const,
      exiResponse: '',
    }),
    onGetCertificateStatus: heard('GetCertificateStatus failed (no OCSP)', {
      status: 'Failed' as const,
    }),
    onBatterySwap: heard('BatterySwap', {}),
    onClosePeriodicEventStream: heard('ClosePeriodicEventStream', {}),
    onGetCertificateChainStatus: heard('GetCertificateChainStatus (no OCSP)', {
      certificateStatus: [],
    }),
    onNotifyDERAlarm: heard('NotifyDERAlarm', {}),
    onNotifyDERStartStop: heard('NotifyDERStartStop', {}),
    onNotifyPriorityCharging: heard('NotifyPriorityCharging', {}),
    onNotifySettlement: heard('NotifySettlement', {}),
    onOpenPeriodicEventStream: heard('OpenPeriodicEventStream refused', {
      status: 'Rejected' as const,
    }),
    onPullDynamicScheduleUpdate: heard('PullDynamicScheduleUpdate refused', {
      status: 'Rejected' as const,
    }),
    onReportDERControl: heard('ReportDERControl', {}),
    onVatNumberValidation: (p, ctx) => {
      note(ctx.identity, `VatNumberValidation ${p.vatNumber} refused`);
      return { vatNumber: p.vatNumber, status: 'Rejected' as const };
    },
    onNotifyPeriodicEventStream: () => {},
  };
}

/** A 2.x variable's name as the CSMS shows it: `Component[instance]@evse.connector.Variable[instance]`. */
function variableName(
  c: { name: string; instance?: string; evse?: { id: number; connectorId?: number } },
  v: { name: string; instance?: string },
): string {
  const at =
    c.evse === undefined
      ? ''
      : `@${c.evse.id}${c.evse.connectorId === undefined ? '' : `.${c.evse.connectorId}`}`;
  const ci = c.instance === undefined ? '' : `[${c.instance}]`;
  const vi = v.instance === undefined ? '' : `[${v.instance}]`;
  return `${c.name}${ci}${at}.${v.name}${vi}`;
}

/** The retry interval a Pending boot answer gives (`--boot-status pending`). */
const PENDING_RETRY_SECONDS = 2;

/** Why `token` cannot be the admin token, or undefined when it can. */
export function checkAdminToken(token: string): string | undefined {
  if (token.length < 16) return 'the admin token must have at least 16 characters';
  if (!/^[\x21-\x7e]+$/.test(token)) {
    return 'the admin token may hold visible ASCII characters only (no spaces)';
  }
  return undefined;
}

/** True for an address only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The names a `Host` header may give to reach the admin listener: the address given and the one
 * bound, the loopback names when it listens there, and for every interface the machine's
 * addresses and host name. Any other name is a page that made its own name point here.
 */
function adminHostNames(given: string, bound: string): Set<string> {
  const names = new Set<string>();
  const add = (h: string) => {
    const lower = h.toLowerCase();
    names.add(lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower);
  };
  add(given);
  add(bound);
  const wildcard = WILDCARDS.has(bound) || WILDCARDS.has(given);
  if (wildcard || isLoopback(bound) || isLoopback(given)) {
    for (const h of ['localhost', '127.0.0.1', '::1']) add(h);
  }
  if (wildcard) {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) add(a.address);
    }
    add(hostname());
  }
  return names;
}

const urlHost = (host: string) =>
  host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

/** Opens the database of `file`, or none for `:memory:`; a file that will not do is a CliError. */
function openDatabase(
  file: string | undefined,
  limits: CsmsLimits,
  logger: Logger,
): CsmsDatabase | undefined {
  if (file === undefined || file === ':memory:') return undefined;
  try {
    return CsmsDatabase.open(file, {
      ...(limits.maxStoredReadings === undefined
        ? {}
        : { maxStoredReadings: limits.maxStoredReadings }),
      onError: (e) => logger.error(`database ${file}: a write failed: ${e.message}`),
    });
  } catch (e) {
    throw new CliError(
      `cannot use ${file} as the database: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * Starts the CSMS of `ocpp csms`: a generic-api CSMS on a WebSocket server (plain, TLS, or TLS
 * with client certificates; Basic auth from a credentials file), a store of stations,
 * connectors, transactions and meter readings within {@link CsmsLimits} (in memory, and with
 * `db` written through to a SQLite database it starts from), and on a listener of its own
 * (loopback by default) the web page and the JSON admin API, behind a bearer token.
 */
export async function startCsms(options: CsmsOptions): Promise<RunningCsms> {
  const limits = options.limits ?? {};
  const { credentials, tls, log } = options;
  const adminToken = options.adminToken ?? randomBytes(32).toString('base64url');
  const badToken = checkAdminToken(adminToken);
  if (badToken !== undefined) throw new CliError(badToken);
  const db = openDatabase(options.db, limits, options.logger);
  let store: CsmsStore;
  try {
    store = new CsmsStore(limits, Date.now, db);
  } catch (e) {
    db?.close();
    throw e;
  }
  const restored = {
    stations: store.counts().stations,
    transactions: store.counts().transactions,
    lastTransactionId: db?.lastTransactionId ?? 0,
  };
  /** `value` once every change made so far is in the database (at once without one). */
  const durable = <T>(value: T): T | Promise<T> => {
    const committed = db?.committed();
    return committed === undefined ? value : committed.then(() => value);
  };
  const securityProfile: SecurityProfile =
    tls?.ca !== undefined ? 3 : credentials !== undefined ? (tls === undefined ? 1 : 2) : 0;
  // The WebSocket server owns its HTTP(S) server, so a plain HTTP request to the OCPP port gets
  // what @ocpp/transport-ws answers (426) and nothing of the admin API.
  const ws = createWsServer({
    host: options.host,
    port: options.port,
    ...(tls === undefined
      ? {}
      : {
          tls: tlsServerOptions({
            profile: securityProfile === 3 ? 3 : 2,
            certificates: tls.certificates,
            ...(tls.ca === undefined ? {} : { ca: tls.ca }),
          }),
        }),
    protocols: options.protocols,
    securityProfile,
    ...(credentials === undefined
      ? {}
      : {
          authenticate: ({ identity, password, passwordBytes }) => {
            const secret = credentials.secretOf(identity);
            if (secret === undefined) return false;
            if (typeof secret === 'string')
              return password !== undefined && safeEqual(password, secret);
            return passwordBytes !== undefined && safeEqual(passwordBytes, secret);
          },
        }),
  });
  ws.on('rejected', (r) => log.refused(r));
  const current = new Map<string, object>();
  const listener = tapServer(ws, {
    connected(c) {
      current.set(c.identity, c);
      store.connected(c.identity, c.protocol, c.remoteAddress);
      log.connected(c.identity, c.protocol, c.remoteAddress);
    },
    frame(c, from, text) {
      store.frame(c.identity, c.protocol, from, text);
      log.frame(c.identity, c.protocol, from, text);
    },
    closed(c, info) {
      // A replaced connection closes after its successor opened: keep the station connected.
      if (current.get(c.identity) === c) {
        current.delete(c.identity);
        store.disconnected(c.identity, info);
      }
      log.disconnected(c.identity, c.protocol, info);
    },
  });
  let signingCa = options.signingCa;
  /** Stations whose device model was read (`--boot-status pending`): accepted from now on. */
  const provisioned = new Set<string>();
  const provisioning = new Set<string>();
  const provision = async (station: StationHandle): Promise<void> => {
    const identity = station.identity;
    if (provisioned.has(identity) || provisioning.has(identity)) return;
    provisioning.add(identity);
    try {
      const timeout = { timeout: options.callTimeoutMs };
      if (station.version === 'ocpp1.6') {
        const config = await station.getConfiguration({}, timeout);
        options.logger.info(
          `${identity}: provisioned (${config.values.length} configuration keys)`,
        );
        store.provisioned(identity, (x) => {
          x.deviceModel = {
            at: new Date().toISOString(),
            variables: config.values.length,
            values: Object.fromEntries(
              config.values.slice(0, PROVISIONING_LIMITS.values).map((v) => [v.key, v.value ?? '']),
            ),
          };
        });
      } else {
        const answer = await station.getBaseReport({ reportBase: 'FullInventory' }, timeout);
        if (answer.status !== 'Accepted' && answer.status !== 'EmptyResultSet')
          throw new Error(`GetBaseReport answered ${answer.status}`);
        options.logger.info(
          `${identity}: provisioned (${answer.report?.reportData.length ?? 0} variables)`,
        );
      }
      provisioned.add(identity);
    } catch (e) {
      // Still Pending: the station's next boot tries again.
      options.logger.warn(
        `${identity}: provisioning failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      provisioning.delete(identity);
    }
  };
  const script = options.script === undefined ? undefined : new ScriptState(options.script);
  const scriptTimers = new Set<ReturnType<typeof setTimeout>>();
  /** Sends the script's calls for `event` to `station`, each after its delay; logs each answer. */
  const runScript = (
    event: ScriptEvent,
    station: StationHandle,
    vars: Record<string, unknown> = {},
  ): void => {
    if (script === undefined) return;
    for (const call of script.callsFor(event, station.identity, station.version)) {
      const timer = setTimeout(() => {
        scriptTimers.delete(timer);
        const entry = {
          identity: station.identity,
          protocol: station.version,
          event,
          action: call.action,
        };
        let payload: unknown;
        try {
          payload = fillPayload(call.payload, {
            identity: station.identity,
            version: station.version,
            ...vars,
          });
        } catch (e) {
          log.script?.({
            ...entry,
            error: `not sent: ${e instanceof Error ? e.message : String(e)}`,
          });
          return;
        }
        const session = station.session as unknown as {
          call(action: string, payload: unknown, o: { timeout: number }): Promise<unknown>;
        };
        session.call(call.action, payload, { timeout: options.callTimeoutMs }).then(
          (answer) => log.script?.({ ...entry, answer }),
          (e: unknown) =>
            log.script?.({
              ...entry,
              error: isOcppCallError(e)
                ? `CALLERROR ${e.code}${e.description === '' ? '' : `: ${e.description}`}`
                : e instanceof Error
                  ? e.message
                  : String(e),
            }),
        );
      }, call.delaySeconds * 1000);
      scriptTimers.add(timer);
    }
  };
  /** The answer for an id token: the script's rule for it, else Accepted. */
  const tokenInfo = (idToken: string | undefined) =>
    script?.tokenInfo(idToken) ?? ({ status: 'Accepted' } as const);
  const handlers: CsmsHandlers = {
    onBoot(params, ctx) {
      store.booted(ctx.identity, {
        vendor: params.vendorName,
        model: params.model,
        ...(params.serialNumber === undefined ? {} : { serialNumber: params.serialNumber }),
        ...(params.firmwareVersion === undefined
          ? {}
          : { firmwareVersion: params.firmwareVersion }),
        ...(params.reason === undefined ? {} : { reason: params.reason }),
      });
      const scripted = script?.bootAnswer(ctx.identity);
      if (scripted !== undefined) {
        return scripted.status === 'Accepted'
          ? durable({
              status: 'Accepted',
              interval: scripted.interval ?? options.heartbeatIntervalSeconds,
            })
          : { status: scripted.status, interval: scripted.interval ?? PENDING_RETRY_SECONDS };
      }
      if (options.bootStatus === 'pending' && !provisioned.has(ctx.identity))
        return { status: 'Pending', interval: PENDING_RETRY_SECONDS };
      return durable({ status: 'Accepted', interval: options.heartbeatIntervalSeconds });
    },
    onHeartbeat(ctx) {
      store.heartbeat(ctx.identity);
      return undefined;
    },
    onAuthorize: (params) => ({ idTokenInfo: tokenInfo(params.idToken.idToken) }),
    onStatus(params, ctx) {
      store.status(ctx.identity, {
        evseId: params.evseId,
        connectorId: params.connectorId,
        status: params.status,
        ...(params.chargePointStatus === undefined ? {} : { status16: params.chargePointStatus }),
        ...(params.errorCode === undefined ? {} : { errorCode: params.errorCode }),
      });
      return durable(undefined);
    },
    onMeterValues: () => {},
    onTransaction(event, ctx) {
      if (event.eventType === 'Started' && ctx.version === 'ocpp1.6') {
        // The generic CSMS recognises a resent 1.6 start only while it runs; one resent after a
        // restart (recorded, but the answer never left) is found in the store instead.
        const again = store.openTransactionLike(ctx.identity, {
          ...(event.evseId === undefined ? {} : { evseId: event.evseId }),
          ...(event.idToken === undefined ? {} : { idToken: event.idToken.idToken }),
          time: event.timestamp,
          ...(event.meterStart === undefined ? {} : { meterStartWh: event.meterStart }),
        });
        if (again !== undefined && /^\d+$/.test(again.id)) {
          options.logger.warn(
            `${ctx.identity}: StartTransaction matches open transaction ${again.id} (possibly sent again): answered with its id`,
          );
          return durable({
            transactionId: Number(again.id),
            idTokenInfo: tokenInfo(event.idToken?.idToken),
          });
        }
      }
      const id = event.transactionId;
      if (event.eventType === 'Started' || store.transaction(ctx.identity, id) === undefined) {
        store.transactionStarted(ctx.identity, ctx.version, id, {
          ...(event.evseId === undefined ? {} : { evseId: event.evseId }),
          ...(event.connectorId === undefined ? {} : { connectorId: event.connectorId }),
          ...(event.idToken === undefined ? {} : { idToken: event.idToken.idToken }),
          ...(event.meterStart === undefined ? {} : { meterStartWh: event.meterStart }),
          ...(event.eventType === 'Started' ? { time: event.timestamp } : {}),
          ...(event.eventType === 'Ended' ? { ending: true } : {}),
        });
      }
      const r = readings(event.meterValue);
      if (r.length > 0 && event.eventType !== 'Ended') store.meterValues(ctx.identity, id, r);
      if (event.eventType === 'Ended') {
        if (r.length > 0) store.meterValues(ctx.identity, id, r);
        store.transactionStopped(ctx.identity, id, {
          ...(event.stoppedReason === undefined ? {} : { reason: event.stoppedReason }),
          ...(event.meterStop === undefined ? {} : { meterStopWh: event.meterStop }),
          time: event.timestamp,
        });
      }
      return durable(
        event.idToken === undefined && event.eventType !== 'Started'
          ? undefined
          : { idTokenInfo: tokenInfo(event.idToken?.idToken) },
      );
    },
    onDataTransfer: () => ({ status: 'UnknownVendorId' }),
    onFirmwareStatus: () => {},
    onLogStatus: () => {},
    ...answerEverything((identity, what) => options.logger.info(`${identity}: ${what}`), store),
    // A02/A03: a CSR whose signature verifies is Accepted, signed after the answer, and the chain
    // sent as CertificateSigned.
    onSignCertificate(params, ctx) {
      let csr: CsrInfo;
      try {
        csr = readCsr(params.csr);
      } catch (e) {
        options.logger.warn(
          `${ctx.identity}: SignCertificate: ${e instanceof Error ? e.message : String(e)}`,
        );
        return { status: 'Rejected' };
      }
      if (!csr.valid) {
        options.logger.warn(
          `${ctx.identity}: SignCertificate: the CSR's signature does not verify`,
        );
        return { status: 'Rejected' };
      }
      signingCa ??= createAuthority('ocpp csms test CA');
      const certificateChain = signCsr(signingCa, csr);
      const leaf = certificatesOf(certificateChain)[0]!;
      store.provisioned(ctx.identity, (x) => {
        x.certificate = {
          subject: leaf.subject.replace(/\n/g, ', '),
          serialNumber: leaf.serialNumber,
          validTo: new Date(leaf.validTo).toISOString(),
          at: new Date().toISOString(),
        };
      });
      const station = ctx.station;
      setTimeout(() => {
        station
          .certificateSigned(
            station.version === 'ocpp1.6' || params.certificateType === undefined
              ? { certificateChain }
              : { certificateChain, certificateType: params.certificateType },
            { timeout: options.callTimeoutMs },
          )
          .then(
            (r) => options.logger.info(`${ctx.identity}: CertificateSigned ${r.status}`),
            (e: unknown) =>
              options.logger.warn(
                `${ctx.identity}: CertificateSigned failed: ${e instanceof Error ? e.message : String(e)}`,
              ),
          );
      }, 0);
      return { status: 'Accepted' };
    },
  };
  const csms = createGenericCsms({
    listener,
    handlers,
    after: {
      onBoot: (_p: unknown, result: { status: string }, ctx: CsmsContext) => {
        if (result.status === 'Accepted') runScript('boot', ctx.station);
        if (result.status !== 'Pending') return undefined;
        runScript('pending', ctx.station);
        // A station the script answers Pending is the script's to provision.
        if (options.bootStatus === 'pending' && script?.bootAnswerRule(ctx.identity) === undefined)
          return provision(ctx.station);
        return undefined;
      },
      onTransaction: (event: TransactionEvent, _result: unknown, ctx: CsmsContext) => {
        if (event.eventType !== 'Started' && event.eventType !== 'Ended') return;
        runScript(
          event.eventType === 'Started' ? 'transactionStarted' : 'transactionEnded',
          ctx.station,
          {
            transactionId:
              ctx.version === 'ocpp1.6' ? Number(event.transactionId) : event.transactionId,
            evseId: event.evseId,
            idToken: event.idToken?.idToken,
          },
        );
      },
    },
    versions: options.protocols,
    session: { callTimeoutMs: options.callTimeoutMs, logger: options.logger },
    logger: options.logger,
    // A report asked for through the admin API stops waiting as a call would.
    reports: { timeoutMs: options.callTimeoutMs },
    ...(db === undefined ? {} : { allocateTransactionId: () => db.nextTransactionId() }),
  });

  if (script !== undefined) csms.on('connect', (station) => runScript('connect', station));

  let port: number;
  try {
    ({ port } = await listenOn(ws.server, options.port, options.host, 'OCPP'));
  } catch (e) {
    await ws.close();
    db?.close();
    throw e;
  }
  const scheme = tls === undefined ? 'ws' : 'wss';
  const displayHost = WILDCARDS.has(options.host) ? 'localhost' : urlHost(options.host);
  const url = `${scheme}://${displayHost}:${port}`;

  const adminHost = options.adminHost ?? '127.0.0.1';
  const adminServer = createHttpServer();
  // Slow or idle clients of the admin listener must not hold sockets for long.
  adminServer.headersTimeout = 10_000;
  adminServer.requestTimeout = 30_000;
  let admin: AddressInfo;
  try {
    const wanted = options.adminPort ?? (port > 0 && port < 65535 ? port + 1 : 0);
    try {
      admin = await listenOn(adminServer, wanted, adminHost, 'admin');
    } catch (e) {
      // The default port (OCPP + 1) may be taken: any free one will do, as it is printed.
      if (options.adminPort !== undefined || wanted === 0) throw e;
      admin = await listenOn(adminServer, 0, adminHost, 'admin');
    }
  } catch (e) {
    await ws.close();
    db?.close();
    throw e;
  }
  const adminDisplayHost = WILDCARDS.has(adminHost) ? '127.0.0.1' : urlHost(adminHost);
  const adminUrl = `http://${adminDisplayHost}:${admin.port}/`;
  const handler = createAdminHandler(
    {
      store,
      isConnected: (identity) => csms.station(identity) !== undefined,
      operations: operations(csms, options.callTimeoutMs),
      info: () => ({
        url,
        protocols: options.protocols,
        securityProfile,
        db: db?.file ?? ':memory:',
        ...store.counts(),
      }),
    },
    () => adminPage(`ocpp csms ${url}`),
    {
      token: adminToken,
      hostNames: adminHostNames(adminHost, admin.address),
      port: admin.port,
    },
    limits,
  );
  adminServer.on('request', handler.handle);
  return {
    url,
    adminUrl,
    pageUrl: `${adminUrl}#token=${encodeURIComponent(adminToken)}`,
    adminToken,
    adminTokenGenerated: options.adminToken === undefined,
    adminAddress: admin.address,
    port,
    securityProfile,
    store,
    csms,
    db: db?.file,
    restored,
    async close() {
      for (const t of scriptTimers) clearTimeout(t);
      scriptTimers.clear();
      handler.close();
      const adminClosed = new Promise<void>((resolve) => {
        adminServer.close(() => resolve());
        adminServer.closeAllConnections();
      });
      await csms.close(1001, 'CSMS shutting down');
      await adminClosed;
      // Last, so that the stations' disconnects are written too.
      db?.close();
    },
  };
}
