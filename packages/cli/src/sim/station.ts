import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import {
  type AcceptedRejectedResult,
  actionsOf,
  type CancelReservationParams,
  type CertificateSignedParams,
  type CertificateSignedResult,
  type ChangeAvailabilityParams,
  type ChargingProfile,
  type ClearChargingProfileParams,
  type ClearChargingProfileResult,
  chargingProfileTo2x,
  createGenericStation,
  type DataTransferParams,
  type DataTransferResult,
  type DeleteCertificateParams,
  type DeleteCertificateResult,
  type FirmwareStatus,
  type GenericStation,
  type GetCompositeScheduleParams,
  type GetCompositeScheduleResult,
  type GetConfigurationParams,
  type GetConfigurationResult,
  type GetInstalledCertificateIdsParams,
  type GetInstalledCertificateIdsResult,
  type GetLogParams,
  type GetLogResult,
  type IdToken,
  type InstallCertificateParams,
  type InstallCertificateResult,
  type LocalListVersionResult,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
  type RemoteStartParams,
  type RemoteStartResult,
  type Request21,
  type ReserveNowParams,
  type ReserveNowResult,
  type ResetParams,
  type Response21,
  type ScheduledResult,
  type SendLocalListParams,
  type SendLocalListResult,
  type SetChargingProfileParams,
  type SetChargingProfileResult,
  type SetConfigurationParams,
  type SetConfigurationResult,
  type StationHandlers,
  type StationOperation,
  type StopReason,
  type TriggerMessageParams,
  type TriggerMessageResult,
  type UnlockConnectorParams,
  type UnlockConnectorResult,
  type UpdateFirmwareParams,
  type UpdateFirmwareResult,
  type UploadLogStatus,
} from '@ocpp/generic-api';
import { MemoryStore, Outbox, type OutboxMessage, type OutboxStore } from '@ocpp/outbox';
import { FileStore } from '@ocpp/outbox/file';
import { silentLogger } from '@ocpp/rpc';
import { isOcppCallError, isOcppSdkError, versionOf } from '@ocpp/runtime';
import type { Transport } from '@ocpp/transport';
import { backoffDelayMs, createWsClient, type ResolvedBackoff } from '@ocpp/transport-ws';
import type { Secret } from '../cli/files.js';
import type { FleetMetrics, VersionTally } from '../metrics/fleet-metrics.js';
import { certificatesOf, createCsr, hashDataOf, type KeyPair, newKey } from '../pki.js';
import { describeConnectError } from './connect-errors.js';
import {
  DeviceModel,
  type DeviceVariable,
  definitionOf,
  REPORT_ITEMS_PER_MESSAGE,
} from './device-model.js';
import { CHARGER_KINDS, type ChargerKind, ChargingSession, seededRandom } from './physics.js';
import {
  compositeSchedule,
  installProfile,
  limitAt,
  PROFILE_LIMITS,
  profileProblem,
} from './smart-charging.js';
import { type Job, type Reservation, StationExtras, tokenKey } from './station-extras.js';

/** What a simulated station does once booted. */
export type Scenario = 'boot-only' | 'idle' | 'charge-session';

/** The vendor id the simulator answers DataTransfer for (anything else: UnknownVendorId). */
export const SIM_VENDOR_ID = 'org.ocpp-sdk.simulator';

/** Settings shared by every station of a fleet. */
export interface FleetSettings {
  readonly url: string;
  readonly scenario: Scenario;
  /** Sessions each station starts by itself; undefined = as many as fit in the run. */
  readonly sessionsPerStation: number | undefined;
  readonly sessionSeconds: number;
  readonly meterIntervalSeconds: number;
  /** Overrides the heartbeat interval the CSMS gives in its BootNotification answer. */
  readonly heartbeatIntervalSeconds: number | undefined;
  readonly connectors: number;
  readonly callTimeoutMs: number;
  /**
   * Attempts at a station's first connection and boot before it gives up; a boot the CSMS
   * answers Pending or Rejected counts as an attempt too.
   */
  readonly connectAttempts: number;
  /**
   * Attempts at getting a lost connection back (and booting again) before the station gives up
   * and counts as lost. @default unlimited (the run's end stops it)
   */
  readonly reconnectAttempts?: number;
  /** The wait before every retry (`RetryBackOff*`, also used for 1.6), first connection included. */
  readonly backoff: ResolvedBackoff;
  readonly secretFor: (identity: string) => Secret | undefined;
  readonly tls: {
    readonly ca?: Buffer;
    readonly cert?: Buffer;
    readonly key?: Buffer;
    readonly rejectUnauthorized: boolean;
  };
  /** Builds the transport of a station (a WebSocket client; a test may substitute another). */
  readonly transport?: (station: SimStation) => Transport;
  /**
   * Where each station keeps its outbox journal (`<identity>.journal`), so that a simulator
   * killed with messages still owed delivers them when it runs again. Without it the outboxes
   * live in memory: they keep messages across reconnects, not across a restart.
   */
  readonly stateDir?: string;
  /** Transmissions of a transaction message before it is dropped (and reported). @default 3 */
  readonly messageAttempts?: number;
  /** Wait before a transaction message is sent again, × attempts so far. @default 5000 */
  readonly messageRetryIntervalMs?: number;
}

/** What a station needs from its fleet. */
export interface FleetContext {
  readonly settings: FleetSettings;
  readonly metrics: FleetMetrics;
  readonly handlers: StationHandlers;
  /** True once the run is ending: no new sessions, no reconnects. */
  readonly stopping: boolean;
  /** A station finished its planned work (or gave up connecting). */
  stationDone(station: SimStation): void;
  /** A connection attempt failed (the fleet may decide the whole run cannot work). */
  connectFailed(station: SimStation, reason: string, attempt: number): void;
}

interface ActiveSession {
  transactionId: string | undefined;
  /** The running cost the CSMS last sent (CostUpdated, 2.x). */
  totalCost?: number;
  readonly charge: ChargingSession;
  stopReason: StopReason | undefined;
  /** The end of the run stopped it before its course was run. */
  cutShort?: boolean;
}

/** The most display messages and monitors a station keeps (DisplayMessageCtrlr.DisplayMessages). */
const DISPLAY_MESSAGES = 16;
const MONITORS = 32;

/** A monitor installed by SetVariableMonitoring. */
interface Monitor {
  readonly id: number;
  /** The monitored variable's index in the model. */
  readonly variable: number;
  readonly type: 'UpperThreshold' | 'LowerThreshold' | 'Delta';
  readonly value: number;
  readonly severity: number;
  readonly transaction: boolean;
  readonly component: Request21<'SetVariableMonitoring'>['setMonitoringData'][number]['component'];
  readonly variableRef: Request21<'SetVariableMonitoring'>['setMonitoringData'][number]['variable'];
}

/** The most root certificates a station keeps (SecurityCtrlr.CertificateEntries). */
const MAX_ROOTS = 16;

/** GetInstalledCertificateIds' certificate types. */
type GetCertificateIdUse = NonNullable<GetInstalledCertificateIdsParams['certificateType']>[number];

/** A station's certificates. */
interface Certificates {
  roots: { readonly type: string; readonly cert: X509Certificate }[];
  station: X509Certificate[] | undefined;
  pendingKey: KeyPair | undefined;
}

/** What a 2.x station keeps beyond its configuration, once asked. */
interface DeviceModelState {
  readonly model: DeviceModel;
  readonly messages: Map<number, Request21<'SetDisplayMessage'>['message']>;
  readonly monitors: Map<number, Monitor>;
  monitoringLevel: number;
  nextMonitorId: number;
  eventId: number;
  /** Monitors whose threshold is crossed now (an event was sent; cleared when it comes back). */
  readonly tripped: Set<number>;
  watch?: ReturnType<typeof setInterval> | undefined;
}

/** One EVSE with one connector. */
interface Connector {
  readonly evseId: number;
  /** The connector's energy register, Wh; rises with every session. */
  registerWh: number;
  operative: boolean;
  /** Availability change waiting for the session to end. */
  pendingOperative: boolean | undefined;
  busy: boolean;
  session: ActiveSession | undefined;
  /** Wakes the session loop early (remote stop, reset, end of run). */
  wake: (() => void) | undefined;
  /**
   * The status last reported on this connection (1.6 ChargePointStatus or 2.x
   * ConnectorStatus): a session phase that maps to the same status is not reported twice.
   */
  reported: string | undefined;
}

class SessionFailed extends Error {}

/** The station is not connected (and booted) for a call. */
class NotConnected extends SessionFailed {}

/** The CSMS answered a boot Pending or Rejected as often as the station tries. */
class BootRefused extends Error {
  constructor(readonly status: string) {
    super(`boot ${status}`);
  }
}

/**
 * The call went with the connection, or could not go out because the connection is gone or
 * closing: no answer of the CSMS, and the connection comes back.
 */
function lostWithConnection(e: unknown): boolean {
  return (
    e instanceof NotConnected ||
    (isOcppSdkError(e) && (e.code === 'NOT_CONNECTED' || e.code === 'CONNECTION_CLOSED'))
  );
}

/**
 * The call timeout of a message made while offline on a station object that is still opening:
 * the outbox has it on disk at once, so its caller need not wait for the connection.
 */
const OFFLINE_CALL_MS = 1;

/** The action each transaction step sends in a version, as the generic API's codecs say. */
const WIRE = Object.fromEntries(
  PROTOCOL_VERSIONS.map((v) => [
    v,
    {
      start: actionOf(v, 'startTransaction'),
      update: actionOf(v, 'updateTransaction'),
      stop: actionOf(v, 'stopTransaction'),
    },
  ]),
) as Record<ProtocolVersion, { start: string; update: string; stop: string }>;

function actionOf(version: ProtocolVersion, operation: StationOperation): string {
  const action = actionsOf(version, operation)[0];
  if (action === undefined) throw new Error(`${operation} has no action in ${version}`);
  return action;
}

/** How long each step of a firmware update or log upload takes (download, install, upload). */
export const TRANSFER_STEP_MS = 300;

/** Longest local authorisation list a station keeps, and entries per SendLocalList. */
const LOCAL_LIST_MAX = 1000;
const SEND_LOCAL_LIST_MAX = 100;

/**
 * Read-only configuration keys every station reports the same (shared, so they cost a station
 * nothing): the limits of its firmware, local list, reservation and smart charging features.
 */
