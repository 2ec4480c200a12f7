import {
  type ChangeAvailabilityParams,
  createGenericStation,
  type DataTransferParams,
  type DataTransferResult,
  type GenericStation,
  type GetConfigurationParams,
  type GetConfigurationResult,
  type IdToken,
  type ProtocolVersion,
  type RemoteStartParams,
  type RemoteStartResult,
  type ResetParams,
  type ScheduledResult,
  type SetConfigurationParams,
  type SetConfigurationResult,
  type StationHandlers,
  type StationTransaction,
  type StopReason,
  type TriggerMessageParams,
  type TriggerMessageResult,
  type UnlockConnectorParams,
  type UnlockConnectorResult,
} from '@ocpp/generic-api';
import { silentLogger } from '@ocpp/rpc';
import { isOcppCallError, isOcppSdkError } from '@ocpp/runtime';
import type { Transport } from '@ocpp/transport';
import { createWsClient } from '@ocpp/transport-ws';
import type { Secret } from '../cli/files.js';
import type { FleetMetrics } from '../metrics/fleet-metrics.js';
import { describeConnectError } from './connect-errors.js';
import { CHARGER_KINDS, type ChargerKind, ChargingSession, seededRandom } from './physics.js';

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
  readonly connectAttempts: number;
  readonly secretFor: (identity: string) => Secret | undefined;
  readonly tls: {
    readonly ca?: Buffer;
    readonly cert?: Buffer;
    readonly key?: Buffer;
    readonly rejectUnauthorized: boolean;
  };
  /** Builds the transport of a station (a WebSocket client; a test may substitute another). */
  readonly transport?: (station: SimStation) => Transport;
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
  readonly charge: ChargingSession;
  stopReason: StopReason | undefined;
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
}

class SessionFailed extends Error {}

/** How often a stop is sent before the session counts as failed (each after a reconnect). */
const STOP_ATTEMPTS = 5;
/** How long a stop waits for the station to be connected again. */
const RECONNECT_WAIT_MS = 60_000;

const WIRE = {
  'ocpp1.6': { start: 'StartTransaction', update: 'MeterValues', stop: 'StopTransaction' },
  'ocpp2.0.1': { start: 'TransactionEvent', update: 'TransactionEvent', stop: 'TransactionEvent' },
  'ocpp2.1': { start: 'TransactionEvent', update: 'TransactionEvent', stop: 'TransactionEvent' },
} as const;

const iso = () => new Date().toISOString();
const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * One simulated charging station: connects, boots, reports every connector, sends heartbeats at
 * the interval the CSMS gave, runs charging sessions (authorize, start, rising meter values,
 * stop) and answers the CSMS's remote start/stop, reset, availability, configuration, trigger,
 * unlock and data transfer. Speaks one version through the generic API.
 */
export class SimStation {
  readonly kind: ChargerKind;
  readonly idToken: IdToken;
  private readonly random: () => number;
  private readonly connectors: Connector[] = [];
  private readonly config = new Map<string, { value: string; readonly: boolean }>();
  private station: GenericStation | undefined;
  /** Open transactions of the last connection, carried on to the next one. */
  private carried: StationTransaction[] = [];
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatSeconds = 300;
  private readonly sleeps = new Set<() => void>();
  private closingByUs = false;
  private resetting = false;
  private done = false;
  private everBooted = false;
  private connected = false;
  private sessionsBegun = 0;
  private loops = 0;

