import { resolve } from 'node:path';
import type { ProtocolVersion } from '@ocpp/generic-api';
import type { Logger } from '@ocpp/rpc';
import { escapeControls } from '@ocpp/runtime';
import { type HandshakeRejection, isWsTransportError } from '@ocpp/transport-ws';
import type { CommandSpec, ParsedArgs } from '../cli/args.js';
import { usageError } from '../cli/errors.js';
import { loadCredentials, readUserFile } from '../cli/files.js';
import type { Io } from '../cli/io.js';
import { jsonLine } from '../csms/escape.js';
import { parseScript } from '../csms/script.js';
import {
  type CsmsLog,
  checkAdminToken,
  isLoopback,
  type RunningCsms,
  startCsms,
} from '../csms/server.js';
import { authorityFrom, type CertificateAuthority } from '../pki.js';

/** The environment variable `ocpp csms` takes the admin token from (a flag shows in `ps`). */
export const ADMIN_TOKEN_ENV = 'OCPP_CSMS_ADMIN_TOKEN';

export const csmsSpec = {
  name: 'csms',
  summary: 'run a CSMS to test charging stations against, with a web page and an admin API',
  description:
    'Serves OCPP 1.6, 2.0.1 and 2.1 stations at ws://HOST:PORT/<identity> (any path before ' +
    'the identity works), accepts every boot, authorisation and transaction, and keeps ' +
    'stations, connector states, transactions, meter readings and the 1.6 transaction-id ' +
    'counter in a SQLite database, ocpp-csms.db in the working directory unless --db says ' +
    'otherwise, so that a restart (even after kill -9) goes on where it stopped and 1.6 ids ' +
    'never repeat; --db :memory: keeps them in memory only. What is kept is bounded: a ' +
    'disconnected station is forgotten after an hour or beyond 5,000 of them, a station keeps ' +
    'at most 32 open transactions, 5,000 finished transactions and 20,000 in all are kept, the ' +
    'database keeps at most 1,000,000 meter readings, the frame log (in memory only) holds 500 ' +
    'frames and 4 MiB. Logs every frame (readable, or ' +
    'JSON lines for pipelines; control characters escaped). A separate plain-HTTP listener, ' +
    'on 127.0.0.1 and the OCPP port + 1 by default (--admin-host, --admin-port), serves a web ' +
    'page at / (stations, connectors, transactions and the live frame log, with buttons for ' +
    'remote start/stop and reset) and a JSON admin API under /api. Every API request needs ' +
    '"Authorization: Bearer <token>": the token comes from --admin-token or ' +
    '$OCPP_CSMS_ADMIN_TOKEN, or is generated and printed at start with the page address (the ' +
    'token rides in its #fragment). Requests whose Host does not name the admin listener, or ' +
    'that come from another Origin, get 403; POST bodies must be application/json (415 ' +
    'otherwise). Basic auth for stations with --credentials; TLS with --tls-cert/--tls-key; ' +
    'client certificates (security profile 3) with --tls-ca. Stops on Ctrl-C.',
  options: {
    port: {
      type: 'number',
      integer: true,
      min: 0,
      max: 65535,
      default: 9000,
      placeholder: 'PORT',
      description: 'port for OCPP; 0 picks a free one',
    },
    host: {
      type: 'string',
      default: '127.0.0.1',
      placeholder: 'ADDRESS',
      description:
        'address OCPP listens on; 0.0.0.0 for every interface (real chargers on the network; the admin API stays on --admin-host)',
    },
    protocols: {
      type: 'list',
      choices: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'],
      default: ['ocpp2.1', 'ocpp2.0.1', 'ocpp1.6'],
      description: 'versions served, in order of preference',
    },
    credentials: {
      type: 'string',
      placeholder: 'FILE',
      description:
        'require Basic auth: a JSON object of identity → password ({"CS001":"a-16-char-secret"}; "*" for any other identity; "hex:..." for raw 1.6 keys)',
    },
    'tls-cert': {
      type: 'string',
      repeatable: true,
      placeholder: 'FILE',
      description:
        'PEM server certificate (chain): serve wss:// (security profile 2 with --credentials); give an RSA and an EC one, each with its --tls-key, to offer all four TLS 1.2 suites OCPP 2.0.1 requires',
    },
    'tls-key': {
      type: 'string',
      repeatable: true,
      placeholder: 'FILE',
      description: 'PEM private key of the --tls-cert in the same position',
    },
    'tls-ca': {
      type: 'string',
      placeholder: 'FILE',
      description:
        'PEM CA of the station certificates: require client certificates naming the identity (security profile 3)',
    },
    'signing-ca': {
      type: 'string',
      placeholder: 'FILE',
      description:
        "PEM CA certificate that signs the stations' CSRs (SignCertificate); default: a CA made at start, in memory",
    },
    'signing-ca-key': {
      type: 'string',
      placeholder: 'FILE',
      description: 'PEM private key of --signing-ca (EC or RSA)',
    },
    'admin-host': {
      type: 'string',
      default: '127.0.0.1',
      placeholder: 'ADDRESS',
      description:
        'address of the web page and the admin API (plain HTTP); anything but loopback lets the network reach it, guarded by the token only',
    },
    'admin-port': {
      type: 'number',
      integer: true,
      min: 0,
      max: 65535,
      placeholder: 'PORT',
      description:
        'port of the web page and the admin API (default: the OCPP port + 1, or a free one when that is taken); 0 picks a free one',
    },
    'admin-token': {
      type: 'string',
      placeholder: 'TOKEN',
      description:
        'bearer token of the admin API, 16+ visible ASCII characters (default: $OCPP_CSMS_ADMIN_TOKEN, else generated and printed); prefer the variable, a flag shows in ps',
    },
    'heartbeat-interval': {
      type: 'number',
      integer: true,
      min: 1,
      default: 300,
      placeholder: 'SECONDS',
      description: 'heartbeat interval given to stations in the BootNotification answer',
    },
    'call-timeout': {
      type: 'number',
      min: 0.1,
      default: 30,
      placeholder: 'SECONDS',
      description: 'how long admin API calls wait for the station',
    },
    'boot-status': {
      type: 'choice',
      choices: ['accepted', 'pending'],
      default: 'accepted',
      description:
        "answer to a new station's BootNotification: accepted, or pending until provisioned (2.x: a GetBaseReport FullInventory, 1.6: GetConfiguration), then accepted on its next boot",
    },
    script: {
      type: 'string',
      placeholder: 'FILE',
      description:
        'make this CSMS a scripted test counterpart: a JSON file of boot answers per station (Accepted, Pending, Rejected, interval, times), authorisation answers per id token (status, group id token) and CSMS-initiated calls sent on events (connect, pending, boot, transactionStarted, transactionEnded); see the README',
    },
    'log-format': {
      type: 'choice',
      choices: ['text', 'json'],
      default: 'text',
      description:
        'frame log: readable lines, or one JSON object per line (ocpp validate reads both)',
    },
    db: {
      type: 'string',
      default: 'ocpp-csms.db',
      placeholder: 'FILE',
      description:
        'SQLite database of stations, transactions and meter readings, created when missing (FILE-wal and FILE-shm lie beside it while it runs); :memory: for none, nothing survives a restart',
    },
    quiet: { type: 'boolean', description: 'log connections only, not every frame' },
  },
  examples: [
    'ocpp csms --port 9000',
    'ocpp csms --db /var/lib/ocpp/csms.db',
    'ocpp csms --db :memory:',
    'ocpp csms --host 0.0.0.0 --credentials stations.json --tls-cert csms.crt --tls-key csms.key',
    'OCPP_CSMS_ADMIN_TOKEN=$(openssl rand -hex 32) ocpp csms --admin-port 9100',
    'ocpp csms --log-format json | ocpp validate -',
  ],
} as const satisfies CommandSpec;

