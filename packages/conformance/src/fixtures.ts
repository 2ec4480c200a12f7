import { type AnyProtocol, createRouter, OcppSession, type Role, silentLogger } from '@ocpp/rpc';
import { OcppCallError, type OcppVersion } from '@ocpp/runtime';
import type { Transport } from '@ocpp/transport';
import { v16Protocol } from '@ocpp/v16-core';
import { v21Protocol } from '@ocpp/v21-core';
import { v201Protocol } from '@ocpp/v201-core';

/** The fixed time every handler answers with, so expected frames can be written literally. */
export const NOW = '2025-03-14T09:26:53Z';

/** The message of the error the `throw` DataTransfer handler throws: it must never reach the wire. */
export const SECRET_ERROR_MESSAGE = 'boom: secret-token-42 in /srv/csms/handlers.js';

/** The only vendorId the DataTransfer handlers know (others are answered `UnknownVendorId`). */
export const KNOWN_VENDOR = 'org.example.acme';

/** What a corpus case or the fuzzer needs from a session, whatever its version and role. */
export interface SessionUnderTest {
  /** Sends a CALL of ours and settles with the peer's answer. */
  call(action: string, payload: unknown): Promise<unknown>;
  /** Calls sent and not answered, calls queued. */
  readonly pending: { readonly queued: number; readonly inFlight: number };
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Session options a test may tune; the rest are fixed by the fixture. */
export interface SessionTuning {
  /** @default 30000 (the session's default) */
  readonly callTimeoutMs?: number;
  /** @default random UUIDs (the session's default) */
  readonly messageId?: () => string;
}

/** A router with the handlers the corpus and the fuzzer rely on, for one version and role. */
export interface Fixture {
  readonly version: OcppVersion;
  readonly role: Role;
  /** Actions whose handler ran, in order (SEND handlers included). Tests may clear it. */
  readonly handled: string[];
  /** Releases every handler waiting on the gate (the `slow` DataTransfer), now and later. */
  release(): void;
  /** True when the router has a handler for `action`. */
  handles(action: string): boolean;
  /** Binds a new session of this version and role, routed to the fixture's handlers. */
  session(transport: Transport, tuning?: SessionTuning): SessionUnderTest;
}

type Built = Pick<Fixture, 'handles' | 'session'>;

/** A latch: `wait()` resolves once `open()` was called. */
class Gate {
  private opened = false;
  private waiters: (() => void)[] = [];

