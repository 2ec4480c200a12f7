import type {
  ChargingProfile,
  ChargingSchedulePeriod,
  CompositeSchedule,
  ProtocolVersion,
} from '@ocpp/generic-api';
import type { ChargerKind } from './physics.js';

/** A charging profile a simulated station holds, with the EVSE it was installed on (0 = station). */
export interface InstalledProfile {
  readonly evseId: number;
  readonly profile: ChargingProfile;
  /** When it was installed (the start of an Absolute profile without a start), ms. */
  readonly installedAt: number;
}

/** The limits a simulated station announces (1.6 configuration keys) and enforces. */
export const PROFILE_LIMITS = {
  maxStackLevel: 8,
  maxPeriods: 24,
  maxInstalled: 16,
} as const;

/** What checking a profile needs to know about the station. */
export interface ProfileCheckContext {
  readonly protocol: ProtocolVersion;
  readonly evseExists: (evseId: number) => boolean;
  /** The neutral id of the transaction running on an EVSE. */
  readonly transactionOn: (evseId: number) => string | undefined;
  readonly installed: readonly InstalledProfile[];
  readonly now: number;
}

const DAY = 86_400;
const WEEK = 7 * DAY;

/**
 * Why a station refuses to install `profile` on `evseId` (a 2.x `reasonCode`, at most 20
 * characters), or undefined when it accepts it.
 */
export function profileProblem(
  evseId: number,
  profile: ChargingProfile,
  x: ProfileCheckContext,
): string | undefined {
  if (evseId !== 0 && !x.evseExists(evseId)) return 'UnknownEvse';
  const purpose = profile.chargingProfilePurpose;
  if (purpose === 'ChargingStationExternalConstraints') return 'InvalidProfile';
  if (purpose === 'ChargingStationMaxProfile' && evseId !== 0) return 'InvalidProfile';
  if (purpose === 'TxProfile') {
    if (evseId === 0) return 'InvalidProfile';
    const running = x.transactionOn(evseId);
    if (running === undefined) return 'TxNotFound';
    if (profile.transactionId !== undefined && profile.transactionId !== running)
      return 'TxNotFound';
    if (profile.transactionId === undefined && x.protocol !== 'ocpp1.6') return 'MissingParam';
  }
  if (profile.stackLevel < 0 || profile.stackLevel > PROFILE_LIMITS.maxStackLevel)
    return 'InvalidStackLevel';
  if (profile.validTo !== undefined && Date.parse(profile.validTo) <= x.now) return 'InvalidValue';
  if (profile.chargingSchedule[0] === undefined) return 'InvalidSchedule';
  const recurring = profile.chargingProfileKind === 'Recurring';
  for (const s of profile.chargingSchedule) {
    if (recurring && (profile.recurrencyKind === undefined || s.startSchedule === undefined))
      return 'MissingParam';
    if (s.startSchedule !== undefined && !Number.isFinite(Date.parse(s.startSchedule)))
      return 'InvalidValue';
    const periods = s.chargingSchedulePeriod;
    if (periods.length === 0 || periods.length > PROFILE_LIMITS.maxPeriods)
      return 'InvalidSchedule';
    if (periods[0]!.startPeriod !== 0) return 'InvalidSchedule';
    for (let i = 0; i < periods.length; i++) {
      const p = periods[i]!;
      if (i > 0 && p.startPeriod <= periods[i - 1]!.startPeriod) return 'InvalidSchedule';
      if (p.limit !== undefined && p.limit < 0) return 'InvalidValue';
    }
  }
  // 2.x allows one profile per EVSE, purpose and stack level; 1.6 replaces the older one.
  if (x.protocol !== 'ocpp1.6') {
    const clash = x.installed.find(
      (i) =>
        i.evseId === evseId &&
        i.profile.id !== profile.id &&
        i.profile.chargingProfilePurpose === purpose &&
        i.profile.stackLevel === profile.stackLevel,
    );
    if (clash !== undefined) return 'DuplicateProfile';
  }
  const replaced = x.installed.some((i) => i.profile.id === profile.id);
  if (!replaced && x.installed.length >= PROFILE_LIMITS.maxInstalled) return 'TooManyProfiles';
  return undefined;
}

