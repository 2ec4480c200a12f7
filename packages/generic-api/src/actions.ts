import type { ProtocolVersion } from './model.js';
import { type CsmsOperations, csms16, csms21, csms201 } from './tables/csms.js';
import { type StationOperations, station16, station21, station201 } from './tables/station.js';

/** A neutral operation a station sends (`boot`, `startTransaction`, ...). */
export type StationOperation = keyof StationOperations;

/** A neutral operation a CSMS sends (`remoteStart`, `reset`, ...). */
export type CsmsOperation = keyof CsmsOperations;

const CODECS = {
  'ocpp1.6': [station16, csms16],
  'ocpp2.0.1': [station201, csms201],
  'ocpp2.1': [station21, csms21],
} as const;

const NONE: readonly string[] = [];

/**
 * The wire actions a neutral operation may send in a version, read from its codec (1.6
 * `updateFirmware` sends UpdateFirmware or SignedUpdateFirmware). Empty when the version has no
 * equivalent, so the operation rejects with `UNSUPPORTED_BY_VERSION`.
 */
export function actionsOf(
  version: ProtocolVersion,
  operation: StationOperation | CsmsOperation,
): readonly string[] {
  for (const codec of CODECS[version]) {
    const entry = (codec.outbound as Record<string, { actions: readonly string[] } | undefined>)[
      operation
    ];
    if (entry !== undefined) return entry.actions;
  }
  return NONE;
}

/** Every neutral operation a CSMS sends (2.1 has them all; others reject what they lack). */
export const CSMS_OPERATIONS: readonly CsmsOperation[] = Object.freeze(
  Object.keys(csms21.outbound) as CsmsOperation[],
);

/** Every neutral operation a station sends. */
export const STATION_OPERATIONS: readonly StationOperation[] = Object.freeze(
  Object.keys(station21.outbound) as StationOperation[],
);