const FEATURE_KEYS: ReadonlyMap<string, string> = new Map([
  ['LocalAuthListEnabled', 'true'],
  ['LocalAuthListMaxLength', String(LOCAL_LIST_MAX)],
  ['SendLocalListMaxLength', String(SEND_LOCAL_LIST_MAX)],
  ['ReserveConnectorZeroSupported', 'true'],
  ['ChargeProfileMaxStackLevel', String(PROFILE_LIMITS.maxStackLevel)],
  ['ChargingScheduleAllowedChargingRateUnit', 'Current,Power'],
  ['ChargingScheduleMaxPeriods', String(PROFILE_LIMITS.maxPeriods)],
  ['MaxChargingProfilesInstalled', String(PROFILE_LIMITS.maxInstalled)],
]);

const iso = () => new Date().toISOString();
const round1 = (v: number) => Math.round(v * 10) / 10;

/** The transaction a stop message ends (its neutral id), or undefined for other messages. */
function stoppedTransaction(message: OutboxMessage): string | undefined {
  if (message.action === 'StopTransaction')
    return String((message.payload as { transactionId: number }).transactionId);
  if (message.action !== 'TransactionEvent') return undefined;
  const event = message.payload as {
    eventType: string;
    transactionInfo: { transactionId: string };
  };
  return event.eventType === 'Ended' ? event.transactionInfo.transactionId : undefined;
}

/**
 * One simulated charging station: connects, boots, reports every connector, sends heartbeats at
 * the interval the CSMS gave, runs charging sessions (authorize, start, rising meter values,
 * stop) and answers the CSMS's remote start/stop, reset, availability, configuration, trigger,
 * unlock, data transfer, firmware update, log upload, charging profiles, reservations and the
 * local list. Speaks one version through the generic API.
 */
export class SimStation {
  readonly kind: ChargerKind;
  readonly idToken: IdToken;
  private readonly random: () => number;
  /** This station's version's counters (sessions, calls) in the fleet's metrics. */
  private readonly tally: VersionTally;
  private readonly connectors: Connector[] = [];
  private readonly config = new Map<string, { value: string; readonly: boolean }>();
  private station: GenericStation | undefined;
  /**
   * The station object created last (connected, still opening, or closed): offline, messages
   * are made on it, so one ledger of open transactions carries on from connection to connection.
   */
  private newest: GenericStation | undefined;
  /**
   * Transaction messages kept until the CSMS answers them, over every connection (and, with a
   * state dir, every run): samples made offline are sent on the next connection.
   */
  readonly outbox: Outbox;
  private readonly store: OutboxStore;
  /** Transactions whose stop the outbox took over (neutral ids): done once it is delivered. */
  private readonly handedOver = new Set<string>();
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatSeconds = 300;
  private readonly sleeps = new Set<() => void>();
  private closingByUs = false;
  private resetting = false;
  /** The connection loop running now; one at a time (a drop during boot must not start another). */
  private loop: Promise<string | undefined> | undefined;
  /** The station of an attempt still opening its WebSocket (closed by {@link shutdown}). */
  private attempting: GenericStation | undefined;
  /** The connection was lost, not closed by the simulator, and is not back yet. */
  private lost = false;
  /** Waiters for the station to be connected and booted again (or for the end of the run). */
  private readonly liveWaiters = new Set<() => void>();
  private done = false;
  /**
   * The station gave up: its first boot was refused or failed as often as it tries, or a lost
   * connection did not come back within the reconnect attempts. Its loops end as at the run's end.
   */
  private abandoned = false;
  /** Boot answers Pending or Rejected since the last accepted one. */
  private refusals = 0;
  private everBooted = false;
  private connected = false;
  private sessionsBegun = 0;
  private loops = 0;
  /** Firmware, logs, profiles, reservations, local list: created by the first such request. */
  private extras: StationExtras | undefined;
  /** 2.x: the device model, display messages and monitors, made on the first such request. */
  private model: DeviceModelState | undefined;
  /** Installed roots, the station's own chain and the key of the CSR in flight, once asked. */
  private certificates: Certificates | undefined;

  constructor(
    readonly index: number,
    readonly identity: string,
    readonly protocol: ProtocolVersion,
    private readonly fleet: FleetContext,
  ) {
    this.random = seededRandom(index * 7919 + 17);
    this.tally = fleet.metrics.tally(protocol);
    this.tally.stationsRequested++;
    this.kind = CHARGER_KINDS[index % CHARGER_KINDS.length]!;
    this.idToken = { idToken: `T${String(index + 1).padStart(7, '0')}`, type: 'ISO14443' };
    const s = fleet.settings;
    for (let evseId = 1; evseId <= s.connectors; evseId++) {
      this.connectors.push({
        evseId,
        registerWh: Math.floor(this.random() * 5_000_000),
        operative: true,
        pendingOperative: undefined,
        busy: false,
        session: undefined,
        wake: undefined,
        reported: undefined,
      });
    }
    this.store =
      s.stateDir === undefined
        ? new MemoryStore()
        : new FileStore(join(s.stateDir, `${identity}.journal`));
    this.outbox = new Outbox({
      version: versionOf(protocol) ?? '2.1',
      store: this.store,
      attempts: s.messageAttempts ?? 3,
      retryIntervalMs: s.messageRetryIntervalMs ?? 5_000,
    });
    this.outbox.on('delivered', (m) => this.stopSettled(m, true));
    this.outbox.on('dropped', (m) => this.stopSettled(m, false));
    this.config.set('HeartbeatInterval', { value: '300', readonly: false });
    this.config.set('MeterValueSampleInterval', {
      value: String(s.meterIntervalSeconds),
      readonly: false,
    });
    this.config.set('NumberOfConnectors', { value: String(s.connectors), readonly: true });
    this.config.set('MeterValuesSampledData', {
      value: 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC',
      readonly: false,
    });
    this.config.set('AuthorizeRemoteTxRequests', { value: 'false', readonly: false });
    this.config.set('ConnectionTimeOut', { value: '60', readonly: false });
    this.config.set('LocalAuthorizeOffline', { value: 'false', readonly: false });
    this.config.set('SupportedFeatureProfiles', {
      value:
        'Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger',
      readonly: true,
    });
  }

  /** True while connected and booted. */
  get isConnected(): boolean {
    return this.connected;
  }

  /** True once the station has done what the scenario asks (or gave up). */
  get isDone(): boolean {
    return this.done;
  }

  /** True when the station's work is over: the run is ending, or the station gave up. */
  private get over(): boolean {
    return this.fleet.stopping || this.abandoned;
  }

  // ---- connection ----

  private makeTransport(): Transport {
    const s = this.fleet.settings;
    if (s.transport !== undefined) return s.transport(this);
    const secret = s.secretFor(this.identity);
    return createWsClient({
      url: s.url,
      identity: this.identity,
      protocols: [this.protocol],
      reconnect: false,
      handshakeTimeoutMs: 20_000,
      pingIntervalSeconds: 0,
      ...(secret === undefined ? {} : { password: secret }),
      ...(s.tls.ca === undefined ? {} : { ca: s.tls.ca }),
      ...(s.tls.cert === undefined ? {} : { cert: s.tls.cert }),
      ...(s.tls.key === undefined ? {} : { key: s.tls.key }),
      rejectUnauthorized: s.tls.rejectUnauthorized,
    });
  }

  /**
   * Connects and boots. Before the station's first successful boot it gives up after the fleet's
   * `connectAttempts`; once it has been connected it tries until it is back or the run ends. Every
   * retry waits the OCPP back-off (RetryBackOffWaitMinimum + random(RetryBackOffRandomRange),
   * doubling up to RetryBackOffRepeatTimes), which starts over with every call. `afterDrop`
   * waits the first back-off before the first attempt too, as a station does after losing its
   * connection. Resolves with the reason of the last failure, or undefined once booted; while a
   * connection loop runs, a second call joins it.
   */
  connect(
    reason: 'PowerUp' | 'RemoteReset' = 'PowerUp',
    afterDrop = false,
  ): Promise<string | undefined> {
    if (this.loop === undefined) {
      const loop = this.connectLoop(reason, afterDrop).finally(() => {
        if (this.loop === loop) this.loop = undefined;
      });
      this.loop = loop;
    }
    return this.loop;
  }

  private async connectLoop(
    reason: 'PowerUp' | 'RemoteReset',
    afterDrop: boolean,
  ): Promise<string | undefined> {
    const s = this.fleet.settings;
    let waits = 0;
    // Math.random, not the station's seeded source: a flaky network must not change the physics.
    const backOff = () => this.sleep(backoffDelayMs(waits++, s.backoff));
    if (afterDrop) await backOff();
    let last: string | undefined;
    for (let attempt = 1; ; attempt++) {
      if (this.over) return last ?? 'run ended';
      const failure = await this.attempt(reason, attempt);
      if (failure === undefined) return undefined;
      last = failure;
      const limit = this.everBooted ? s.reconnectAttempts : s.connectAttempts;
      // Boots answered Pending or Rejected count as attempts too: the boot loop counts them.
      const refused = !this.everBooted && this.refusals >= s.connectAttempts;
      if (refused || (limit !== undefined && attempt >= limit)) return this.giveUp(last);
      await backOff();
    }
  }

  /** Ends the station's work for this run: it stops trying, its loops end, the fleet hears. */
  private giveUp(reason: string): string {
    this.abandoned = true;
    if (this.everBooted) this.fleet.metrics.stationGaveUp(this.index);
    this.requestStop();
    this.finish();
    return reason;
  }

  /** One attempt: open the WebSocket, then boot. Resolves with why it failed, or undefined. */
  private async attempt(
    reason: 'PowerUp' | 'RemoteReset',
    attempt: number,
  ): Promise<string | undefined> {
    const station = createGenericStation({
      protocol: this.protocol,
      identity: this.identity,
      transport: this.makeTransport(),
      handlers: this.fleet.handlers,
      session: {
        callTimeoutMs: this.fleet.settings.callTimeoutMs,
        logger: silentLogger,
        queue: this.outbox,
      },
      // Sessions that were running when the connection dropped go on, and end, on this one.
      transactions: this.newest?.transactions.values() ?? [],
    });
    this.newest = station;
    this.attempting = station;
    try {
      await station.start();
    } catch (e) {
      return this.attemptFailed(describeConnectError(e, this.protocol), attempt, true);
    } finally {
      if (this.attempting === station) this.attempting = undefined;
    }
    if (this.fleet.stopping) {
      await station.close(1000, 'simulation ended').catch(() => {});
      return 'run ended';
    }
    this.station = station;
    this.closingByUs = false;
    station.session.on('close', () => this.onClosed(station));
    try {
      await this.boot(station, reason);
      return undefined;
    } catch (e) {
      this.closingByUs = true;
      await station.close(1000, 'boot failed').catch(() => {});
      const why =
        e instanceof BootRefused
          ? e.message
          : `boot failed: ${describeConnectError(e, this.protocol)}`;
      return this.attemptFailed(why, attempt);
    }
  }