  constructor(
    readonly index: number,
    readonly identity: string,
    readonly protocol: ProtocolVersion,
    private readonly fleet: FleetContext,
  ) {
    this.random = seededRandom(index * 7919 + 17);
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
      });
    }
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
      value: 'Core,RemoteTrigger',
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
   * Connects and boots, retrying failed attempts (1 s, 2 s, 4 s apart) up to the fleet's limit.
   * Resolves with the reason of the last failure, or undefined once booted.
   */
  async connect(reason: 'PowerUp' | 'RemoteReset' = 'PowerUp'): Promise<string | undefined> {
    const attempts = this.fleet.settings.connectAttempts;
    let last: string | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (this.fleet.stopping) return last ?? 'run ended';
      const station = createGenericStation({
        protocol: this.protocol,
        identity: this.identity,
        transport: this.makeTransport(),
        handlers: this.fleet.handlers,
        session: { callTimeoutMs: this.fleet.settings.callTimeoutMs, logger: silentLogger },
        // Sessions that were running when the connection dropped go on, and end, on this one.
        transactions: this.carried,
      });
      try {
        await station.start();
      } catch (e) {
        last = describeConnectError(e, this.protocol);
        this.fleet.metrics.connectFailed(this.index, last);
        this.fleet.connectFailed(this, last, attempt);
        if (attempt < attempts) await this.sleep(1000 * 2 ** (attempt - 1));
        continue;
      }
      this.station = station;
      this.closingByUs = false;
      station.session.on('close', () => this.onClosed(station));
      try {
        await this.boot(station, reason);
        return undefined;
      } catch (e) {
        last = `boot failed: ${describeConnectError(e, this.protocol)}`;
        this.fleet.metrics.connectFailed(this.index, last);
        this.closingByUs = true;
        await station.close(1000, 'boot failed').catch(() => {});
        if (attempt < attempts) await this.sleep(1000 * 2 ** (attempt - 1));
      }
    }
    if (!this.everBooted) this.finish();
    return last;
  }

  private onClosed(station: GenericStation): void {
    if (this.station !== station) return;
    const wasConnected = this.connected;
    this.connected = false;
    this.station = undefined;
    this.carried = [...station.transactions.values()];
    this.stopHeartbeats();
    if (wasConnected) this.fleet.metrics.stationDisconnected();
    for (const c of this.connectors) c.wake?.();
    if (!this.closingByUs && !this.fleet.stopping && !this.resetting) {
      // The CSMS dropped us: come back as a real station would, after a short pause.
      void this.sleep(1000 + Math.floor(this.random() * 2000)).then(() => {
        if (!this.fleet.stopping && this.station === undefined) void this.connect();
      });
    }
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
        this.heartbeatSeconds =
          this.fleet.settings.heartbeatIntervalSeconds ??
          (result.interval > 0 ? result.interval : 300);
        this.config.set('HeartbeatInterval', {
          value: String(this.heartbeatSeconds),
          readonly: false,
        });
        break;
      }
      // Pending or Rejected: ask again after the interval the CSMS gave (at least a second).
      await this.sleep(Math.max(1, result.interval) * 1000);
      if (this.fleet.stopping || this.station !== station) throw new Error('run ended before boot');
    }
    this.connected = true;
    this.everBooted = true;
    this.fleet.metrics.stationConnected(this.index, this.protocol);
    for (const c of this.connectors) await this.sendStatus(c, this.phaseOf(c));
    this.scheduleHeartbeat();
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
      if (c.session !== undefined) c.session.stopReason ??= 'Local';
      c.wake?.();
    }
    for (const wake of this.sleeps) wake();
  }

  /** Stops sessions (reason Local), waits for their StopTransaction, then closes for good. */
  async shutdown(): Promise<void> {
    this.requestStop();
    const deadline = Date.now() + 15_000;
    while (this.connectors.some((c) => c.busy) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.stopHeartbeats();
    const station = this.station;
    this.closingByUs = true;
    if (station !== undefined) await station.close(1000, 'simulation ended').catch(() => {});
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
    m.callSent(action);
    const t0 = performance.now();
    try {
      const result = await call();
      m.callAnswered(action, performance.now() - t0);
      return result;
    } catch (e) {
      if (isOcppCallError(e)) m.callError(action, e.code, performance.now() - t0);
      else
        m.callFailed(
          `${action}: ${isOcppSdkError(e) ? e.code : e instanceof Error ? e.message : String(e)}`,
        );
      throw e;
    }
  }

  /**
   * The station once it is connected (and booted) again, for a message that must not be lost;
   * fails when the run ends first or after {@link RECONNECT_WAIT_MS}.
   */
  private async whenLive(): Promise<GenericStation> {
    const deadline = Date.now() + RECONNECT_WAIT_MS;
    for (;;) {
      const s = this.station;
      if (s !== undefined && this.connected) return s;
      if (this.fleet.stopping || Date.now() >= deadline) throw new SessionFailed('not connected');
      await this.sleep(250);
    }
  }

  private live(): GenericStation {
    const s = this.station;
    if (s === undefined || !this.connected) throw new SessionFailed('not connected');
    return s;
  }

  /** Reports a connector; `phase` picks the 1.6 status of a session (Preparing, Charging, Finishing). */
  private async sendStatus(
    c: Connector,
    phase?: 'Preparing' | 'Charging' | 'Finishing',
  ): Promise<void> {
    const station = this.live();
    const idle = c.operative ? 'Available' : 'Unavailable';
    await this.track('StatusNotification', () =>
      station.statusNotification({
        evseId: c.evseId,
        connectorId: 1,
        status: phase === undefined ? idle : 'Occupied',
        ...(this.protocol === 'ocpp1.6'
          ? { chargePointStatus: phase ?? idle, errorCode: 'NoError' as const }
          : {}),
      }),
    );
  }

  /** Where a connector's session is, for a status report outside the session's own flow. */
  private phaseOf(c: Connector): 'Preparing' | 'Charging' | undefined {
    if (c.session === undefined) return undefined;
    return c.session.transactionId === undefined ? 'Preparing' : 'Charging';
  }

  private scheduleHeartbeat(): void {
    this.stopHeartbeats();
    if (this.fleet.stopping || !this.connected) return;
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
      while (!this.fleet.stopping && this.quotaLeft()) {
        if (!this.connected || c.busy || !c.operative) {
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
        // Wait for remote-started sessions too before calling it done.
        while (this.connectors.some((x) => x.busy) && !this.fleet.stopping) await this.sleep(100);
        this.finish();
      }
    }
  }

  private async runSession(
    c: Connector,
    remote: { idToken: IdToken; remoteStartId?: number } | undefined,
  ): Promise<void> {
    const m = this.fleet.metrics;
    const s = this.fleet.settings;
    const wire = WIRE[this.protocol];
    m.sessionsStarted++;
    c.busy = true;
    let completed = false;
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
      const started = await this.track(wire.start, () =>
        starter.startTransaction({
          evseId: c.evseId,
          connectorId: 1,
          idToken,
          meterStart: Math.round(c.registerWh),
          triggerReason: remote === undefined ? 'Authorized' : 'RemoteStart',
          chargingState: 'Charging',
          ...(remote?.remoteStartId === undefined ? {} : { remoteStartId: remote.remoteStartId }),
        }),
      );
      session.transactionId = started.transactionId;
      if (started.idTokenInfo !== undefined && started.idTokenInfo.status !== 'Accepted') {
        session.stopReason = 'DeAuthorized';
      }
      await this.sendStatus(c, 'Charging');
      const endAt = Date.now() + s.sessionSeconds * 1000;
      // Samples are due on a fixed clock (start + k × interval), as a meter's are: a slow answer
      // does not stretch the interval.
      let due = Date.now();
      while (session.stopReason === undefined && !this.fleet.stopping) {
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
        charge.advance(Date.now());
        // Offline, the car charges on; this sample is not sent (the stop carries the register).
        if (!this.connected) continue;
        const station = this.live();
        try {
          await this.track(wire.update, () =>
            station.updateTransaction({
              transactionId: started.transactionId,
              meterValue: [charge.sample('Sample.Periodic', iso())],
              triggerReason: 'MeterValuePeriodic',
              chargingState: 'Charging',
            }),
          );
        } catch (e) {
          // The connection went while the sample was out: charge on. A CALLERROR ends the session.
          if (isOcppCallError(e) || this.connected) throw e;
        }
      }
      charge.advance(Date.now());
      const reason = session.stopReason ?? 'Local';
      session.stopReason = reason;
      // The stop must reach the CSMS: after a dropped connection it goes out on the next one.
      for (let attempt = 1; ; attempt++) {
        const stopper = await this.whenLive();
        try {
          await this.track(wire.stop, () =>
            stopper.stopTransaction({
              transactionId: started.transactionId,
              meterStop: Math.round(charge.registerWh),
              stoppedReason: reason,
              idToken,
              meterValue: [charge.sample('Transaction.End', iso())],
            }),
          );
          break;
        } catch (e) {
          if (isOcppCallError(e) || attempt === STOP_ATTEMPTS) throw e;
        }
      }
      c.registerWh = round1(charge.registerWh);
      m.energyWh += charge.energyWh;
      // The transaction is over at the CSMS: the session counts as completed even if the
      // connection drops before the connector is reported free again.
      m.sessionsCompleted++;
      completed = true;
      c.session = undefined;
      if (c.pendingOperative !== undefined) {
        c.operative = c.pendingOperative;
        c.pendingOperative = undefined;
      }
      if (this.protocol === 'ocpp1.6') await this.sendStatus(c, 'Finishing');
      await this.sendStatus(c);
    } catch {
      if (!completed) m.sessionsFailed++;
    } finally {
      c.session = undefined;
      c.busy = false;
      c.wake = undefined;
    }
  }

  // ---- answers to the CSMS ----

  remoteStart(params: RemoteStartParams): RemoteStartResult {
    const c =
      params.evseId !== undefined && params.evseId > 0
        ? this.connectors.find((x) => x.evseId === params.evseId)
        : this.connectors.find((x) => !x.busy && x.operative);
    if (c === undefined || c.busy || !c.operative || !this.connected) return { status: 'Rejected' };
    c.busy = true; // reserved until the session runs
    this.fleet.metrics.remoteStarts++;
    // Start after the answer is on its way (runSession marks the connector busy again at once).
    setImmediate(() => {
      c.busy = false;
      if (!this.connected || this.fleet.stopping) return;
      void this.runSession(c, {
        idToken: params.idToken,
        ...(params.remoteStartId === undefined ? {} : { remoteStartId: params.remoteStartId }),
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
      while (this.connectors.some((c) => c.busy) && Date.now() < deadline && !this.fleet.stopping) {
        await this.sleep(50);
      }
      const station = this.station;
      this.closingByUs = true;
      this.stopHeartbeats();
      if (station !== undefined) await station.close(1000, 'reset').catch(() => {});
      if (this.fleet.stopping) return;
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
          if (this.connected) this.sendStatus(c, this.phaseOf(c)).catch(() => {});
        });
      }
    }
    return { status: scheduled ? 'Scheduled' : 'Accepted' };
  }

  getConfiguration(params: GetConfigurationParams): GetConfigurationResult {
    const keys =
      params.keys === undefined || params.keys.length === 0 ? [...this.config.keys()] : params.keys;
    const values: { key: string; value: string; readonly: boolean }[] = [];
    const unknownKeys: string[] = [];
    for (const key of keys) {
      const entry = this.config.get(key);
      if (entry === undefined) unknownKeys.push(key);
      else values.push({ key, value: entry.value, readonly: entry.readonly });
    }
    return { values, unknownKeys };
  }

  setConfiguration(params: SetConfigurationParams): SetConfigurationResult {
    const entry = this.config.get(params.key);
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
          for (const c of targets) await this.sendStatus(c, this.phaseOf(c));
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
      default:
        return { status: 'NotImplemented' };
    }
    setImmediate(() => {
      send?.().catch(() => {});
    });
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
  };
}
