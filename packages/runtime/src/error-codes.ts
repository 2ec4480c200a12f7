import type { OcppVersion } from './versions.js';

/**
 * The CALLERROR codes of OCPP-J 1.6 (§4.2.3), with the spec's own misspellings
 * `FormationViolation` and `OccurenceConstraintViolation`, which 1.6 peers expect on the wire.
 */
export const V16_ERROR_CODES = {
  NotImplemented: 'Requested Action is not known by the receiver',
  NotSupported: 'Requested Action is recognized but not supported by the receiver',
  InternalError: 'Internal error: the receiver could not process the Action',
  ProtocolError: 'Payload for Action is incomplete',
  SecurityError: 'A security issue prevented the receiver from completing the Action',
  FormationViolation: 'Payload is syntactically incorrect or does not conform to the PDU structure',
  PropertyConstraintViolation:
    'Payload is syntactically correct but a field contains an invalid value',
  OccurenceConstraintViolation: 'A field violates occurrence constraints',
  TypeConstraintViolation: 'A field violates data type constraints',
  GenericError: 'Any other error',
} as const;

/** The CALLERROR codes of OCPP-J 2.0.1 and 2.1 (Part 4 §4.3): one table, twelve codes. */
export const V2_ERROR_CODES = {
  FormatViolation: 'Payload for Action is syntactically incorrect',
  GenericError: 'Any other error',
  InternalError: 'Internal error: the receiver could not process the Action',
  MessageTypeNotSupported: 'Message type number not supported',
  NotImplemented: 'Requested Action is not known by the receiver',
  NotSupported: 'Requested Action is recognized but not supported by the receiver',
  OccurrenceConstraintViolation: 'A field violates occurrence constraints',
  PropertyConstraintViolation:
    'Payload is syntactically correct but a field contains an invalid value',
  ProtocolError: 'Payload does not conform to the PDU structure',
  RpcFrameworkError: 'Not a valid RPC request, e.g. the message id could not be read',
  SecurityError: 'A security issue prevented the receiver from completing the Action',
  TypeConstraintViolation: 'A field violates data type constraints',
} as const;

/** A CALLERROR code valid on an OCPP 1.6 connection. */
export type V16ErrorCode = keyof typeof V16_ERROR_CODES;
/** A CALLERROR code valid on an OCPP 2.0.1 connection. */
export type V201ErrorCode = keyof typeof V2_ERROR_CODES;
/** A CALLERROR code valid on an OCPP 2.1 connection (same table as 2.0.1). */
export type V21ErrorCode = keyof typeof V2_ERROR_CODES;

/** The CALLERROR code union of a version. */
export type ErrorCodeOf<V extends OcppVersion> = V extends '1.6' ? V16ErrorCode : V201ErrorCode;

/** Any CALLERROR code of any supported version. */
export type OcppErrorCode = V16ErrorCode | V201ErrorCode;

/** The CALLERROR code table of each version: code → the spec's description. */
export const ERROR_CODES = {
  '1.6': V16_ERROR_CODES,
  '2.0.1': V2_ERROR_CODES,
  '2.1': V2_ERROR_CODES,
} as const satisfies Record<OcppVersion, Record<string, string>>;

/**
 * The kinds of payload violation a JSON-schema check can find, independent of how a version
 * spells the matching CALLERROR code.
 */
export type ViolationKind = 'format' | 'occurrence' | 'type' | 'property';

const VIOLATION_CODES = {
  '1.6': {
    format: 'FormationViolation',
    occurrence: 'OccurenceConstraintViolation',
    type: 'TypeConstraintViolation',
    property: 'PropertyConstraintViolation',
  },
  '2.0.1': {
    format: 'FormatViolation',
    occurrence: 'OccurrenceConstraintViolation',
    type: 'TypeConstraintViolation',
    property: 'PropertyConstraintViolation',
  },
  '2.1': {
    format: 'FormatViolation',
    occurrence: 'OccurrenceConstraintViolation',
    type: 'TypeConstraintViolation',
    property: 'PropertyConstraintViolation',
  },
} as const satisfies { [V in OcppVersion]: Record<ViolationKind, ErrorCodeOf<V>> };

/** The version-correct CALLERROR code for a kind of payload violation. */
export function violationCode<V extends OcppVersion>(
  version: V,
  kind: ViolationKind,
): ErrorCodeOf<V> {
  return VIOLATION_CODES[version][kind] as ErrorCodeOf<V>;
}

const SPELLING_ALIASES: Readonly<Record<string, { '1.6': V16ErrorCode; '2.x': V201ErrorCode }>> = {
  FormationViolation: { '1.6': 'FormationViolation', '2.x': 'FormatViolation' },
  FormatViolation: { '1.6': 'FormationViolation', '2.x': 'FormatViolation' },
  OccurenceConstraintViolation: {
    '1.6': 'OccurenceConstraintViolation',
    '2.x': 'OccurrenceConstraintViolation',
  },
  OccurrenceConstraintViolation: {
    '1.6': 'OccurenceConstraintViolation',
    '2.x': 'OccurrenceConstraintViolation',
  },
};

/**
 * Reads an error code received from a peer into the version's own spelling: peers mix up the 1.6
 * misspellings and the 2.x spellings, so both are accepted. Returns `undefined` for a code the
 * version does not define (the caller decides whether to keep it as `GenericError`).
 */
export function normalizeErrorCode<V extends OcppVersion>(
  version: V,
  code: string,
): ErrorCodeOf<V> | undefined {
  const alias = SPELLING_ALIASES[code];
  if (alias !== undefined)
    return (version === '1.6' ? alias['1.6'] : alias['2.x']) as ErrorCodeOf<V>;
  return Object.hasOwn(ERROR_CODES[version], code) ? (code as ErrorCodeOf<V>) : undefined;
}