  private attemptFailed(reason: string, attempt: number, tellFleet = false): string {
    // Attempts the end of the run cut short are no failure of the CSMS.
    if (this.fleet.stopping) return reason;
    this.fleet.metrics.connectFailed(this.index, reason, this.protocol);
    if (tellFleet) this.fleet.connectFailed(this, reason, attempt);
    if (this.everBooted) this.markLost();
    return reason;
  }

  private markLost(): void {
    if (this.lost) return;
    this.lost = true;
    this.fleet.metrics.stationLost(this.index);
  }

  /** True when the station lost its connection and did not get it back (it may have given up). */
  get isLost(): boolean {
    return this.lost && !this.connected;
  }

  private onClosed(station: GenericStation): void {
    if (this.station !== station) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.station = undefined;
    this.stopHeartbeats();
    if (wasConnected) this.fleet.metrics.stationDisconnected();
    for (const c of this.connectors) c.wake?.();
    if (!this.closingByUs && !this.over && !this.resetting) {
      // The CSMS or the network dropped us: come back as a real station would, with the
      // back-off, for as long as it takes (joins the loop when the drop came during a boot).
      this.markLost();
      void this.connect('PowerUp', true);
    }
  }

  /** Resolves once the station is connected and booted, or when the run ends. */
  private waitLive(): Promise<void> {
    if ((this.connected && this.station !== undefined) || this.over) return Promise.resolve();
    return new Promise((resolve) => this.liveWaiters.add(resolve));
  }

  private wakeLive(): void {
    const waiters = [...this.liveWaiters];
    this.liveWaiters.clear();
    for (const resolve of waiters) resolve();
  }

  private async boot(station: GenericStation, reason: 'PowerUp' | 'RemoteReset'): Promise<void> {
    for (;;) {
      const result = await this.track('BootNotification', () =>
        station.boot({
          reason,
          vendorName: 'OCPP SDK',
          model: this.kind.model,
          serialNumber: this.identity,
          firmwareVersion: '1.0.0-sim',
        }),
      );
      if (result.status === 'Accepted') {
        this.refusals = 0;
        this.heartbeatSeconds =
          this.fleet.settings.heartbeatIntervalSeconds ??
          (result.interval > 0 ? result.interval : 300);
        this.config.set('HeartbeatInterval', {
          value: String(this.heartbeatSeconds),
          readonly: false,
        });
        break;
      }
      // Pending or Rejected: ask again after the interval the CSMS gave (at least a second), as
      // often as the station tries to connect; a station that had booted before asks on and on.
      this.refusals++;
      if (!this.everBooted && this.refusals >= this.fleet.settings.connectAttempts) {
        throw new BootRefused(result.status);
      }
      await this.sleep(Math.max(1, result.interval) * 1000);
      if (this.over || this.station !== station) throw new Error('run ended before boot');
    }
    this.connected = true;
    // A04: a critical security event, as a real station reports its start.
    this.securityEvent(reason === 'RemoteReset' ? 'ResetOrReboot' : 'StartupOfTheDevice');
    this.everBooted = true;
    this.lost = false;
    this.fleet.metrics.stationConnected(this.index, this.protocol);
    // The boot stands whatever the CSMS answers to these reports (a CALLERROR counts as one).
    for (const c of this.connectors) c.reported = undefined;
    for (const c of this.connectors) await this.sendStatus(c, this.phaseOf(c));
    this.scheduleHeartbeat();
    // Boot and connector states first, then what waited for the connection (stops, reports).
    this.wakeLive();
    this.afterBoot();
  }

  private afterBoot(): void {
    const s = this.fleet.settings;
    if (s.scenario === 'boot-only') {
      this.finish();
      return;
    }
    if (s.scenario === 'idle') return;
    if (this.loops > 0) return; // session loops survive a reconnect
    for (const c of this.connectors) void this.sessionLoop(c);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.fleet.stationDone(this);
  }

  /** Asks running sessions to stop (reason Local) and cuts every wait short. */
  requestStop(): void {
    for (const c of this.connectors) {
      if (c.session !== undefined && c.session.stopReason === undefined) {
        c.session.stopReason = 'Local';
        c.session.cutShort = true;
      }
      c.wake?.();
    }
    for (const wake of this.sleeps) wake();
    this.wakeLive();
  }