/** Installs a checked profile: replaces one with the same id (1.6: also the same EVSE, purpose and stack level). */
export function installProfile(
  installed: InstalledProfile[],
  entry: InstalledProfile,
  protocol: ProtocolVersion,
): void {
  const p = entry.profile;
  for (let i = installed.length - 1; i >= 0; i--) {
    const o = installed[i]!;
    const same =
      o.profile.id === p.id ||
      (protocol === 'ocpp1.6' &&
        o.evseId === entry.evseId &&
        o.profile.chargingProfilePurpose === p.chargingProfilePurpose &&
        o.profile.stackLevel === p.stackLevel);
    if (same) installed.splice(i, 1);
  }
  installed.push(entry);
}

/** A limit in one unit, converted for a charger. */
function convert(
  limit: number,
  from: 'A' | 'W',
  to: 'A' | 'W',
  kind: ChargerKind,
  phases?: number,
): number {
  if (from === to) return limit;
  const volts = kind.nominalVoltage * (kind.phases === 0 ? 1 : (phases ?? kind.phases));
  return from === 'A' ? limit * volts : limit / volts;
}

/** Where a profile's schedule starts for the instant `t` (ms), or undefined when not in force. */
function scheduleStart(entry: InstalledProfile, t: number, txStart: number | undefined) {
  const p = entry.profile;
  const s = p.chargingSchedule[0]!;
  if (p.validFrom !== undefined && t < Date.parse(p.validFrom)) return undefined;
  if (p.validTo !== undefined && t >= Date.parse(p.validTo)) return undefined;
  switch (p.chargingProfileKind) {
    case 'Relative':
      return txStart ?? entry.installedAt;
    case 'Absolute':
      return s.startSchedule === undefined ? entry.installedAt : Date.parse(s.startSchedule);
    case 'Recurring': {
      const first = Date.parse(s.startSchedule!);
      const every = (p.recurrencyKind === 'Weekly' ? WEEK : DAY) * 1000;
      return first + Math.floor((t - first) / every) * every;
    }
  }
}

/** The limit a profile sets at `t` (ms) in its own unit, or undefined when it sets none then. */
function limitOf(
  entry: InstalledProfile,
  t: number,
  txStart: number | undefined,
): { limit: number; unit: 'A' | 'W'; phases?: number } | undefined {
  const start = scheduleStart(entry, t, txStart);
  if (start === undefined) return undefined;
  const s = entry.profile.chargingSchedule[0]!;
  const offset = (t - start) / 1000;
  const recurring = entry.profile.chargingProfileKind === 'Recurring';
  const length =
    s.duration ??
    (recurring ? (entry.profile.recurrencyKind === 'Weekly' ? WEEK : DAY) : undefined);
  if (offset < 0 || (length !== undefined && offset >= length)) return undefined;
  let period: ChargingSchedulePeriod | undefined;
  for (const p of s.chargingSchedulePeriod) if (p.startPeriod <= offset) period = p;
  if (period?.limit === undefined) return undefined;
  return {
    limit: period.limit,
    unit: s.chargingRateUnit,
    ...(period.numberPhases === undefined ? {} : { phases: period.numberPhases }),
  };
}

/** The highest stack level among `entries` that sets a limit at `t`, converted to `unit`. */
function stackLimit(
  entries: readonly InstalledProfile[],
  t: number,
  unit: 'A' | 'W',
  kind: ChargerKind,
  txStart: number | undefined,
): number | undefined {
  let best: { level: number; value: number } | undefined;
  for (const e of entries) {
    if (best !== undefined && e.profile.stackLevel <= best.level) continue;
    const l = limitOf(e, t, txStart);
    if (l === undefined) continue;
    best = { level: e.profile.stackLevel, value: convert(l.limit, l.unit, unit, kind, l.phases) };
  }
  return best?.value;
}

/** The profiles that bear on an EVSE (0: the station's own). */
export function profilesFor(installed: readonly InstalledProfile[], evseId: number) {
  return installed.filter(
    (i) =>
      i.profile.chargingProfilePurpose === 'ChargingStationMaxProfile' ||
      i.evseId === evseId ||
      (i.evseId === 0 && evseId !== 0),
  );
}

