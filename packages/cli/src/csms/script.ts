import {
  type AuthorizationStatus,
  type IdToken,
  type IdTokenInfo,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
} from '@ocpp/generic-api';
import { CliError } from '../cli/errors.js';
import { PROTOCOLS } from '../validate/verdict.js';

/**
 * What `ocpp csms --script FILE` makes of the CSMS a test engineer needs as a counterpart: the
 * boot answer per station, the authorisation answer per id token, and CSMS-initiated calls sent
 * on events (connect, a Pending or Accepted boot, a transaction's start or end). The file is JSON;
 * `"*"` is the rule for every station or token the file does not name.
 */
export interface CsmsScript {
  readonly boot: ReadonlyMap<string, BootRule>;
  readonly idTokens: ReadonlyMap<string, IdTokenInfo>;
  readonly calls: readonly ScriptedCall[];
}

/** How the CSMS answers a station's BootNotification. */
export interface BootRule {
  readonly status: 'Accepted' | 'Pending' | 'Rejected';
  /** The interval the answer gives (heartbeat, or the wait before the next boot). */
  readonly interval?: number;
  /** Answers with this status before the station is Accepted; without it, always this status. */
  readonly times?: number;
}

/** The events a scripted call can follow. */
export const SCRIPT_EVENTS = [
  'connect',
  'pending',
  'boot',
  'transactionStarted',
  'transactionEnded',
] as const;
export type ScriptEvent = (typeof SCRIPT_EVENTS)[number];

/** One CSMS-initiated call of the script. */
export interface ScriptedCall {
  readonly on: ScriptEvent;
  /** The stations it is sent to; all when absent. */
  readonly stations?: readonly string[];
  /** The versions it is sent to; every version that has the action when absent. */
  readonly versions?: readonly ProtocolVersion[];
  /** The OCPP action, as the station's version names it (`GetVariables`, `RemoteStopTransaction`). */
  readonly action: string;
  /**
   * The request, in the station's version (camelCase, as on the wire). A string that is exactly
   * `${name}` becomes the value itself (a 1.6 transaction id stays a number); `${name}` inside a
   * longer string is replaced by its text. Names: `identity`, `version`, and for transaction
   * events `transactionId`, `evseId`, `idToken`.
   */
  readonly payload: unknown;
  /** Seconds after the event. @default 0 */
  readonly delaySeconds: number;
}