  /**
   * Stops sessions (reason Local), waits for their StopTransaction (sent only if connected),
   * then closes for good, an attempt in progress too.
   */
  async shutdown(): Promise<void> {
    this.requestStop();
    const deadline = Date.now() + 15_000;
    const owed = () =>
      this.connectors.some((c) => c.busy) || (this.connected && this.outbox.kept > 0);
    while (owed() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.stopHeartbeats();
    this.extras?.stop();
    const station = this.station;
    const attempting = this.attempting;
    this.closingByUs = true;
    await Promise.all(
      [station, attempting].map((s) => s?.close(1000, 'simulation ended').catch(() => {})),
    );
    this.outbox.close();
    if (this.store instanceof FileStore) this.store.close();
  }

  // ---- helpers ----

  /** A timer the end of the run (or a reset) can cut short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }

  /** Runs one call to the CSMS and records its outcome and latency under its wire action. */
  private async track<T>(action: string, call: () => Promise<T>): Promise<T> {
    const m = this.fleet.metrics;
    m.callSent(action, this.protocol);
    const t0 = performance.now();
    try {
      const result = await call();
      m.callAnswered(action, performance.now() - t0, this.protocol);
      return result;
    } catch (e) {
      if (isOcppCallError(e)) m.callError(action, e.code, performance.now() - t0, this.protocol);
      else
        m.callFailed(
          `${action}: ${isOcppSdkError(e) ? e.code : e instanceof Error ? e.message : String(e)}`,
          this.protocol,
        );
      throw e;
    }
  }

  /**
   * The station once it is connected (and booted) again, for a message that must not be lost,
   * however long that takes; fails when the run ends first.
   */
  private async whenLive(): Promise<GenericStation> {
    for (;;) {
      const s = this.station;
      if (s !== undefined && this.connected) return s;
      if (this.over) throw new NotConnected('not connected');
      await this.waitLive();
    }
  }

  /**
   * Where a transaction message goes now: the live station, else the newest station object
   * (still opening, or closed), whose outbox keeps the message for the next connection.
   */
  private sender(): { station: GenericStation; options: { timeout: number } | undefined } {
    if (this.station !== undefined && this.connected)
      return { station: this.station, options: undefined };
    const station = this.newest;
    if (station === undefined) throw new NotConnected('not connected');
    return { station, options: { timeout: OFFLINE_CALL_MS } };
  }

  /**
   * The outbox delivered (or, after its last attempt, dropped) a message: a stop it had taken
   * over completes its session, or leaves the transaction open at the CSMS.
   */
  private stopSettled(message: OutboxMessage, delivered: boolean): void {
    if (this.handedOver.size === 0) return;
    const id = stoppedTransaction(message);
    if (id === undefined || !this.handedOver.delete(id)) return;
    const m = this.tally;
    m.stopsKept--;
    if (delivered) m.sessionsCompleted++;
    else {
      m.stopsUndelivered++;
      m.sessionsFailed++;
    }
  }

  /** Stops the outbox was still keeping when the run ended (in the state dir, if there is one). */
  get stopsKept(): number {
    return this.handedOver.size;
  }

  private live(): GenericStation {
    const s = this.station;
    if (s === undefined || !this.connected) throw new NotConnected('not connected');
    return s;
  }

  /**
   * Reports a connector; `phase` picks the 1.6 status of a session (Preparing, Charging,
   * Finishing). A status already reported on this connection is not reported again unless
   * `always` (a TriggerMessage asks for it). Never throws: the CSMS's CALLERROR or a call that
   * went unanswered is counted by {@link track}, and a report is no reason to end a session.
   */
  private async sendStatus(
    c: Connector,
    phase?: 'Preparing' | 'Charging' | 'Finishing',
    always = false,
  ): Promise<void> {
    const station = this.station;
    if (station === undefined || !this.connected) return;
    const idle = !c.operative
      ? 'Unavailable'
      : this.extras?.reservations.has(c.evseId) === true
        ? 'Reserved'
        : 'Available';
    const status = phase === undefined ? idle : 'Occupied';
    const reported = this.protocol === 'ocpp1.6' ? (phase ?? idle) : status;
    if (!always && c.reported === reported) return;
    c.reported = reported;
    await this.track('StatusNotification', () =>
      station.statusNotification({
        evseId: c.evseId,
        connectorId: 1,
        status,
        ...(this.protocol === 'ocpp1.6'
          ? { chargePointStatus: phase ?? idle, errorCode: 'NoError' as const }
          : {}),
      }),
    ).catch(() => {
      // Not known to have arrived: the next report of this status goes out again.
      if (c.reported === reported) c.reported = undefined;
    });
  }

  /** Where a connector's session is, for a status report outside the session's own flow. */
  private phaseOf(c: Connector): 'Preparing' | 'Charging' | undefined {
    if (c.session === undefined) return undefined;
    return c.session.transactionId === undefined ? 'Preparing' : 'Charging';
  }

  private scheduleHeartbeat(): void {
    this.stopHeartbeats();
    if (this.over || !this.connected) return;
    this.heartbeatTimer = setTimeout(() => {
      const station = this.station;
      if (station === undefined || !this.connected) return;
      this.track('Heartbeat', () => station.heartbeat()).then(
        () => this.scheduleHeartbeat(),
        () => this.scheduleHeartbeat(),
      );
    }, this.heartbeatSeconds * 1000);
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer !== undefined) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  // ---- charging ----

  private quotaLeft(): boolean {
    const q = this.fleet.settings.sessionsPerStation;
    return q === undefined || this.sessionsBegun < q;
  }

  private async sessionLoop(c: Connector): Promise<void> {
    this.loops++;
    const s = this.fleet.settings;
    try {
      // Spread the fleet's first sessions over one meter interval.
      await this.sleep(this.random() * s.meterIntervalSeconds * 1000);
      while (!this.over && this.quotaLeft()) {
        if (!this.connected) {
          await this.waitLive();
          continue;
        }
        if (c.busy || !c.operative || this.reservedAgainst(c, this.idToken)) {
          await this.sleep(250);
          continue;
        }
        this.sessionsBegun++;
        await this.runSession(c, undefined);
        if (this.quotaLeft())
          await this.sleep(s.meterIntervalSeconds * 1000 * (0.5 + this.random()));
      }
    } finally {
      this.loops--;
      if (this.loops === 0 && !this.quotaLeft()) {
        // Wait for remote-started sessions too, and for the outbox to deliver what it keeps,
        // before calling it done.
        while ((this.connectors.some((x) => x.busy) || this.outbox.kept > 0) && !this.over)
          await this.sleep(100);
        this.finish();
      }
    }
  }

  private async runSession(
    c: Connector,
    remote:
      | { idToken: IdToken; remoteStartId?: number; chargingProfile?: ChargingProfile }
      | undefined,
  ): Promise<void> {
    const m = this.tally;
    const s = this.fleet.settings;
    const wire = WIRE[this.protocol];
    m.sessionsStarted++;
    c.busy = true;
    let completed = false;
    /** The transaction started at the CSMS and its end has not been answered yet. */
    let stopOwed = false;
    const idToken = remote?.idToken ?? this.idToken;
    try {
      if (remote === undefined) {
        const station = this.live();
        const auth = await this.track('Authorize', () => station.authorize({ idToken }));
        if (auth.idTokenInfo.status !== 'Accepted') {
          throw new SessionFailed(`idToken ${auth.idTokenInfo.status}`);
        }
      }
      const charge = new ChargingSession(this.kind, c.registerWh, this.random, Date.now());
      const session: ActiveSession = { transactionId: undefined, charge, stopReason: undefined };
      c.session = session;
      await this.sendStatus(c, 'Preparing');
      const starter = this.live();
      const reservation = this.takeReservation(c, idToken);
      const started = await this.track(wire.start, () =>
        starter.startTransaction({
          evseId: c.evseId,
          connectorId: 1,
          idToken,
          meterStart: Math.round(c.registerWh),
          triggerReason: remote === undefined ? 'Authorized' : 'RemoteStart',
          chargingState: 'Charging',
          ...(remote?.remoteStartId === undefined ? {} : { remoteStartId: remote.remoteStartId }),
          ...(reservation === undefined ? {} : { reservationId: reservation.id }),
        }),
      );
      session.transactionId = started.transactionId;
      stopOwed = true;
      if (remote?.chargingProfile !== undefined) {
        installProfile(
          this.x().profiles,
          {
            evseId: c.evseId,
            profile: { ...remote.chargingProfile, transactionId: started.transactionId },
            installedAt: Date.now(),
          },
          this.protocol,
        );
      }
      if (started.idTokenInfo !== undefined && started.idTokenInfo.status !== 'Accepted') {
        session.stopReason = 'DeAuthorized';
      }
      // Lost with the connection, this report is made again at the next boot; the session goes on.
      await this.sendStatus(c, 'Charging');
      const endAt = Date.now() + s.sessionSeconds * 1000;
      // Samples are due on a fixed clock (start + k × interval), as a meter's are: a slow answer
      // does not stretch the interval.
      let due = Date.now();
      while (session.stopReason === undefined && !this.over) {
        const left = endAt - Date.now();
        if (left <= 0) break;
        const interval = Number(
          this.config.get('MeterValueSampleInterval')?.value ?? s.meterIntervalSeconds,
        );
        due = Math.max(due + Math.max(0.05, interval) * 1000, Date.now());
        const wait = Math.min(left, due - Date.now());
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, wait);
          function done() {
            clearTimeout(timer);
            c.wake = undefined;
            resolve();
          }
          c.wake = done;
        });
        if (session.stopReason !== undefined || Date.now() >= endAt) break;
        charge.advance(Date.now(), this.powerLimitW(c));
        // Offline, the car charges on and the sample waits in the outbox for the next connection.
        const { station, options } = this.sender();
        try {
          await this.track(wire.update, () =>
            station.updateTransaction(
              {
                transactionId: started.transactionId,
                meterValue: [charge.sample('Sample.Periodic', iso())],
                triggerReason: 'MeterValuePeriodic',
                chargingState: 'Charging',
              },
              options,
            ),
          );
        } catch (e) {
          // The connection went (or is closing) while the sample was out, or the CSMS refused it
          // (a CALLERROR, counted): charge on; the transaction still ends with its stop.
          if (!lostWithConnection(e) && !isOcppCallError(e)) throw e;
        }
      }
      charge.advance(Date.now(), this.powerLimitW(c));
      const reason = session.stopReason ?? 'Local';
      session.stopReason = reason;
      // The stop must reach the CSMS: after a dropped connection it goes out on the next one,
      // however late, with the time and readings of when the session really ended.
      const endedAt = iso();
      const endSample = charge.sample('Transaction.End', endedAt);
      // Offline, or unanswered in time, the outbox takes the stop over: it is sent on the next
      // connection, again as the spec says, and the session counts once the CSMS answered it.
      const { station: stopper, options } = this.sender();
      let ended: { readonly kept?: true };
      try {
        ended = await this.track(wire.stop, () =>
          stopper.stopTransaction(
            {
              transactionId: started.transactionId,
              meterStop: Math.round(charge.registerWh),
              timestamp: endedAt,
              stoppedReason: reason,
              idToken,
              meterValue: [endSample],
            },
            options,
          ),
        );
      } catch (e) {
        // A CALLERROR is an answer: the CSMS has the stop, and refused it.
        if (isOcppCallError(e)) stopOwed = false;
        throw e;
      }
      stopOwed = false;
      c.registerWh = round1(charge.registerWh);
      m.energyWh += charge.energyWh;
      if (ended.kept === true) {
        this.handedOver.add(started.transactionId);
        m.stopsKept++;
      } else {
        // The transaction is over at the CSMS: the session counts (as completed, or cut short by
        // the end of the run) even if the connection drops before the connector is free again.
        if (session.cutShort === true) m.sessionsCutShort++;
        else m.sessionsCompleted++;
      }
      completed = true;
      c.session = undefined;
      if (c.pendingOperative !== undefined) {
        c.operative = c.pendingOperative;
        c.pendingOperative = undefined;
      }
      if (this.connected) {
        if (this.protocol === 'ocpp1.6') await this.sendStatus(c, 'Finishing');
        await this.sendStatus(c);
      }
    } catch {
      if (!completed) m.sessionsFailed++;
      if (stopOwed) m.stopsUndelivered++;
    } finally {
      c.session = undefined;
      c.busy = false;
      c.wake = undefined;
      this.dropTxProfiles(c.evseId);
    }
  }

  // ---- answers to the CSMS ----

  remoteStart(params: RemoteStartParams): RemoteStartResult {
    const free = (x: Connector) =>
      !x.busy && x.operative && !this.reservedAgainst(x, params.idToken);
    const c =
      params.evseId !== undefined && params.evseId > 0
        ? this.connectors.find((x) => x.evseId === params.evseId)
        : (this.connectors.find((x) => free(x) && this.extras?.reservations.has(x.evseId)) ??
          this.connectors.find(free));
    if (c === undefined || !free(c) || !this.connected) return { status: 'Rejected' };
    c.busy = true; // reserved until the session runs
    this.tally.remoteStarts++;
    // Start after the answer is on its way (runSession marks the connector busy again at once).
    setImmediate(() => {
      c.busy = false;
      if (!this.connected || this.over) return;
      void this.runSession(c, {
        idToken: params.idToken,
        ...(params.remoteStartId === undefined ? {} : { remoteStartId: params.remoteStartId }),
        ...(params.chargingProfile === undefined
          ? {}
          : { chargingProfile: params.chargingProfile }),
      });
    });
    return { status: 'Accepted' };
  }

  remoteStop(transactionId: string): { status: 'Accepted' | 'Rejected' } {
    const c = this.connectors.find((x) => x.session?.transactionId === transactionId);
    if (c?.session === undefined || c.session.stopReason !== undefined)
      return { status: 'Rejected' };
    c.session.stopReason = 'Remote';
    c.wake?.();
    return { status: 'Accepted' };
  }

  reset(params: ResetParams): ScheduledResult {
    if (params.evseId !== undefined && params.evseId > 0) return { status: 'Rejected' };
    if (this.resetting) return { status: 'Rejected' };
    const immediate = params.type !== 'OnIdle';
    setTimeout(() => void this.doReset(immediate), 50);
    return { status: 'Accepted' };
  }

  private async doReset(immediate: boolean): Promise<void> {
    this.resetting = true;
    try {
      const reason: StopReason = this.protocol === 'ocpp1.6' ? 'HardReset' : 'ImmediateReset';
      for (const c of this.connectors) {
        if (immediate && c.session !== undefined) {
          c.session.stopReason ??= reason;
          c.wake?.();
        }
      }
      const deadline = Date.now() + 30_000;
      while (this.connectors.some((c) => c.busy) && Date.now() < deadline && !this.over) {
        await this.sleep(50);
      }
      const station = this.station;
      this.closingByUs = true;
      this.stopHeartbeats();
      if (station !== undefined) await station.close(1000, 'reset').catch(() => {});
      if (this.over) return;
      await this.sleep(500);
      await this.connect('RemoteReset');
    } finally {
      this.resetting = false;
    }
  }

  changeAvailability(params: ChangeAvailabilityParams): ScheduledResult {
    const operative = params.operationalStatus === 'Operative';
    const targets =
      params.evseId === undefined || params.evseId === 0
        ? this.connectors
        : this.connectors.filter((c) => c.evseId === params.evseId);
    if (targets.length === 0) return { status: 'Rejected' };
    let scheduled = false;
    for (const c of targets) {
      if (c.busy && !operative) {
        c.pendingOperative = operative;
        scheduled = true;
      } else if (c.operative !== operative) {
        c.operative = operative;
        setImmediate(() => {
          void this.sendStatus(c, this.phaseOf(c));
        });
      }
    }
    return { status: scheduled ? 'Scheduled' : 'Accepted' };
  }

  getConfiguration(params: GetConfigurationParams): GetConfigurationResult {
    const keys =
      params.keys === undefined || params.keys.length === 0
        ? [...this.config.keys(), ...FEATURE_KEYS.keys()]
        : params.keys;
    const values: { key: string; value: string; readonly: boolean }[] = [];
    const unknownKeys: string[] = [];
    for (const key of keys) {
      const entry = this.config.get(key);
      const shared = FEATURE_KEYS.get(key);
      if (entry !== undefined) values.push({ key, value: entry.value, readonly: entry.readonly });
      else if (shared !== undefined) values.push({ key, value: shared, readonly: true });
      else unknownKeys.push(key);
    }
    return { values, unknownKeys };
  }

  setConfiguration(params: SetConfigurationParams): SetConfigurationResult {
    const entry = this.config.get(params.key);
    if (FEATURE_KEYS.has(params.key)) return { status: 'Rejected' };
    if (entry === undefined) return { status: 'NotSupported' };
    if (entry.readonly) return { status: 'Rejected' };
    if (params.key === 'HeartbeatInterval' || params.key === 'MeterValueSampleInterval') {
      const n = Number(params.value);
      if (!Number.isFinite(n) || n <= 0) return { status: 'Rejected' };
      if (params.key === 'HeartbeatInterval') {
        this.heartbeatSeconds = n;
        this.scheduleHeartbeat();
      }
    }
    entry.value = params.value;
    return { status: 'Accepted' };
  }

  triggerMessage(params: TriggerMessageParams): TriggerMessageResult {
    const station = this.station;
    if (station === undefined || !this.connected) return { status: 'Rejected' };
    const targets =
      params.evseId === undefined || params.evseId === 0
        ? this.connectors
        : this.connectors.filter((c) => c.evseId === params.evseId);
    let send: (() => Promise<unknown>) | undefined;
    switch (params.requestedMessage) {
      case 'BootNotification':
        send = () =>
          this.track('BootNotification', () =>
            station.boot({
              reason: 'Triggered',
              vendorName: 'OCPP SDK',
              model: this.kind.model,
              serialNumber: this.identity,
              firmwareVersion: '1.0.0-sim',
            }),
          );
        break;
      case 'Heartbeat':
        send = () => this.track('Heartbeat', () => station.heartbeat());
        break;
      case 'StatusNotification':
        if (targets.length === 0) return { status: 'Rejected' };
        send = async () => {
          for (const c of targets) await this.sendStatus(c, this.phaseOf(c), true);
        };
        break;
      case 'MeterValues':
        if (targets.length === 0) return { status: 'Rejected' };
        send = async () => {
          for (const c of targets) {
            const register = c.session?.charge.registerWh ?? c.registerWh;
            await this.track('MeterValues', () =>
              station.meterValues({
                evseId: c.evseId,
                meterValue: [
                  {
                    timestamp: iso(),
                    sampledValue: [
                      {
                        value: round1(register),
                        measurand: 'Energy.Active.Import.Register',
                        unit: 'Wh',
                        context: 'Trigger',
                      },
                    ],
                  },
                ],
              }),
            );
          }
        };
        break;
      case 'SignChargingStationCertificate':
        send = () => this.requestCertificate(station);
        break;
      default:
        return { status: 'NotImplemented' };
    }
    if (send !== undefined) this.afterAnswer(send);
    return { status: 'Accepted' };
  }

  unlockConnector(params: UnlockConnectorParams): UnlockConnectorResult {
    const c = this.connectors.find((x) => x.evseId === params.evseId);
    if (c === undefined || (params.connectorId !== undefined && params.connectorId !== 1)) {
      return { status: this.protocol === 'ocpp1.6' ? 'NotSupported' : 'UnknownConnector' };
    }
    if (c.session !== undefined) {
      if (this.protocol !== 'ocpp1.6') return { status: 'OngoingAuthorizedTransaction' };
      c.session.stopReason ??= 'UnlockCommand';
      c.wake?.();
    }
    return { status: 'Unlocked' };
  }

  dataTransfer(params: DataTransferParams): DataTransferResult {
    if (params.vendorId !== SIM_VENDOR_ID) return { status: 'UnknownVendorId' };
    if (params.messageId !== undefined && params.messageId !== 'echo') {
      return { status: 'UnknownMessageId' };
    }
    return { status: 'Accepted', ...(params.data === undefined ? {} : { data: params.data }) };
  }

  // ---- 2.x device model, display messages, monitoring ----

  private dm(): DeviceModelState {
    if (this.model !== undefined) return this.model;
    const s = this.fleet.settings;
    const definition = definitionOf({
      connectors: s.connectors,
      model: this.kind.model,
      vendor: 'OCPP SDK',
      maxPowerW: this.kind.maxPowerW,
      securityProfile:
        s.tls.cert !== undefined
          ? 3
          : s.url.startsWith('wss:')
            ? 2
            : this.fleet.settings.secretFor(this.identity) !== undefined
              ? 1
              : 0,
    });
    const model = new DeviceModel(definition, {
      read16: (key) => this.config.get(key)?.value,
      write16: (key, value) => this.setConfiguration({ key, value }).status === 'Accepted',
      live: (v) => this.liveValue(v),
    });
    this.model = {
      model,
      messages: new Map(),
      monitors: new Map(),
      monitoringLevel: 9,
      nextMonitorId: 1,
      eventId: 0,
      tripped: new Set(),
    };
    return this.model;
  }

  /** What the station knows of a variable now: availability, power, the clock. */
  private liveValue(v: DeviceVariable): string | undefined {
    const evse = v.component.evse?.id;
    const c = evse === undefined ? undefined : this.connectors.find((x) => x.evseId === evse);
    switch (v.variable.name) {
      case 'AvailabilityState':
        if (v.component.name === 'ChargingStation')
          return this.connectors.some((x) => x.operative) ? 'Available' : 'Unavailable';
        if (c === undefined) return undefined;
        return !c.operative ? 'Unavailable' : c.session !== undefined ? 'Occupied' : 'Available';
      case 'Available':
        return c === undefined ? undefined : String(c.operative);
      case 'Power':
        return c === undefined ? undefined : String(Math.round(c.session?.charge.powerW ?? 0));
      case 'DateTime':
        return new Date().toISOString();
      default:
        return undefined;
    }
  }

  getVariables(request: Request21<'GetVariables'>): Response21<'GetVariables'> {
    return this.dm().model.getVariables(request);
  }

  setVariables(request: Request21<'SetVariables'>): Response21<'SetVariables'> {
    return this.dm().model.setVariables(request);
  }

  getBaseReport(request: Request21<'GetBaseReport'>): Response21<'GetBaseReport'> {
    return this.sendReport(request.requestId, this.dm().model.baseReport(request.reportBase));
  }

  getReport(request: Request21<'GetReport'>): Response21<'GetReport'> {
    return this.sendReport(request.requestId, this.dm().model.report(request));
  }

  /** Answers a report request and sends the report after the answer, in NotifyReport parts. */
  private sendReport(
    requestId: number,
    data: NonNullable<Request21<'NotifyReport'>['reportData']>,
  ): { status: 'Accepted' | 'EmptyResultSet' } {
    if (data.length === 0) return { status: 'EmptyResultSet' };
    const station = this.station;
    this.afterAnswer(async () => {
      const generatedAt = new Date().toISOString();
      const parts = Math.ceil(data.length / REPORT_ITEMS_PER_MESSAGE);
      for (let seqNo = 0; seqNo < parts; seqNo++) {
        if (station === undefined || station !== this.station) return;
        const reportData = data.slice(
          seqNo * REPORT_ITEMS_PER_MESSAGE,
          (seqNo + 1) * REPORT_ITEMS_PER_MESSAGE,
        );
        await this.track('NotifyReport', () =>
          station.notifyReport({
            requestId,
            generatedAt,
            seqNo,
            tbc: seqNo < parts - 1,
            reportData,
          }),
        );
      }
    });
    return { status: 'Accepted' };
  }

  /** Runs `send` once the current CALL has been answered; a failure is counted, not thrown. */
  private afterAnswer(send: () => Promise<unknown>): void {
    setImmediate(() => {
      send().catch(() => {
        // track() counted it; the CSMS sees what is missing (a report times out, a trigger's
        // message never comes).
      });
    });
  }

  setDisplayMessage(request: Request21<'SetDisplayMessage'>): Response21<'SetDisplayMessage'> {
    const d = this.dm();
    const m = request.message;
    if (m.message.format !== 'ASCII' && m.message.format !== 'UTF8')
      return { status: 'NotSupportedMessageFormat' };
    // One display: a message for another one is refused.
    if (m.display !== undefined && m.display.name !== 'DisplayMessageCtrlr')
      return { status: 'Rejected' };
    if (
      m.transactionId !== undefined &&
      !this.connectors.some((c) => c.session?.transactionId === m.transactionId)
    )
      return { status: 'UnknownTransaction' };
    if (!d.messages.has(m.id) && d.messages.size >= DISPLAY_MESSAGES) return { status: 'Rejected' };
    d.messages.set(m.id, m);
    return { status: 'Accepted' };
  }

  getDisplayMessages(request: Request21<'GetDisplayMessages'>): Response21<'GetDisplayMessages'> {
    const all = [...(this.model?.messages.values() ?? [])];
    const messageInfo = all.filter(
      (m) =>
        (request.id === undefined || request.id.includes(m.id)) &&
        (request.priority === undefined || request.priority === m.priority) &&
        (request.state === undefined || request.state === m.state),
    );
    if (messageInfo.length === 0) return { status: 'Unknown' };
    const station = this.station;
    this.afterAnswer(async () => {
      if (station === undefined) return;
      await this.track('NotifyDisplayMessages', () =>
        station.notifyDisplayMessages({ requestId: request.requestId, messageInfo }),
      );
    });
    return { status: 'Accepted' };
  }

  clearDisplayMessage(
    request: Request21<'ClearDisplayMessage'>,
  ): Response21<'ClearDisplayMessage'> {
    return { status: this.model?.messages.delete(request.id) === true ? 'Accepted' : 'Unknown' };
  }

  setVariableMonitoring(
    request: Request21<'SetVariableMonitoring'>,
  ): Response21<'SetVariableMonitoring'> {
    const d = this.dm();
    return {
      setMonitoringResult: request.setMonitoringData.map((m) => {
        const base = {
          type: m.type,
          severity: m.severity,
          component: m.component,
          variable: m.variable,
        };
        const found = d.model.lookup(m.component, m.variable);
        if (typeof found === 'string') return { ...base, status: found };
        if (m.type !== 'UpperThreshold' && m.type !== 'LowerThreshold' && m.type !== 'Delta')
          return { ...base, status: 'UnsupportedMonitorType' };
        if (!d.model.monitorable(found)) return { ...base, status: 'Rejected' };
        if (m.id !== undefined && !d.monitors.has(m.id)) return { ...base, status: 'Rejected' };
        if (m.id === undefined && d.monitors.size >= MONITORS)
          return { ...base, status: 'Rejected' };
        const id = m.id ?? d.nextMonitorId++;
        d.monitors.set(id, {
          id,
          variable: found,
          type: m.type,
          value: m.value,
          severity: m.severity,
          transaction: m.transaction === true,
          component: m.component,
          variableRef: m.variable,
        });
        d.tripped.delete(id);
        this.watchMonitors();
        return { ...base, id, status: 'Accepted' };
      }),
    };
  }

  clearVariableMonitoring(
    request: Request21<'ClearVariableMonitoring'>,
  ): Response21<'ClearVariableMonitoring'> {
    return {
      clearMonitoringResult: request.id.map((id) => ({
        id,
        status: this.model?.monitors.delete(id) === true ? 'Accepted' : 'NotFound',
      })),
    };
  }

  setMonitoringLevel(request: Request21<'SetMonitoringLevel'>): Response21<'SetMonitoringLevel'> {
    if (request.severity < 0 || request.severity > 9) return { status: 'Rejected' };
    this.dm().monitoringLevel = request.severity;
    return { status: 'Accepted' };
  }

  setMonitoringBase(request: Request21<'SetMonitoringBase'>): Response21<'SetMonitoringBase'> {
    // No preconfigured monitors: All and FactoryDefault leave the custom ones; HardWiredOnly
    // removes them.
    if (request.monitoringBase === 'HardWiredOnly') this.model?.monitors.clear();
    return { status: 'Accepted' };
  }

  getMonitoringReport(
    request: Request21<'GetMonitoringReport'>,
  ): Response21<'GetMonitoringReport'> {
    const monitors = [...(this.model?.monitors.values() ?? [])];
    if (monitors.length === 0) return { status: 'EmptyResultSet' };
    const station = this.station;
    const version = this.protocol;
    this.afterAnswer(async () => {
      if (station === undefined) return;
      await this.track('NotifyMonitoringReport', () =>
        station.notifyMonitoringReport({
          requestId: request.requestId,
          generatedAt: new Date().toISOString(),
          seqNo: 0,
          monitor: monitors.map((m) => ({
            component: m.component,
            variable: m.variableRef,
            variableMonitoring: [
              {
                id: m.id,
                transaction: m.transaction,
                value: m.value,
                type: m.type,
                severity: m.severity,
                // 2.1 requires it, 2.0.1 has no such field.
                ...(version === 'ocpp2.1'
                  ? { eventNotificationType: 'CustomMonitor' as const }
                  : {}),
              },
            ],
          })) as never,
        }),
      );
    });
    return { status: 'Accepted' };
  }

  /** Checks the monitors every second while there are any; NotifyEvent on each crossing. */
  private watchMonitors(): void {
    const d = this.model;
    if (d === undefined || d.watch !== undefined) return;
    d.watch = setInterval(() => this.checkMonitors(), 1000);
    d.watch.unref?.();
  }

  /** Sends NotifyEvent for monitors whose threshold was crossed since the last check. */
  checkMonitors(): void {
    const d = this.model;
    const station = this.station;
    if (d === undefined) return;
    if (d.monitors.size === 0 || this.done) {
      clearInterval(d.watch);
      d.watch = undefined;
      return;
    }
    if (station === undefined || !this.connected) return;
    const events: NonNullable<Request21<'NotifyEvent'>['eventData']> = [];
    for (const m of d.monitors.values()) {
      if (m.severity > d.monitoringLevel) continue;
      const value = Number(d.model.valueOf(m.variable));
      const over =
        m.type === 'UpperThreshold'
          ? value > m.value
          : m.type === 'LowerThreshold'
            ? value < m.value
            : false;
      const was = d.tripped.has(m.id);
      if (over === was) continue;
      if (over) d.tripped.add(m.id);
      else d.tripped.delete(m.id);
      events.push({
        eventId: ++d.eventId,
        timestamp: new Date().toISOString(),
        trigger: 'Alerting',
        actualValue: String(value),
        cleared: !over,
        techCode: m.type,
        eventNotificationType: 'CustomMonitor',
        variableMonitoringId: m.id,
        component: m.component,
        variable: m.variableRef,
      });
    }
    if (events.length === 0) return;
    void this.track('NotifyEvent', () =>
      station.notifyEvent({ generatedAt: new Date().toISOString(), seqNo: 0, eventData: events }),
    ).catch(() => {});
  }

  // ---- the rest of 2.x and 2.1: transactions, cost, profiles, customer data ----

  setNetworkProfile(p: Request21<'SetNetworkProfile'>): Response21<'SetNetworkProfile'> {
    // Kept, as a station keeps a slot; used only once NetworkConfigurationPriority names it.
    if (p.configurationSlot < 0) return { status: 'Rejected' };
    return { status: 'Accepted' };
  }

  getTransactionStatus(p: Request21<'GetTransactionStatus'>): Response21<'GetTransactionStatus'> {
    const messagesInQueue = this.outbox.size > 0;
    if (p.transactionId === undefined) return { messagesInQueue };
    const ongoing = this.connectors.some((c) => c.session?.transactionId === p.transactionId);
    return { ongoingIndicator: ongoing, messagesInQueue };
  }

  costUpdated(p: Request21<'CostUpdated'>): Response21<'CostUpdated'> {
    const c = this.connectors.find((x) => x.session?.transactionId === p.transactionId);
    if (c?.session !== undefined) c.session.totalCost = p.totalCost;
    return {};
  }

  getChargingProfiles(p: Request21<'GetChargingProfiles'>): Response21<'GetChargingProfiles'> {
    const criteria = p.chargingProfile;
    const version = this.protocol === 'ocpp2.0.1' ? 'ocpp2.0.1' : 'ocpp2.1';
    const matching = (this.extras?.profiles ?? []).filter(
      (e) =>
        (p.evseId === undefined || e.evseId === p.evseId) &&
        (criteria.chargingProfileId === undefined ||
          criteria.chargingProfileId.includes(e.profile.id)) &&
        (criteria.chargingProfilePurpose === undefined ||
          criteria.chargingProfilePurpose === e.profile.chargingProfilePurpose) &&
        (criteria.stackLevel === undefined || criteria.stackLevel === e.profile.stackLevel) &&
        // Every profile here was set by the CSMS.
        (criteria.chargingLimitSource === undefined ||
          criteria.chargingLimitSource.includes('CSO')),
    );
    if (matching.length === 0) return { status: 'NoProfiles' };
    const byEvse = new Map<number, ChargingProfile[]>();
    for (const e of matching) byEvse.set(e.evseId, [...(byEvse.get(e.evseId) ?? []), e.profile]);
    const station = this.station;
    this.afterAnswer(async () => {
      const parts = [...byEvse];
      for (const [i, [evseId, profiles]] of parts.entries()) {
        if (station === undefined || station !== this.station) return;
        await this.track('ReportChargingProfiles', () =>
          station.reportChargingProfiles({
            requestId: p.requestId,
            chargingLimitSource: 'CSO',
            evseId,
            chargingProfile: profiles.map((x) => chargingProfileTo2x(x, version)),
            tbc: i < parts.length - 1,
          }),
        );
      }
    });
    return { status: 'Accepted' };
  }

  customerInformation(p: Request21<'CustomerInformation'>): Response21<'CustomerInformation'> {
    if (
      p.idToken === undefined &&
      p.customerCertificate === undefined &&
      p.customerIdentifier === undefined
    )
      return { status: 'Invalid' };
    if (!p.report) return { status: 'Accepted' };
    const ours = p.idToken !== undefined && tokenKey(p.idToken) === tokenKey(this.idToken);
    const data = ours
      ? `idToken ${this.idToken.idToken}: ${this.sessionsBegun} session(s) on this station`
      : 'no data for this customer';
    const station = this.station;
    this.afterAnswer(async () => {
      if (station === undefined) return;
      await this.track('NotifyCustomerInformation', () =>
        station.notifyCustomerInformation({
          requestId: p.requestId,
          generatedAt: new Date().toISOString(),
          seqNo: 0,
          data,
        }),
      );
    });
    return { status: 'Accepted' };
  }

  // ---- security: certificates, security events ----

  private certs(): Certificates {
    this.certificates ??= { roots: [], station: undefined, pendingKey: undefined };
    return this.certificates;
  }

  /** A13/A02: a new key and a CSR for it, sent as SignCertificate; the chain comes later. */
  private async requestCertificate(station: GenericStation): Promise<void> {
    const key = newKey();
    const organization = this.model?.model.valueByName('SecurityCtrlr', 'OrganizationName');
    const csr = createCsr(key, this.identity, organization ?? 'OCPP SDK');
    this.certs().pendingKey = key;
    await this.track('SignCertificate', () =>
      station.signCertificate(
        this.protocol === 'ocpp1.6'
          ? { csr }
          : { csr, certificateType: 'ChargingStationCertificate' },
      ),
    );
  }

  /** Installs the signed chain when its certificate belongs to the key of the last CSR. */
  certificateSigned(p: CertificateSignedParams): CertificateSignedResult {
    const c = this.certs();
    let chain: X509Certificate[];
    try {
      chain = certificatesOf(p.certificateChain);
    } catch {
      chain = [];
    }
    const leaf = chain[0];
    if (
      leaf === undefined ||
      c.pendingKey === undefined ||
      !leaf.checkPrivateKey(c.pendingKey.privateKey)
    ) {
      this.securityEvent('InvalidChargingStationCertificate', 'the chain does not match the CSR');
      return { status: 'Rejected' };
    }
    c.station = chain;
    c.pendingKey = undefined;
    return { status: 'Accepted' };
  }

  installCertificate(p: InstallCertificateParams): InstallCertificateResult {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(p.certificate);
    } catch {
      return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidCertificate' } };
    }
    const c = this.certs();
    if (c.roots.length >= MAX_ROOTS)
      return { status: 'Failed', statusInfo: { reasonCode: 'OutOfStorage' } };
    c.roots = c.roots.filter((r) => r.cert.fingerprint256 !== cert.fingerprint256);
    c.roots.push({ type: p.certificateType, cert });
    return { status: 'Accepted' };
  }

  getInstalledCertificateIds(
    p: GetInstalledCertificateIdsParams,
  ): GetInstalledCertificateIdsResult {
    const types = p.certificateType;
    const roots = (this.certificates?.roots ?? []).filter(
      (r) => types === undefined || types.length === 0 || types.includes(r.type as never),
    );
    if (roots.length === 0) return { status: 'NotFound' };
    return {
      status: 'Accepted',
      certificateHashDataChain: roots.map((r) => ({
        certificateType: r.type as GetCertificateIdUse,
        certificateHashData: hashDataOf(r.cert),
      })),
    };
  }

  deleteCertificate(p: DeleteCertificateParams): DeleteCertificateResult {
    const c = this.certificates;
    const h = p.certificateHashData;
    const i =
      c?.roots.findIndex((r) => {
        const own = hashDataOf(r.cert);
        return (
          own.serialNumber === h.serialNumber.toLowerCase().replace(/^0+(?=.)/, '') &&
          own.issuerNameHash === h.issuerNameHash.toLowerCase()
        );
      }) ?? -1;
    if (c === undefined || i < 0) return { status: 'NotFound' };
    c.roots.splice(i, 1);
    return { status: 'Accepted' };
  }

  /** Sends a SecurityEventNotification (A04); a failure is counted, not thrown. */
  private securityEvent(type: string, techInfo?: string): void {
    const station = this.station;
    if (station === undefined) return;
    void this.track('SecurityEventNotification', () =>
      station.securityEventNotification(techInfo === undefined ? { type } : { type, techInfo }),
    ).catch(() => {});
  }

  // ---- firmware, logs, smart charging, reservations, local list ----

  private x(): StationExtras {
    this.extras ??= new StationExtras();
    return this.extras;
  }

  /** True when `c` is reserved for someone other than `idToken`. */
  private reservedAgainst(c: Connector, idToken: IdToken): boolean {
    const r = this.extras?.reservations.get(c.evseId);
    if (r === undefined) return false;
    const key = tokenKey(idToken);
    return (
      tokenKey(r.idToken) !== key &&
      (r.groupIdToken === undefined || tokenKey(r.groupIdToken) !== key)
    );
  }

  /** Ends the reservation of `c` that a session of `idToken` is using, and returns it. */
  private takeReservation(c: Connector, idToken: IdToken): Reservation | undefined {
    const x = this.extras;
    const r = x?.reservations.get(c.evseId);
    if (x === undefined || r === undefined || this.reservedAgainst(c, idToken)) return undefined;
    x.reservations.delete(c.evseId);
    x.cancel(r.expiry);
    return r;
  }

  /** The power a charging profile allows on `c` now, W (undefined: no profile limits it). */
  private powerLimitW(c: Connector): number | undefined {
    const profiles = this.extras?.profiles;
    if (profiles === undefined || profiles.length === 0) return undefined;
    return limitAt(profiles, c.evseId, Date.now(), 'W', this.kind);
  }

  /** A transaction's profiles end with it. */
  private dropTxProfiles(evseId: number): void {
    const profiles = this.extras?.profiles;
    if (profiles === undefined) return;
    for (let i = profiles.length - 1; i >= 0; i--) {
      const p = profiles[i]!;
      if (p.evseId === evseId && p.profile.chargingProfilePurpose === 'TxProfile') {
        profiles.splice(i, 1);
      }
    }
  }

  /** Reports a connector's idle status soon (after the answer that changed it). */
  private reportSoon(c: Connector): void {
    setImmediate(() => {
      if (!c.busy) void this.sendStatus(c);
    });
  }

  updateFirmware(p: UpdateFirmwareParams): UpdateFirmwareResult {
    if (!Number.isFinite(Date.parse(p.retrieveDateTime))) return { status: 'Rejected' };
    if (p.signingCertificate !== undefined && !p.signingCertificate.includes('BEGIN CERTIFICATE')) {
      return { status: 'InvalidCertificate' };
    }
    const x = this.x();
    const previous = x.firmware;
    if (previous !== undefined) x.cancel(previous);
    const job: Job = { cancelled: false };
    x.firmware = job;
    setImmediate(() => {
      this.runFirmwareUpdate(p, job, x)
        .catch(() => {})
        .finally(() => {
          if (x.firmware === job) x.firmware = undefined;
        });
    });
    // Plain 1.6 UpdateFirmware has an empty answer; the others say an ongoing update was dropped.
    return {
      status: previous !== undefined && p.requestId !== undefined ? 'AcceptedCanceled' : 'Accepted',
    };
  }

  /**
   * Download and install as a station reports them: with a request id (2.x, 1.6 signed) the
   * scheduled and signature steps too, which plain 1.6 FirmwareStatusNotification lacks.
   */
  private async runFirmwareUpdate(p: UpdateFirmwareParams, job: Job, x: StationExtras) {
    const full = p.requestId !== undefined;
    const action =
      full && this.protocol === 'ocpp1.6'
        ? 'SignedFirmwareStatusNotification'
        : 'FirmwareStatusNotification';
    const notify = async (status: FirmwareStatus): Promise<boolean> => {
      if (job.cancelled) return false;
      const station = await this.whenLive();
      await this.track(action, () =>
        station.firmwareStatusNotification(
          p.requestId === undefined ? { status } : { status, requestId: p.requestId },
        ),
      );
      return !job.cancelled;
    };
    const until = (time: string | undefined) =>
      time === undefined ? 0 : Math.max(0, Date.parse(time) - Date.now());
    const retrieveIn = until(p.retrieveDateTime);
    if (retrieveIn > 0) {
      if (full && !(await notify('DownloadScheduled'))) return;
      if (!(await x.wait(retrieveIn, job))) return;
    }
    if (!(await notify('Downloading'))) return;
    if (!(await x.wait(TRANSFER_STEP_MS, job)) || !(await notify('Downloaded'))) return;
    if (full && p.signature !== undefined) {
      if (!(await x.wait(TRANSFER_STEP_MS / 2, job)) || !(await notify('SignatureVerified')))
        return;
    }
    const installIn = until(p.installDateTime);
    if (installIn > 0) {
      if (full && !(await notify('InstallScheduled'))) return;
      if (!(await x.wait(installIn, job))) return;
    } else if (!(await x.wait(TRANSFER_STEP_MS, job))) return;
    // Installing means a restart of the charger: running sessions end first.
    while (this.connectors.some((c) => c.busy)) if (!(await x.wait(250, job))) return;
    if (!(await notify('Installing'))) return;
    if (!(await x.wait(TRANSFER_STEP_MS, job))) return;
    await notify('Installed');
  }

  getLog(p: GetLogParams): GetLogResult {
    const x = this.x();
    const previous = x.upload;
    if (previous !== undefined) x.cancel(previous);
    const job: Job = { cancelled: false };
    x.upload = job;
    const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
    const filename = `${this.identity}-${p.logType ?? 'DiagnosticsLog'}-${stamp}.log`;
    const action =
      this.protocol === 'ocpp1.6' && p.requestId === undefined
        ? 'DiagnosticsStatusNotification'
        : 'LogStatusNotification';
    const send = async (status: UploadLogStatus): Promise<void> => {
      const station = await this.whenLive();
      await this.track(action, () =>
        station.logStatusNotification(
          p.requestId === undefined ? { status } : { status, requestId: p.requestId },
        ),
      );
    };
    // Nothing is uploaded: the log "goes up" in two steps' time. A newer request cancels it.
    setImmediate(() => {
      (async () => {
        if (job.cancelled) return;
        await send('Uploading');
        if (await x.wait(2 * TRANSFER_STEP_MS, job)) await send('Uploaded');
        else if (job.cancelled && !this.fleet.stopping) await send('AcceptedCanceled');
      })()
        .catch(() => {})
        .finally(() => {
          if (x.upload === job) x.upload = undefined;
        });
    });
    return {
      status: previous !== undefined && p.requestId !== undefined ? 'AcceptedCanceled' : 'Accepted',
      filename,
    };
  }

  setChargingProfile(p: SetChargingProfileParams): SetChargingProfileResult {
    const now = Date.now();
    const problem = profileProblem(p.evseId, p.chargingProfile, {
      protocol: this.protocol,
      evseExists: (n) => this.connectors.some((c) => c.evseId === n),
      transactionOn: (n) => this.connectors.find((c) => c.evseId === n)?.session?.transactionId,
      installed: this.extras?.profiles ?? [],
      now,
    });
    if (problem !== undefined) return { status: 'Rejected', statusInfo: { reasonCode: problem } };
    installProfile(
      this.x().profiles,
      { evseId: p.evseId, profile: p.chargingProfile, installedAt: now },
      this.protocol,
    );
    return { status: 'Accepted' };
  }

  clearChargingProfile(p: ClearChargingProfileParams): ClearChargingProfileResult {
    const profiles = this.extras?.profiles;
    let cleared = 0;
    for (let i = (profiles?.length ?? 0) - 1; i >= 0; i--) {
      const { evseId, profile } = profiles![i]!;
      const match =
        p.id !== undefined
          ? profile.id === p.id
          : (p.evseId === undefined || evseId === p.evseId) &&
            (p.chargingProfilePurpose === undefined ||
              profile.chargingProfilePurpose === p.chargingProfilePurpose) &&
            (p.stackLevel === undefined || profile.stackLevel === p.stackLevel);
      if (match) {
        profiles!.splice(i, 1);
        cleared++;
      }
    }
    return { status: cleared > 0 ? 'Accepted' : 'Unknown' };
  }

  getCompositeSchedule(p: GetCompositeScheduleParams): GetCompositeScheduleResult {
    const known = p.evseId === 0 || this.connectors.some((c) => c.evseId === p.evseId);
    const schedule = known
      ? compositeSchedule(
          this.extras?.profiles ?? [],
          p.evseId,
          Date.now(),
          p.duration,
          p.chargingRateUnit,
          this.kind,
        )
      : undefined;
    return schedule === undefined
      ? { status: 'Rejected', statusInfo: { reasonCode: known ? 'NoProfile' : 'UnknownEvse' } }
      : { status: 'Accepted', schedule };
  }

  reserveNow(p: ReserveNowParams): ReserveNowResult {
    const expiresIn = Date.parse(p.expiryDateTime) - Date.now();
    if (!(expiresIn > 0)) return { status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue' } };
    const x = this.x();
    const current = [...x.reservations.values()].find((r) => r.id === p.id);
    const usable = (c: Connector) => {
      const r = x.reservations.get(c.evseId);
      return (
        c.operative && c.pendingOperative !== false && !c.busy && (r === undefined || r === current)
      );
    };
    let c: Connector | undefined;
    if (p.evseId !== undefined && p.evseId > 0) {
      c = this.connectors.find((k) => k.evseId === p.evseId);
      if (c === undefined) return { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
    } else {
      // Any EVSE: the one this reservation already holds, else the first free one.
      c =
        (current === undefined
          ? undefined
          : this.connectors.find((k) => k.evseId === current.evseId && usable(k))) ??
        this.connectors.find(usable) ??
        this.connectors.find((k) => k.operative) ??
        this.connectors[0];
      if (c === undefined) return { status: 'Rejected' };
    }
    if (!c.operative || c.pendingOperative === false) return { status: 'Unavailable' };
    if (!usable(c)) return { status: 'Occupied' };
    // The same id replaces its reservation (possibly on another EVSE).
    if (current !== undefined) {
      x.reservations.delete(current.evseId);
      x.cancel(current.expiry);
      const was = this.connectors.find((k) => k.evseId === current.evseId);
      if (was !== undefined && was !== c) this.reportSoon(was);
    }
    const reservation: Reservation = {
      id: p.id,
      evseId: c.evseId,
      idToken: p.idToken,
      ...(p.groupIdToken === undefined ? {} : { groupIdToken: p.groupIdToken }),
      expiry: { cancelled: false },
    };
    x.reservations.set(c.evseId, reservation);
    const reserved = c;
    void x.wait(expiresIn, reservation.expiry).then((expired) => {
      if (!expired || x.reservations.get(reserved.evseId) !== reservation) return;
      x.reservations.delete(reserved.evseId);
      this.reportSoon(reserved);
    });
    this.reportSoon(c);
    return { status: 'Accepted' };
  }

  cancelReservation(p: CancelReservationParams): AcceptedRejectedResult {
    const x = this.extras;
    const r =
      x === undefined
        ? undefined
        : [...x.reservations.values()].find((v) => v.id === p.reservationId);
    if (x === undefined || r === undefined) return { status: 'Rejected' };
    x.reservations.delete(r.evseId);
    x.cancel(r.expiry);
    const c = this.connectors.find((k) => k.evseId === r.evseId);
    if (c !== undefined) this.reportSoon(c);
    return { status: 'Accepted' };
  }

  sendLocalList(p: SendLocalListParams): SendLocalListResult {
    const entries = p.localAuthorizationList ?? [];
    if (entries.length > SEND_LOCAL_LIST_MAX) return { status: 'Failed' };
    const x = this.x();
    if (p.updateType === 'Differential') {
      if (p.versionNumber <= x.localListVersion) return { status: 'VersionMismatch' };
      const list = new Map(x.localList);
      for (const e of entries) {
        if (e.idTokenInfo === undefined) list.delete(tokenKey(e.idToken));
        else list.set(tokenKey(e.idToken), e);
      }
      if (list.size > LOCAL_LIST_MAX) return { status: 'Failed' };
      x.localList = list;
    } else {
      const list = new Map<string, (typeof entries)[number]>();
      for (const e of entries) if (e.idTokenInfo !== undefined) list.set(tokenKey(e.idToken), e);
      x.localList = list;
    }
    x.localListVersion = p.versionNumber;
    return { status: 'Accepted' };
  }

  getLocalListVersion(): LocalListVersionResult {
    return { versionNumber: this.extras?.localListVersion ?? 0 };
  }
}

/**
 * The answers of every station of a fleet, in one object (the generic API builds its routers
 * once per handlers object): each finds its station by identity and counts the call.
 */
export function fleetHandlers(
  find: (identity: string) => SimStation | undefined,
  metrics: FleetMetrics,
): StationHandlers {
  const on =
    <P, R>(answer: (s: SimStation, params: P) => R, missing: R) =>
    (params: P, context: { identity: string; action: string }): R => {
      metrics.callReceived(context.action);
      const s = find(context.identity);
      return s === undefined ? missing : answer(s, params);
    };
  /** A constant answer, for what the simulator never does; the call is still counted. */
  const fixed =
    <R>(answer: R) =>
    (_params: unknown, context: { action: string }): R => {
      metrics.callReceived(context.action);
      return answer;
    };
  return {
    onRemoteStart: on((s, p: RemoteStartParams) => s.remoteStart(p), { status: 'Rejected' }),
    onRemoteStop: on((s, p: { transactionId: string }) => s.remoteStop(p.transactionId), {
      status: 'Rejected',
    }),
    onReset: on((s, p: ResetParams) => s.reset(p), { status: 'Rejected' }),
    onChangeAvailability: on((s, p: ChangeAvailabilityParams) => s.changeAvailability(p), {
      status: 'Rejected',
    }),
    onGetConfiguration: on((s, p: GetConfigurationParams) => s.getConfiguration(p), {
      values: [],
      unknownKeys: [],
    }),
    onSetConfiguration: on((s, p: SetConfigurationParams) => s.setConfiguration(p), {
      status: 'Rejected',
    }),
    onTriggerMessage: on((s, p: TriggerMessageParams) => s.triggerMessage(p), {
      status: 'Rejected',
    }),
    onUnlockConnector: on((s, p: UnlockConnectorParams) => s.unlockConnector(p), {
      status: 'UnlockFailed',
    }),
    onDataTransfer: on((s, p: DataTransferParams) => s.dataTransfer(p), {
      status: 'UnknownVendorId',
    }),
    onUpdateFirmware: on((s, p: UpdateFirmwareParams) => s.updateFirmware(p), {
      status: 'Rejected',
    }),
    onGetLog: on((s, p: GetLogParams) => s.getLog(p), { status: 'Rejected' }),
    onSetChargingProfile: on((s, p: SetChargingProfileParams) => s.setChargingProfile(p), {
      status: 'Rejected',
    }),
    onClearChargingProfile: on((s, p: ClearChargingProfileParams) => s.clearChargingProfile(p), {
      status: 'Unknown',
    }),
    onGetCompositeSchedule: on((s, p: GetCompositeScheduleParams) => s.getCompositeSchedule(p), {
      status: 'Rejected',
    }),
    onReserveNow: on((s, p: ReserveNowParams) => s.reserveNow(p), { status: 'Rejected' }),
    onCancelReservation: on((s, p: CancelReservationParams) => s.cancelReservation(p), {
      status: 'Rejected',
    }),
    onSendLocalList: on((s, p: SendLocalListParams) => s.sendLocalList(p), { status: 'Failed' }),
    // Both answer from one argument only (the context): count the call the same way.
    onGetLocalListVersion: (context) =>
      on((s, _p: undefined) => s.getLocalListVersion(), { versionNumber: 0 })(undefined, context),
    onSetNetworkProfile: on((s, p: Request21<'SetNetworkProfile'>) => s.setNetworkProfile(p), {
      status: 'Rejected',
    }),
    onGetTransactionStatus: on(
      (s, p: Request21<'GetTransactionStatus'>) => s.getTransactionStatus(p),
      { messagesInQueue: false },
    ),
    onCostUpdated: on((s, p: Request21<'CostUpdated'>) => s.costUpdated(p), {}),
    onGetChargingProfiles: on(
      (s, p: Request21<'GetChargingProfiles'>) => s.getChargingProfiles(p),
      { status: 'NoProfiles' },
    ),
    onCustomerInformation: on(
      (s, p: Request21<'CustomerInformation'>) => s.customerInformation(p),
      { status: 'Rejected' },
    ),
    // A station, not a local controller: it publishes no firmware.
    onPublishFirmware: fixed({ status: 'Rejected' }),
    onUnpublishFirmware: fixed({ status: 'NoFirmware' }),
    // 2.1: no V2X, DER, tariffs, battery swap or priority charging here: refused as the spec
    // allows, never NotSupported.
    onAfrrSignal: fixed({ status: 'Rejected' }),
    onAdjustPeriodicEventStream: fixed({ status: 'Rejected' }),
    onChangeTransactionTariff: fixed({ status: 'Rejected' }),
    onClearDERControl: fixed({ status: 'NotSupported' }),
    onClearTariffs: on(
      (_s, p: Request21<'ClearTariffs'>) => ({
        clearTariffsResult: (p.tariffIds ?? []).map((tariffId) => ({
          tariffId,
          status: 'NoTariff' as const,
        })),
      }),
      { clearTariffsResult: [] },
    ),
    onGetDERControl: fixed({ status: 'NotSupported' }),
    onGetPeriodicEventStream: fixed({}),
    onGetTariffs: fixed({ status: 'NoTariff' }),
    onNotifyAllowedEnergyTransfer: fixed({ status: 'Rejected' }),
    onNotifyWebPaymentStarted: fixed({}),
    onRequestBatterySwap: fixed({ status: 'Rejected' }),
    onSetDERControl: fixed({ status: 'NotSupported' }),
    onSetDefaultTariff: fixed({ status: 'Rejected' }),
    onUpdateDynamicSchedule: fixed({ status: 'Rejected' }),
    onUsePriorityCharging: fixed({ status: 'NoProfile' }),
    // Certificates, in every version (1.6: the security whitepaper).
    onCertificateSigned: on((s, p: CertificateSignedParams) => s.certificateSigned(p), {
      status: 'Rejected',
    }),
    onInstallCertificate: on((s, p: InstallCertificateParams) => s.installCertificate(p), {
      status: 'Rejected',
    }),
    onDeleteCertificate: on((s, p: DeleteCertificateParams) => s.deleteCertificate(p), {
      status: 'NotFound',
    }),
    onGetInstalledCertificateIds: on(
      (s, p: GetInstalledCertificateIdsParams) => s.getInstalledCertificateIds(p),
      { status: 'NotFound' },
    ),
    // 2.x: the device model, display messages, monitoring (a 1.6 station never gets these).
    onGetVariables: on((s, p: Request21<'GetVariables'>) => s.getVariables(p), {
      getVariableResult: [],
    }),
    onSetVariables: on((s, p: Request21<'SetVariables'>) => s.setVariables(p), {
      setVariableResult: [],
    }),
    onGetBaseReport: on((s, p: Request21<'GetBaseReport'>) => s.getBaseReport(p), {
      status: 'Rejected',
    }),
    onGetReport: on((s, p: Request21<'GetReport'>) => s.getReport(p), { status: 'Rejected' }),
    onSetDisplayMessage: on((s, p: Request21<'SetDisplayMessage'>) => s.setDisplayMessage(p), {
      status: 'Rejected',
    }),
    onGetDisplayMessages: on((s, p: Request21<'GetDisplayMessages'>) => s.getDisplayMessages(p), {
      status: 'Unknown',
    }),
    onClearDisplayMessage: on(
      (s, p: Request21<'ClearDisplayMessage'>) => s.clearDisplayMessage(p),
      { status: 'Unknown' },
    ),
    onSetVariableMonitoring: on(
      (s, p: Request21<'SetVariableMonitoring'>) => s.setVariableMonitoring(p),
      { setMonitoringResult: [] },
    ),
    onClearVariableMonitoring: on(
      (s, p: Request21<'ClearVariableMonitoring'>) => s.clearVariableMonitoring(p),
      { clearMonitoringResult: [] },
    ),
    onSetMonitoringLevel: on((s, p: Request21<'SetMonitoringLevel'>) => s.setMonitoringLevel(p), {
      status: 'Rejected',
    }),
    onSetMonitoringBase: on((s, p: Request21<'SetMonitoringBase'>) => s.setMonitoringBase(p), {
      status: 'Rejected',
    }),
    onGetMonitoringReport: on(
      (s, p: Request21<'GetMonitoringReport'>) => s.getMonitoringReport(p),
      { status: 'Rejected' },
    ),
    // The simulator keeps no authorisation cache: there is nothing to clear.
    onClearCache: (context) =>
      on((_s, _p: undefined): AcceptedRejectedResult => ({ status: 'Accepted' }), {
        status: 'Rejected',
      })(undefined, context),
  };
}