type CsmsArgs = ParsedArgs<typeof csmsSpec.options>;

const iso = () => new Date().toISOString();

/** How a handshake was refused, for the text log. */
function refusedHow(r: HandshakeRejection): string {
  if (r.stage === 'tls') return 'TLS handshake failed:';
  if (r.stage === 'connection') return 'connection dropped:';
  return r.status === 101 ? 'closed after the handshake' : `HTTP ${r.status}`;
}

/**
 * The frame log: readable lines, or JSON lines that `ocpp validate` and `jq` read. What a
 * station chose (its identity, a close reason, a frame) can hold any character: control
 * characters are escaped in both forms, so one event stays one line and no terminal escape
 * passes.
 */
export function csmsLog(io: Io, format: 'text' | 'json', frames: boolean): CsmsLog & Logger {
  const out = (line: string) => io.stdout.write(`${escapeControls(line)}\n`);
  const err = (line: string) => io.stderr.write(`${escapeControls(line)}\n`);
  const json = format === 'json';
  const record = (r: Record<string, unknown>) =>
    io.stdout.write(`${jsonLine({ time: iso(), ...r })}\n`);
  return {
    connected(identity, protocol, remoteAddress) {
      if (json) record({ type: 'connect', identity, protocol, remoteAddress });
      else
        out(
          `${iso()}  ${identity}  ${protocol}  connected${remoteAddress === undefined ? '' : ` from ${remoteAddress}`}`,
        );
    },
    disconnected(identity, protocol, info) {
      if (json)
        record({ type: 'disconnect', identity, protocol, code: info.code, reason: info.reason });
      else
        out(
          `${iso()}  ${identity}  ${protocol}  disconnected (${info.code}${info.reason === '' ? '' : ` ${info.reason}`})`,
        );
    },
    frame(identity, protocol, from, text) {
      if (!frames) return;
      if (json) record({ type: 'frame', identity, protocol, from, frame: text });
      else
        out(
          `${iso()}  ${identity}  ${protocol}  ${from === 'station' ? 'station→csms' : 'csms→station'}  ${text}`,
        );
    },
    refused(r) {
      if (json)
        record({
          type: 'refused',
          stage: r.stage,
          identity: r.identity,
          status: r.status,
          reason: r.reason,
          remoteAddress: r.remoteAddress,
        });
      else
        out(
          `${iso()}  ${r.identity ?? '-'}  refused: ${refusedHow(r)} ${r.reason}${r.remoteAddress === undefined ? '' : ` (from ${r.remoteAddress})`}`,
        );
    },
    script(entry) {
      const { identity, protocol, event, action } = entry;
      if (json) record({ type: 'script', ...entry });
      else
        out(
          `${iso()}  ${identity}  ${protocol}  script (${event}): ${action} ${'answer' in entry ? `→ ${JSON.stringify(entry.answer)}` : `failed: ${entry.error}`}`,
        );
    },
    debug() {},
    info() {},
    warn(message, fields) {
      if (json) record({ type: 'warn', message, ...fields });
      else
        err(
          `${iso()}  warning: ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`,
        );
    },
    error(message, fields) {
      if (json) record({ type: 'error', message, ...fields });
      else
        err(
          `${iso()}  error: ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`,
        );
    },
  };
}