/**
 * The limit in force on an EVSE at `t`, in `unit`: the lower of the station maximum and the
 * transaction's own limit (its TxProfile, else the EVSE's TxDefaultProfile, else the station-wide
 * TxDefaultProfile). Undefined when no profile limits it.
 */
export function limitAt(
  installed: readonly InstalledProfile[],
  evseId: number,
  t: number,
  unit: 'A' | 'W',
  kind: ChargerKind,
  txStart?: number,
): number | undefined {
  const of = (purpose: ChargingProfile['chargingProfilePurpose'], evse: number) =>
    installed.filter((i) => i.evseId === evse && i.profile.chargingProfilePurpose === purpose);
  const max = stackLimit(of('ChargingStationMaxProfile', 0), t, unit, kind, txStart);
  let tx: number | undefined;
  if (evseId !== 0) {
    tx =
      stackLimit(of('TxProfile', evseId), t, unit, kind, txStart) ??
      stackLimit(of('TxDefaultProfile', evseId), t, unit, kind, txStart) ??
      stackLimit(of('TxDefaultProfile', 0), t, unit, kind, txStart);
  }
  if (max === undefined) return tx;
  return tx === undefined ? max : Math.min(max, tx);
}

/** Instants (ms) in [from, to) where a profile's limit may change. */
function changesOf(entry: InstalledProfile, from: number, to: number, txStart?: number): number[] {
  const p = entry.profile;
  const s = p.chargingSchedule[0]!;
  const out: number[] = [];
  const edges = (start: number) => {
    for (const period of s.chargingSchedulePeriod) out.push(start + period.startPeriod * 1000);
    if (s.duration !== undefined) out.push(start + s.duration * 1000);
  };
  if (p.validFrom !== undefined) out.push(Date.parse(p.validFrom));
  if (p.validTo !== undefined) out.push(Date.parse(p.validTo));
  if (p.chargingProfileKind === 'Recurring') {
    const every = (p.recurrencyKind === 'Weekly' ? WEEK : DAY) * 1000;
    const first = Date.parse(s.startSchedule!);
    let start = first + Math.floor((from - first) / every) * every;
    for (; start < to; start += every) edges(start);
  } else {
    const start = scheduleStart(entry, from, txStart) ?? scheduleStart(entry, to - 1, txStart);
    if (start !== undefined) edges(start);
  }
  return out.filter((t) => t > from && t < to);
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * The schedule an EVSE will follow for `duration` seconds from `now`, from the profiles that bear
 * on it; stretches no profile limits run at the charger's maximum. Undefined when no profile bears
 * on the EVSE at all.
 */
export function compositeSchedule(
  installed: readonly InstalledProfile[],
  evseId: number,
  now: number,
  duration: number,
  wanted: 'A' | 'W' | undefined,
  kind: ChargerKind,
  txStart?: number,
): CompositeSchedule | undefined {
  const relevant = profilesFor(installed, evseId);
  if (relevant.length === 0) return undefined;
  const unit = wanted ?? relevant[0]!.profile.chargingSchedule[0]!.chargingRateUnit;
  const to = now + duration * 1000;
  const times = new Set<number>([now]);
  for (const e of relevant) for (const t of changesOf(e, now, to, txStart)) times.add(t);
  const hardware = convert(kind.maxPowerW, 'W', unit, kind);
  const periods: ChargingSchedulePeriod[] = [];
  for (const t of [...times].sort((a, b) => a - b)) {
    const limit = round1(
      Math.min(hardware, limitAt(relevant, evseId, t, unit, kind, txStart) ?? hardware),
    );
    const startPeriod = Math.round((t - now) / 1000);
    if (periods.at(-1)?.startPeriod === startPeriod) periods.pop();
    if (periods.at(-1)?.limit === limit) continue;
    periods.push({ startPeriod, limit });
  }
  return {
    evseId,
    duration,
    scheduleStart: new Date(now).toISOString(),
    chargingRateUnit: unit,
    chargingSchedulePeriod: periods,
  };
}
