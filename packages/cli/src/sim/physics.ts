import type { MeterValue, ReadingContext, SampledValue } from '@ocpp/generic-api';

/** A charger type: how much power it gives and how it is wired. */
export interface ChargerKind {
  readonly model: string;
  readonly maxPowerW: number;
  /** 1 or 3 for AC; 0 for DC. */
  readonly phases: 0 | 1 | 3;
  readonly nominalVoltage: number;
}

/** The chargers a fleet is made of, picked by station number. */
export const CHARGER_KINDS: readonly ChargerKind[] = [
  { model: 'Sim AC 11 kW', maxPowerW: 11_000, phases: 3, nominalVoltage: 230 },
  { model: 'Sim AC 7.4 kW', maxPowerW: 7_400, phases: 1, nominalVoltage: 230 },
  { model: 'Sim AC 22 kW', maxPowerW: 22_000, phases: 3, nominalVoltage: 230 },
  { model: 'Sim DC 50 kW', maxPowerW: 50_000, phases: 0, nominalVoltage: 400 },
];

/** A small deterministic generator, so a run is reproducible from its station numbers. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * The electrical state of one charging session: an EV battery filling up at the charger's
 * power, tapering above 80 % state of charge, with the voltage and current that power implies.
 * The energy register belongs to the connector and only ever rises.
 */
export class ChargingSession {
  /** Energy delivered in this session, Wh. */
  energyWh = 0;
  /** State of charge of the EV, percent. */
  soc: number;
  powerW = 0;
  private readonly capacityWh: number;
  private lastSample: number;

  constructor(
    private readonly kind: ChargerKind,
    /** The connector's register at the start, Wh. */
    readonly registerStartWh: number,
    private readonly random: () => number,
    now: number,
  ) {
    this.capacityWh = 40_000 + Math.floor(random() * 5) * 10_000;
    this.soc = 15 + random() * 45;
    this.lastSample = now;
  }

  /** The connector's energy register now, Wh. */
  get registerWh(): number {
    return this.registerStartWh + this.energyWh;
  }

  /**
   * Advances the session to `now` (milliseconds), charging meanwhile at the power the EV takes,
   * held under `limitW` (a charging profile's limit) when given.
   */
  advance(now: number, limitW?: number): void {
    const hours = Math.max(0, now - this.lastSample) / 3_600_000;
    this.lastSample = now;
    const taper = this.soc < 80 ? 1 : Math.max(0.08, (100 - this.soc) / 20);
    const noise = 0.97 + this.random() * 0.04;
    const takes = this.kind.maxPowerW * taper * noise;
    this.powerW = this.soc >= 100 ? 0 : Math.min(takes, limitW ?? takes);
    const wh = this.powerW * hours;
    this.energyWh += wh;
    this.soc = Math.min(100, this.soc + (wh / this.capacityWh) * 100);
  }

  /** One meter value with the register, power, current, voltage and SoC. */
  sample(context: ReadingContext, timestamp: string): MeterValue {
    const k = this.kind;
    const voltage = k.nominalVoltage * (0.985 + this.random() * 0.03);
    const current = this.powerW / (voltage * (k.phases === 0 ? 1 : k.phases));
    const sampledValue: SampledValue[] = [
      {
        value: round(this.registerWh, 1),
        measurand: 'Energy.Active.Import.Register',
        unit: 'Wh',
        context,
        location: 'Outlet',
      },
    ];
    if (context !== 'Transaction.Begin' && context !== 'Transaction.End') {
      sampledValue.push(
        { value: round(this.powerW, 0), measurand: 'Power.Active.Import', unit: 'W', context },
        {
          value: round(current, 2),
          measurand: 'Current.Import',
          unit: 'A',
          context,
          ...(k.phases === 0 ? {} : { phase: 'L1' as const }),
        },
        {
          value: round(voltage, 1),
          measurand: 'Voltage',
          unit: 'V',
          context,
          ...(k.phases === 0 ? {} : { phase: 'L1-N' as const }),
        },
        { value: Math.floor(this.soc), measurand: 'SoC', unit: 'Percent', context, location: 'EV' },
      );
    }
    return { timestamp, sampledValue };
  }
}