/** What the text log says of the database at start. */
function databaseLine(running: RunningCsms): string {
  if (running.db === undefined) return 'database: none (--db :memory:): a restart begins afresh\n';
  const r = running.restored;
  return r.stations === 0 && r.transactions === 0 && r.lastTransactionId === 0
    ? `database: ${running.db} (nothing to restore)\n`
    : `database: ${running.db} (restored ${r.stations} stations, ${r.transactions} transactions; last 1.6 transaction id ${r.lastTransactionId})\n`;
}

/** `ocpp csms`: runs until interrupted. */
export async function runCsms(args: CsmsArgs, io: Io): Promise<number> {
  const o = args.options;
  if (o['tls-cert'].length !== o['tls-key'].length) {
    throw usageError(
      `--tls-cert and --tls-key go together, one key per certificate (got ${o['tls-cert'].length} and ${o['tls-key'].length})`,
    );
  }
  if (o['tls-ca'] !== undefined && o['tls-cert'].length === 0) {
    throw usageError('--tls-ca needs --tls-cert and --tls-key (client certificates need TLS)');
  }
  if (o['tls-ca'] !== undefined && o.credentials !== undefined) {
    throw usageError(
      'choose --credentials (Basic auth, profile 1/2) or --tls-ca (client certificates, profile 3), not both',
    );
  }
  const credentials =
    o.credentials === undefined ? undefined : await loadCredentials(io.cwd, o.credentials);
  for (const warning of credentials?.warnings ?? [])
    io.stderr.write(`ocpp csms: warning: ${escapeControls(warning)}\n`);
  const certificates: { cert: Buffer; key: Buffer }[] = [];
  for (const [i, certFile] of o['tls-cert'].entries()) {
    certificates.push({
      cert: await readUserFile(io.cwd, certFile, '--tls-cert'),
      key: await readUserFile(io.cwd, o['tls-key'][i]!, '--tls-key'),
    });
  }
  const tls =
    certificates.length === 0
      ? undefined
      : {
          certificates,
          ...(o['tls-ca'] === undefined
            ? {}
            : { ca: await readUserFile(io.cwd, o['tls-ca'], '--tls-ca') }),
        };
  if ((o['signing-ca'] === undefined) !== (o['signing-ca-key'] === undefined))
    throw usageError('--signing-ca and --signing-ca-key go together');
  let signingCa: CertificateAuthority | undefined;
  if (o['signing-ca'] !== undefined && o['signing-ca-key'] !== undefined) {
    const cert = await readUserFile(io.cwd, o['signing-ca'], '--signing-ca');
    const key = await readUserFile(io.cwd, o['signing-ca-key'], '--signing-ca-key');
    try {
      signingCa = authorityFrom(cert.toString('utf8'), key.toString('utf8'));
    } catch (e) {
      throw usageError(`--signing-ca: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const script =
    o.script === undefined
      ? undefined
      : parseScript(
          (await readUserFile(io.cwd, o.script, '--script')).toString('utf8'),
          o.script,
          o.protocols as ProtocolVersion[],
        );
  const adminToken = o['admin-token'] ?? io.env[ADMIN_TOKEN_ENV];
  if (adminToken !== undefined) {
    const bad = checkAdminToken(adminToken);
    if (bad !== undefined)
      throw usageError(
        `${o['admin-token'] === undefined ? ADMIN_TOKEN_ENV : '--admin-token'}: ${bad}`,
      );
  }
  const log = csmsLog(io, o['log-format'], !o.quiet);
  const db = o.db === ':memory:' ? o.db : resolve(io.cwd, o.db);
  let running: Awaited<ReturnType<typeof startCsms>>;
  try {
    running = await startCsms({
      host: o.host,
      port: o.port,
      adminHost: o['admin-host'],
      ...(o['admin-port'] === undefined ? {} : { adminPort: o['admin-port'] }),
      ...(adminToken === undefined ? {} : { adminToken }),
      protocols: o.protocols as ProtocolVersion[],
      ...(credentials === undefined ? {} : { credentials }),
      ...(tls === undefined ? {} : { tls }),
      heartbeatIntervalSeconds: o['heartbeat-interval'],
      ...(signingCa === undefined ? {} : { signingCa }),
      bootStatus: o['boot-status'] as 'accepted' | 'pending',
      ...(script === undefined ? {} : { script }),
      callTimeoutMs: o['call-timeout'] * 1000,
      db,
      log,
      logger: log,
    });
  } catch (e) {
    if (
      e instanceof Error &&
      'code' in e &&
      (e as { code?: unknown }).code === 'ERR_OSSL_PEM_NO_START_LINE'
    ) {
      throw usageError('--tls-cert/--tls-key/--tls-ca must be PEM files');
    }
    // A key that is not its certificate's, two certificates of one key type: name the options.
    if (isWsTransportError(e) && e.code === 'INVALID_OPTIONS' && e.message.startsWith('cert')) {
      throw usageError(
        `--tls-cert/--tls-key: ${e.message.replace(/certificates\[(\d+)\]( and \[(\d+)\])?/, (_, a, _b, c) => (c === undefined ? `pair ${a}` : `pairs ${a} and ${c}`))}`,
      );
    }
    throw e;
  }
  const exposed = !isLoopback(running.adminAddress);
  const exposure = `the admin API listens on ${running.adminAddress}, not only on this machine: whoever reaches it with the token controls every station, and plain HTTP shows the token to the network`;
  // A token the user chose is theirs to know; a generated one is printed, as nothing else knows it.
  const shown = running.adminTokenGenerated ? running.adminToken : undefined;
  if (o['log-format'] === 'json') {
    io.stdout.write(
      `${jsonLine({
        time: iso(),
        type: 'listening',
        url: running.url,
        admin: running.adminUrl,
        ...(shown === undefined ? {} : { page: running.pageUrl, adminToken: shown }),
        protocols: o.protocols,
        securityProfile: running.securityProfile,
        db: running.db ?? ':memory:',
        restored: running.restored,
      })}\n`,
    );
    if (exposed) io.stdout.write(`${jsonLine({ time: iso(), type: 'warn', message: exposure })}\n`);
  } else {
    io.stdout.write(
      `ocpp csms listening on ${running.url}/<identity> (${o.protocols.join(', ')}; security profile ${running.securityProfile})\n` +
        `web page and admin API: ${running.adminUrl} (GET ${running.adminUrl}api lists the endpoints)\n` +
        (shown === undefined
          ? `admin token: the one given (${o['admin-token'] === undefined ? ADMIN_TOKEN_ENV : '--admin-token'}); open ${running.adminUrl}#token=<token>\n`
          : `admin token: ${shown} (send "Authorization: Bearer <token>"; set ${ADMIN_TOKEN_ENV} to choose one)\n` +
            `open the web page at ${running.pageUrl}\n`) +
        databaseLine(running) +
        (script === undefined
          ? ''
          : `script: ${o.script} (${script.boot.size} boot rules, ${script.idTokens.size} id tokens, ${script.calls.length} calls)\n`),
    );
    if (exposed) io.stderr.write(`ocpp csms: warning: ${exposure}\n`);
  }
  const signal = await io.interrupted;
  if (o['log-format'] === 'text') io.stdout.write(`${iso()}  ${signal}: shutting down\n`);
  await running.close();
  return 0;
}
