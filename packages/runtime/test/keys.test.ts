import { describe, expect, expectTypeOf, it } from 'vitest';
import { isOcppSdkError } from '../src/errors.js';
import {
  type KeyTable,
  type SnakeCased,
  type SnakeKey,
  snakeKey,
  toCamelCase,
  toSnakeCase,
} from '../src/keys.js';

const custom: KeyTable = { vendorId: ['vendor_id'] };
const sampled: KeyTable = {
  measurand: ['measurand'],
  unitOfMeasure: ['unit_of_measure'],
  customData: ['custom_data', custom],
};
const root: KeyTable = {
  evseId: ['evse_id'],
  meterValue: ['meter_value', sampled],
  data: ['data'],
  customData: ['custom_data', custom],
};

/**
 * The Python `ocpp` library's `camel_to_snake_case` (mobilityhouse/ocpp 2.x,
 * `ocpp/charge_point.py`) for one key, transcribed: its replacements and its two regular
 * expressions, which mean the same in JavaScript for the characters used here.
 */
function pythonSnake(key: string): string {
  const k = key
    .replaceAll('ocppCSMSURL', 'ocpp_csms_url')
    .replaceAll('V2X', '_v2x')
    .replaceAll('V2G', '_v2g');
  const s1 = k.replace(/(.)([A-Z][a-z]+)/g, '$1_$2');
  return s1.replace(/([a-z0-9])([A-Z])(?=\S)/g, '$1_$2').toLowerCase();
}

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('key mapping', () => {
  const wire = {
    evseId: 1,
    meterValue: [
      {
        measurand: 'Voltage',
        unitOfMeasure: 'V',
        customData: { vendorId: 'acme', acmeSerialNo: 'X1' },
      },
    ],
    data: { keepMe: { camelCase: true } },
    customData: { vendorId: 'acme', someVendorKey: 3 },
  };
  const snake = {
    evse_id: 1,
    meter_value: [
      {
        measurand: 'Voltage',
        unit_of_measure: 'V',
        custom_data: { vendor_id: 'acme', acmeSerialNo: 'X1' },
      },
    ],
    data: { keepMe: { camelCase: true } },
    custom_data: { vendor_id: 'acme', someVendorKey: 3 },
  };

  it('renames known keys, through arrays, and leaves vendor keys and free-form data alone', () => {
    expect(toSnakeCase(root, wire)).toEqual(snake);
  });

  it('round-trips exactly', () => {
    expect(toCamelCase(root, toSnakeCase(root, wire))).toEqual(wire);
    expect(toSnakeCase(root, toCamelCase(root, snake))).toEqual(snake);
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(wire);
    toSnakeCase(root, wire);
    expect(wire).toEqual(copy);
  });

  it('keeps a "__proto__" key as a key, without touching the prototype', () => {
    const input = JSON.parse('{"evseId": 1, "__proto__": {"polluted": true}}');
    const out = toSnakeCase(root, input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['evse_id', '__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('key collisions are refused with KEY_COLLISION, naming both keys', () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(isOcppSdkError(e)).toBe(true);
      return e as { code: string; message: string };
    }
    throw new Error('no error');
  };

  it('a vendor key beside the key that becomes it (toSnakeCase)', () => {
    const e = refusal(() =>
      toSnakeCase(root, { customData: { vendorId: 'acme', vendor_id: 'other' } }),
    );
    expect(e.code).toBe('KEY_COLLISION');
    expect(e.message).toBe(
      'toSnakeCase: keys "vendorId" and "vendor_id" of /customData both become "vendor_id"',
    );
  });

  it('in either order, at any depth, in arrays (toCamelCase)', () => {
    const e = refusal(() =>
      toCamelCase(root, {
        meter_value: [{}, { custom_data: { vendorId: 'x', vendor_id: 'acme' } }],
      }),
    );
    expect(e.message).toBe(
      'toCamelCase: keys "vendorId" and "vendor_id" of /meter_value/1/custom_data both become "vendorId"',
    );
  });

  it('at the top level', () => {
    expect(refusal(() => toSnakeCase(root, { evse_id: 1, evseId: 2 })).message).toBe(
      'toSnakeCase: keys "evse_id" and "evseId" of the payload both become "evse_id"',
    );
  });

  it('a hand-made table that maps two keys to one name', () => {
    const bad: KeyTable = { fullSoC: ['full_soc'], fullSoc: ['full_soc'] };
    expect(toSnakeCase(bad, { fullSoC: 1 })).toEqual({ full_soc: 1 });
    expect(refusal(() => toCamelCase(bad, { full_soc: 1 })).message).toBe(
      'key table: keys "fullSoC" and "fullSoc" of the payload both become "full_soc"',
    );
  });
});

describe('snakeKey: the Python ocpp library names', () => {
  it.each([
    // mobilityhouse/ocpp tests/test_charge_point.py, test_camel_to_snake_case
    ['transactionId', 'transaction_id'],
    ['fullSoC', 'full_soc'],
    ['responderURL', 'responder_url'],
    ['url', 'url'],
    ['ocppCSMSURL', 'ocpp_csms_url'],
    ['CSMSRootCertificate', 'csms_root_certificate'],
    ['InvalidURL', 'invalid_url'],
    ['evMinV2XEnergyRequest', 'ev_min_v2x_energy_request'],
    ['v2xChargingCtrlr', 'v2x_charging_ctrlr'],
    ['webSocketPingInterval', 'web_socket_ping_interval'],
    ['signV2GCertificate', 'sign_v2g_certificate'],
    ['v2gCertificateInstallationEnabled', 'v2g_certificate_installation_enabled'],
    // keys of the official schemas
    ['evseId', 'evse_id'],
    ['iso15118CertificateHashData', 'iso15118_certificate_hash_data'],
    ['limit_L2', 'limit_l2'],
    ['maxDischargeReactivePower_L3', 'max_discharge_reactive_power_l3'],
    ['soC', 'soc'],
    ['taxRuleID', 'tax_rule_id'],
    ['fixedPFAbsorb', 'fixed_pf_absorb'],
    ['evMaximumLevel1DCInjection', 'ev_maximum_level1_dc_injection'],
    ['prioritizedEMAIDs', 'prioritized_emai_ds'],
  ])('%s → %s', (camel, want) => {
    expect(snakeKey(camel)).toBe(want);
    expect(pythonSnake(camel)).toBe(want);
  });

  it('agrees with the transcribed Python function on 20 000 random keys', () => {
    const random = prng(20240601);
    const alphabet = 'aAbBzZ0_9VXG';
    const differ: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      let key = '';
      const length = 1 + Math.floor(random() * 12);
      for (let i = 0; i < length; i++) key += alphabet[Math.floor(random() * alphabet.length)];
      if (random() < 0.1) key += ['ocppCSMSURL', 'V2X', 'V2G', 'SoC', 'URL'][n % 5];
      if (snakeKey(key) !== pythonSnake(key)) differ.push(key);
    }
    expect(differ).toEqual([]);
  });

  it('SnakeKey types what snakeKey computes', () => {
    expectTypeOf<SnakeKey<'evseId'>>().toEqualTypeOf<'evse_id'>();
    expectTypeOf<SnakeKey<'fullSoC'>>().toEqualTypeOf<'full_soc'>();
    expectTypeOf<SnakeKey<'responderURL'>>().toEqualTypeOf<'responder_url'>();
    expectTypeOf<SnakeKey<'limit_L2'>>().toEqualTypeOf<'limit_l2'>();
    expectTypeOf<SnakeKey<'ocppCSMSURL'>>().toEqualTypeOf<'ocpp_csms_url'>();
    expectTypeOf<SnakeKey<'evMinV2XEnergyRequest'>>().toEqualTypeOf<'ev_min_v2x_energy_request'>();
    expectTypeOf<SnakeKey<'CSMSRootCertificate'>>().toEqualTypeOf<'csms_root_certificate'>();
    expectTypeOf<SnakeKey<'prioritizedEMAIDs'>>().toEqualTypeOf<'prioritized_emai_ds'>();
    expectTypeOf<SnakeKey<'a' | 'bC'>>().toEqualTypeOf<'a' | 'bc'>();
    expectTypeOf<SnakeKey<string>>().toEqualTypeOf<string>();
  });
});

describe('typed results', () => {
  interface Sampled {
    measurand?: string;
    unitOfMeasure?: string;
    customData?: { vendorId: string; [key: string]: unknown };
  }
  interface Root {
    evseId: number;
    meterValue: Sampled[];
    data?: unknown;
  }

  it('SnakeCased renames through arrays and nested objects and keeps index signatures', () => {
    expectTypeOf<
      SnakeCased<{ iso15118CertificateHashData: { evseId: number; fullSoC?: number }[] }>
    >().toEqualTypeOf<{
      iso15118_certificate_hash_data: { evse_id: number; full_soc?: number }[];
    }>();
    expectTypeOf<SnakeCased<Root>>().toEqualTypeOf<{
      evse_id: number;
      meter_value: {
        measurand?: string;
        unit_of_measure?: string;
        custom_data?: { vendor_id: string; [key: string]: unknown };
      }[];
      data?: unknown;
    }>();
  });

  it('toSnakeCase returns SnakeCased<T>; toCamelCase returns T when given T, else unknown', () => {
    const value: Root = { evseId: 1, meterValue: [{ unitOfMeasure: 'V' }] };
    const snake = toSnakeCase(root, value);
    expectTypeOf(snake).toEqualTypeOf<SnakeCased<Root>>();
    expect(snake.meter_value[0]?.unit_of_measure).toBe('V');
    expectTypeOf(toCamelCase<Root>(root, snake)).toEqualTypeOf<Root>();
    expectTypeOf(toCamelCase(root, snake)).toEqualTypeOf<unknown>();
    // @ts-expect-error a camelCase value is not the snake_case form of Root
    toCamelCase<Root>(root, value);
  });
});