const BOOT_STATUSES = new Set(['Accepted', 'Pending', 'Rejected']);
const TOKEN_STATUSES = new Set<AuthorizationStatus>([
  'Accepted',
  'Blocked',
  'ConcurrentTx',
  'Expired',
  'Invalid',
  'NoCredit',
  'NotAllowedTypeEVSE',
  'NotAtThisLocation',
  'NotAtThisTime',
  'Unknown',
]);
const TOKEN_TYPES = new Set([
  'Central',
  'eMAID',
  'ISO14443',
  'ISO15693',
  'KeyCode',
  'Local',
  'MacAddress',
  'NoAuthorization',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a script: every mistake is a {@link CliError} naming the file and the place in it, so
 * that a wrong status or an action no enabled version has is found before the first station
 * connects.
 */
export function parseScript(
  text: string,
  file: string,
  protocols: readonly ProtocolVersion[],
): CsmsScript {
  const fail = (where: string, what: string): never => {
    throw new CliError(`--script ${file}: ${where}: ${what}`);
  };
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new CliError(
      `--script ${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  if (!isObject(root)) fail('the file', 'must hold a JSON object');
  const top = root as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (key !== 'boot' && key !== 'idTokens' && key !== 'calls' && key !== '$comment') {
      fail(key, 'unknown key (expected boot, idTokens, calls)');
    }
  }

  const boot = new Map<string, BootRule>();
  if (top.boot !== undefined) {
    if (!isObject(top.boot)) fail('boot', 'must be an object of identity → answer');
    for (const [identity, rule] of Object.entries(top.boot as Record<string, unknown>)) {
      const where = `boot["${identity}"]`;
      const r = typeof rule === 'string' ? { status: rule } : rule;
      if (!isObject(r)) fail(where, 'must be a status or {"status", "interval", "times"}');
      const { status, interval, times, ...rest } = r as Record<string, unknown>;
      if (Object.keys(rest).length > 0) fail(where, `unknown key ${Object.keys(rest)[0]}`);
      if (typeof status !== 'string' || !BOOT_STATUSES.has(status))
        fail(`${where}.status`, 'must be Accepted, Pending or Rejected');
      if (interval !== undefined && !(Number.isInteger(interval) && (interval as number) >= 0))
        fail(`${where}.interval`, 'must be a whole number of seconds');
      if (times !== undefined && !(Number.isInteger(times) && (times as number) >= 1))
        fail(`${where}.times`, 'must be a whole number from 1');
      boot.set(identity, {
        status: status as BootRule['status'],
        ...(interval === undefined ? {} : { interval: interval as number }),
        ...(times === undefined ? {} : { times: times as number }),
      });
    }
  }

  const idTokens = new Map<string, IdTokenInfo>();
  if (top.idTokens !== undefined) {
    if (!isObject(top.idTokens)) fail('idTokens', 'must be an object of id token → answer');
    for (const [token, rule] of Object.entries(top.idTokens as Record<string, unknown>)) {
      const where = `idTokens["${token}"]`;
      const r = typeof rule === 'string' ? { status: rule } : rule;
      if (!isObject(r))
        fail(where, 'must be a status or {"status", "groupIdToken", "cacheExpiryDateTime"}');
      const { status, groupIdToken, cacheExpiryDateTime, ...rest } = r as Record<string, unknown>;
      if (Object.keys(rest).length > 0) fail(where, `unknown key ${Object.keys(rest)[0]}`);
      if (typeof status !== 'string' || !TOKEN_STATUSES.has(status as AuthorizationStatus))
        fail(`${where}.status`, `must be one of ${[...TOKEN_STATUSES].join(', ')}`);
      let group: IdToken | undefined;
      if (typeof groupIdToken === 'string') group = { idToken: groupIdToken, type: 'Central' };
      else if (isObject(groupIdToken)) {
        if (typeof groupIdToken.idToken !== 'string' || !TOKEN_TYPES.has(String(groupIdToken.type)))
          fail(
            `${where}.groupIdToken`,
            `needs idToken and a type (${[...TOKEN_TYPES].join(', ')})`,
          );
        group = groupIdToken as unknown as IdToken;
      } else if (groupIdToken !== undefined) {
        fail(`${where}.groupIdToken`, 'must be a token text or {"idToken", "type"}');
      }
      if (
        cacheExpiryDateTime !== undefined &&
        (typeof cacheExpiryDateTime !== 'string' || Number.isNaN(Date.parse(cacheExpiryDateTime)))
      )
        fail(`${where}.cacheExpiryDateTime`, 'must be a date-time (2026-12-31T00:00:00Z)');
      idTokens.set(token, {
        status: status as AuthorizationStatus,
        ...(group === undefined ? {} : { groupIdToken: group }),
        ...(cacheExpiryDateTime === undefined
          ? {}
          : { cacheExpiryDateTime: cacheExpiryDateTime as string }),
      });
    }
  }

  const calls: ScriptedCall[] = [];
  if (top.calls !== undefined) {
    if (!Array.isArray(top.calls)) fail('calls', 'must be an array');
    (top.calls as unknown[]).forEach((entry, i) => {
      const where = `calls[${i}]`;
      if (!isObject(entry)) fail(where, 'must be an object');
      const e = entry as Record<string, unknown>;
      const { on, stations, versions, action, payload, delaySeconds, ...rest } = e;
      if (Object.keys(rest).length > 0) fail(where, `unknown key ${Object.keys(rest)[0]}`);
      if (typeof on !== 'string' || !(SCRIPT_EVENTS as readonly string[]).includes(on))
        fail(`${where}.on`, `must be one of ${SCRIPT_EVENTS.join(', ')}`);
      if (
        stations !== undefined &&
        !(Array.isArray(stations) && stations.every((s) => typeof s === 'string'))
      )
        fail(`${where}.stations`, 'must be an array of identities');
      if (
        versions !== undefined &&
        !(
          Array.isArray(versions) &&
          versions.every((v) => (PROTOCOL_VERSIONS as readonly unknown[]).includes(v))
        )
      )
        fail(`${where}.versions`, `must be an array of ${PROTOCOL_VERSIONS.join(', ')}`);
      if (typeof action !== 'string') fail(`${where}.action`, 'must be an action name');
      // Versions named must all have the action; without versions, one enabled version must.
      // A call for versions this CSMS does not run is kept and never sent.
      const named = versions as ProtocolVersion[] | undefined;
      const targets = named ?? protocols;
      const lacking = targets.filter((v) => !csmsSends(v, action as string));
      if (named !== undefined ? lacking.length > 0 : lacking.length === targets.length)
        fail(
          `${where}.action`,
          `${String(action)} is not a call the CSMS sends in ${lacking.join(', ')}`,
        );
      const sendable = targets.filter((v) => protocols.includes(v) && !lacking.includes(v));
      if (payload !== undefined && !isObject(payload))
        fail(`${where}.payload`, 'must be an object');
      if (
        delaySeconds !== undefined &&
        !(typeof delaySeconds === 'number' && delaySeconds >= 0 && delaySeconds <= 86_400)
      )
        fail(`${where}.delaySeconds`, 'must be a number of seconds from 0 to 86400');
      calls.push({
        on: on as ScriptEvent,
        ...(stations === undefined ? {} : { stations: stations as string[] }),
        versions: sendable,
        action: action as string,
        payload: payload ?? {},
        delaySeconds: (delaySeconds as number | undefined) ?? 0,
      });
    });
  }
  return { boot, idTokens, calls };
}

/** True when `action` is a CALL the CSMS sends in `version`. */
function csmsSends(version: ProtocolVersion, action: string): boolean {
  const protocol = PROTOCOLS[version];
  if (!protocol.isAction(action)) return false;
  const entry = protocol.actions[action];
  return entry !== undefined && entry.kind === 'CALL' && entry.direction !== 'StationToCsms';
}

/**
 * `payload` with its `${name}` placeholders filled from `vars`; an unknown name is an error that
 * names it, so that a script's typo shows in the log rather than on the wire.
 */
export function fillPayload(payload: unknown, vars: Readonly<Record<string, unknown>>): unknown {
  const one = (text: string): unknown => {
    const whole = /^\$\{(\w+)\}$/.exec(text);
    if (whole !== null) return lookup(whole[1]!);
    return text.replace(/\$\{(\w+)\}/g, (_, name: string) => String(lookup(name)));
  };
  const lookup = (name: string): unknown => {
    if (!Object.hasOwn(vars, name) || vars[name] === undefined)
      throw new Error(`\${${name}} has no value here (known: ${Object.keys(vars).join(', ')})`);
    return vars[name];
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return one(v);
    if (Array.isArray(v)) return v.map(walk);
    if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(payload);
}

/** The state a script keeps while the CSMS runs: how often each station was answered so far. */
export class ScriptState {
  private readonly answered = new Map<string, number>();

  constructor(readonly script: CsmsScript) {}

  /** The script's boot rule for `identity` (its own, or `"*"`'s). */
  bootAnswerRule(identity: string): BootRule | undefined {
    return this.script.boot.get(identity) ?? this.script.boot.get('*');
  }

  /** The boot answer the script gives `identity`, or undefined when it has no rule for it. */
  bootAnswer(identity: string): { status: BootRule['status']; interval?: number } | undefined {
    const rule = this.bootAnswerRule(identity);
    if (rule === undefined) return undefined;
    if (rule.status !== 'Accepted' && rule.times !== undefined) {
      const n = this.answered.get(identity) ?? 0;
      if (n >= rule.times) return { status: 'Accepted' };
      this.answered.set(identity, n + 1);
    }
    return {
      status: rule.status,
      ...(rule.interval === undefined ? {} : { interval: rule.interval }),
    };
  }

  /** The answer for `idToken`, or undefined when the script has no rule for it. */
  tokenInfo(idToken: string | undefined): IdTokenInfo | undefined {
    if (idToken === undefined) return undefined;
    return this.script.idTokens.get(idToken) ?? this.script.idTokens.get('*');
  }

  /** The calls to send to `identity` (speaking `version`) after `event`. */
  callsFor(event: ScriptEvent, identity: string, version: ProtocolVersion): ScriptedCall[] {
    return this.script.calls.filter(
      (c) =>
        c.on === event &&
        (c.stations === undefined || c.stations.includes(identity)) &&
        (c.versions === undefined || c.versions.includes(version)),
    );
  }
}