  wait(): Promise<void> {
    if (this.opened) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }
}

/**
 * What the DataTransfer handlers do, keyed by vendorId, the same in every version:
 * - `throw`: throws a plain Error whose message must not leak (→ `InternalError`);
 * - `throw-string`: throws a string, not an Error (→ `InternalError`);
 * - `security`: throws `OcppCallError('SecurityError', ...)` with details;
 * - `format` / `formation`: throws the 2.x / 1.6 spelling of the format violation;
 * - `occurrence` / `occurence`: throws the 2.x / 1.6 spelling of the occurrence violation;
 * - `rpc`: throws `RpcFrameworkError`, a code 1.6 does not have (→ `GenericError` on 1.6);
 * - `bogus`: throws a code no version has (→ `GenericError`);
 * - `long`: throws with a 400-character description (cut to 255 on the wire);
 * - `invalid`: returns a response that breaks the schema (→ `InternalError`);
 * - `slow`: waits for the gate, then answers `Accepted`;
 * - {@link KNOWN_VENDOR}: `Accepted`, or `UnknownMessageId` when the messageId is `unknown`;
 * - anything else: `UnknownVendorId` (a business answer, not an error: OCTT TC_P_01).
 */
async function dataTransfer(
  request: { readonly vendorId: string; readonly messageId?: string },
  gate: Gate,
): Promise<{ readonly status: 'Accepted' | 'UnknownMessageId' | 'UnknownVendorId' }> {
  switch (request.vendorId) {
    case 'throw':
      throw new Error(SECRET_ERROR_MESSAGE);
    case 'throw-string':
      throw SECRET_ERROR_MESSAGE;
    case 'security':
      throw new OcppCallError('SecurityError', 'Not accepted yet', { hint: 'boot first' });
    case 'format':
      throw new OcppCallError('FormatViolation', 'data is not a hex string');
    case 'formation':
      throw new OcppCallError('FormationViolation', 'data is not a hex string');
    case 'occurrence':
      throw new OcppCallError('OccurrenceConstraintViolation', 'data is missing');
    case 'occurence':
      throw new OcppCallError('OccurenceConstraintViolation', 'data is missing');
    case 'rpc':
      throw new OcppCallError('RpcFrameworkError', 'a 2.x-only code');
    case 'bogus':
      throw new OcppCallError('NoSuchErrorCode' as 'GenericError', 'a code of no version');
    case 'long':
      throw new OcppCallError('GenericError', 'x'.repeat(400));
    case 'invalid':
      return { status: 'Bogus' as 'Accepted' };
    case 'slow':
      await gate.wait();
      return { status: 'Accepted' };
    case KNOWN_VENDOR:
      return { status: request.messageId === 'unknown' ? 'UnknownMessageId' : 'Accepted' };
    default:
      return { status: 'UnknownVendorId' };
  }
}

type Loose = (action: string, payload: unknown) => Promise<unknown>;

function loose<S extends { call: unknown; start(): Promise<void>; close(): Promise<void> }>(
  session: S & { readonly pending: SessionUnderTest['pending'] },
): SessionUnderTest {
  const call = session.call as Loose;
  return {
    call: (action, payload) => call.call(session, action, payload),
    get pending() {
      return session.pending;
    },
    start: () => session.start(),
    close: () => session.close(),
  };
}

function common(transport: Transport, tuning: SessionTuning | undefined) {
  return { transport, identity: 'CS001', logger: silentLogger, ...tuning };
}

function v16(role: Role, handled: string[], gate: Gate): Built {
  const log = (action: string) => handled.push(action);
  if (role === 'csms') {
    const router = createRouter(v16Protocol, 'csms')
      .handle('BootNotification', () => {
        log('BootNotification');
        return { status: 'Accepted', currentTime: NOW, interval: 300 };
      })
      .handle('Heartbeat', () => {
        log('Heartbeat');
        return { currentTime: NOW };
      })
      .after('Heartbeat', () => {
        throw new Error('a failing after-hook must not reach the peer');
      })
      .handle('Authorize', (req) => {
        log('Authorize');
        return { idTagInfo: { status: req.idTag === 'BLOCKED' ? 'Blocked' : 'Accepted' } };
      })
      .handle('StartTransaction', () => {
        log('StartTransaction');
        return { transactionId: 1, idTagInfo: { status: 'Accepted' } };
      })
      .handle('StopTransaction', () => {
        log('StopTransaction');
        return {};
      })
      .handle('StatusNotification', () => {
        log('StatusNotification');
        return {};
      })
      .handle('MeterValues', () => {
        log('MeterValues');
        return {};
      })
      .handle('DataTransfer', (req) => {
        log('DataTransfer');
        return dataTransfer(req, gate);
      });
    return {
      handles: (action) => router.has(action),
      session: (t, tuning) =>
        loose(new OcppSession({ protocol: v16Protocol, role, router, ...common(t, tuning) })),
    };
  }
  const router = createRouter(v16Protocol, 'station')
    .handle('Reset', () => {
      log('Reset');
      return { status: 'Accepted' };
    })
    .handle('RemoteStartTransaction', () => {
      log('RemoteStartTransaction');
      return { status: 'Accepted' };
    })
    .handle('ChangeConfiguration', () => {
      log('ChangeConfiguration');
      return { status: 'Accepted' };
    })
    .handle('SetChargingProfile', () => {
      log('SetChargingProfile');
      return { status: 'Accepted' };
    })
    .handle('GetConfiguration', (req) => {
      log('GetConfiguration');
      return { configurationKey: [], unknownKey: req.key ?? [] };
    })
    .handle('TriggerMessage', () => {
      log('TriggerMessage');
      return { status: 'Accepted' };
    })
    .handle('DataTransfer', (req) => {
      log('DataTransfer');
      return dataTransfer(req, gate);
    });
  return {
    handles: (action) => router.has(action),
    session: (t, tuning) =>
      loose(new OcppSession({ protocol: v16Protocol, role, router, ...common(t, tuning) })),
  };
}

function v201(role: Role, handled: string[], gate: Gate): Built {
  const log = (action: string) => handled.push(action);
  if (role === 'csms') {
    const router = createRouter(v201Protocol, 'csms')
      .handle('BootNotification', () => {
        log('BootNotification');
        return { status: 'Accepted', currentTime: NOW, interval: 300 };
      })
      .handle('Heartbeat', () => {
        log('Heartbeat');
        return { currentTime: NOW };
      })
      .after('Heartbeat', () => {
        throw new Error('a failing after-hook must not reach the peer');
      })
      .handle('Authorize', (req) => {
        log('Authorize');
        return {
          idTokenInfo: { status: req.idToken.idToken === 'BLOCKED' ? 'Blocked' : 'Accepted' },
        };
      })
      .handle('TransactionEvent', () => {
        log('TransactionEvent');
        return {};
      })
      .handle('StatusNotification', () => {
        log('StatusNotification');
        return {};
      })
      .handle('MeterValues', () => {
        log('MeterValues');
        return {};
      })
      .handle('NotifyEVChargingNeeds', () => {
        log('NotifyEVChargingNeeds');
        return { status: 'Accepted' };
      })
      .handle('DataTransfer', (req) => {
        log('DataTransfer');
        return dataTransfer(req, gate);
      });
    return {
      handles: (action) => router.has(action),
      session: (t, tuning) =>
        loose(new OcppSession({ protocol: v201Protocol, role, router, ...common(t, tuning) })),
    };
  }
  const router = createRouter(v201Protocol, 'station')
    .handle('Reset', () => {
      log('Reset');
      return { status: 'Accepted' };
    })
    .handle('RequestStartTransaction', () => {
      log('RequestStartTransaction');
      return { status: 'Accepted' };
    })
    .handle('GetVariables', (req) => {
      log('GetVariables');
      return {
        getVariableResult: req.getVariableData.map((d) => ({
          attributeStatus: 'UnknownVariable' as const,
          component: d.component,
          variable: d.variable,
        })),
      };
    })
    .handle('TriggerMessage', () => {
      log('TriggerMessage');
      return { status: 'Accepted' };
    })
    .handle('DataTransfer', (req) => {
      log('DataTransfer');
      return dataTransfer(req, gate);
    });
  return {
    handles: (action) => router.has(action),
    session: (t, tuning) =>
      loose(new OcppSession({ protocol: v201Protocol, role, router, ...common(t, tuning) })),
  };
}

function v21(role: Role, handled: string[], gate: Gate): Built {
  const log = (action: string) => handled.push(action);
  if (role === 'csms') {
    const router = createRouter(v21Protocol, 'csms')
      .handle('BootNotification', () => {
        log('BootNotification');
        return { status: 'Accepted', currentTime: NOW, interval: 300 };
      })
      .handle('Heartbeat', () => {
        log('Heartbeat');
        return { currentTime: NOW };
      })
      .after('Heartbeat', () => {
        throw new Error('a failing after-hook must not reach the peer');
      })
      .handle('Authorize', (req) => {
        log('Authorize');
        return {
          idTokenInfo: { status: req.idToken.idToken === 'BLOCKED' ? 'Blocked' : 'Accepted' },
        };
      })
      .handle('TransactionEvent', () => {
        log('TransactionEvent');
        return {};
      })
      .handle('StatusNotification', () => {
        log('StatusNotification');
        return {};
      })
      .handle('MeterValues', () => {
        log('MeterValues');
        return {};
      })
      .handle('NotifyEVChargingNeeds', () => {
        log('NotifyEVChargingNeeds');
        return { status: 'Accepted' };
      })
      .handle('DataTransfer', (req) => {
        log('DataTransfer');
        return dataTransfer(req, gate);
      })
      .handle('NotifyPeriodicEventStream', (req) => {
        log('NotifyPeriodicEventStream');
        // A failing SEND handler: nothing may be answered, and nothing may be left unhandled.
        if (req.id === 666) throw new Error(SECRET_ERROR_MESSAGE);
      });
    return {
      handles: (action) => router.has(action),
      session: (t, tuning) =>
        loose(new OcppSession({ protocol: v21Protocol, role, router, ...common(t, tuning) })),
    };
  }
  const router = createRouter(v21Protocol, 'station')
    .handle('Reset', () => {
      log('Reset');
      return { status: 'Accepted' };
    })
    .handle('RequestStartTransaction', () => {
      log('RequestStartTransaction');
      return { status: 'Accepted' };
    })
    .handle('GetVariables', (req) => {
      log('GetVariables');
      return {
        getVariableResult: req.getVariableData.map((d) => ({
          attributeStatus: 'UnknownVariable' as const,
          component: d.component,
          variable: d.variable,
        })),
      };
    })
    .handle('TriggerMessage', () => {
      log('TriggerMessage');
      return { status: 'Accepted' };
    })
    .handle('DataTransfer', (req) => {
      log('DataTransfer');
      return dataTransfer(req, gate);
    });
  return {
    handles: (action) => router.has(action),
    session: (t, tuning) =>
      loose(new OcppSession({ protocol: v21Protocol, role, router, ...common(t, tuning) })),
  };
}

/** The protocol descriptor of each version. */
export const PROTOCOLS: Readonly<Record<OcppVersion, AnyProtocol>> = {
  '1.6': v16Protocol,
  '2.0.1': v201Protocol,
  '2.1': v21Protocol,
};

const BUILDERS = { '1.6': v16, '2.0.1': v201, '2.1': v21 } as const;

/** Builds the routers of one version and role, with a fresh log and a closed gate. */
export function createFixture(version: OcppVersion, role: Role): Fixture {
  const handled: string[] = [];
  const gate = new Gate();
  const built = BUILDERS[version](role, handled, gate);
  return { version, role, handled, release: () => gate.open(), ...built };
}
