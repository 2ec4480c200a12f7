/** The OCPP-J versions this SDK speaks. */
export type OcppVersion = '1.6' | '2.0.1' | '2.1';

/** The WebSocket subprotocol string of each version, as registered with IANA. */
export const SUBPROTOCOLS = {
  '1.6': 'ocpp1.6',
  '2.0.1': 'ocpp2.0.1',
  '2.1': 'ocpp2.1',
} as const satisfies Record<OcppVersion, string>;

/** A WebSocket subprotocol this SDK can negotiate. */
export type OcppSubprotocol = (typeof SUBPROTOCOLS)[OcppVersion];

/** Which side of the connection sends an action. */
export type Direction = 'StationToCsms' | 'CsmsToStation' | 'Both';

/** Which side of a connection a peer plays: the charging station is always the WebSocket client. */
export type Role = 'station' | 'csms';

/** Every subprotocol this SDK speaks, newest first: the order a CSMS prefers them by default. */
export const OCPP_SUBPROTOCOLS = [
  SUBPROTOCOLS['2.1'],
  SUBPROTOCOLS['2.0.1'],
  SUBPROTOCOLS['1.6'],
] as const satisfies readonly OcppSubprotocol[];

/** The version of a subprotocol string, or `undefined` when it is none of this SDK's. */
export function versionOf(subprotocol: string): OcppVersion | undefined {
  switch (subprotocol) {
    case SUBPROTOCOLS['1.6']:
      return '1.6';
    case SUBPROTOCOLS['2.0.1']:
      return '2.0.1';
    case SUBPROTOCOLS['2.1']:
      return '2.1';
    default:
      return undefined;
  }
}

/** True when `role` sends actions of `direction` (as a CALL or SEND). */
export function isSentBy(direction: Direction, role: Role): boolean {
  return (
    direction === 'Both' || direction === (role === 'station' ? 'StationToCsms' : 'CsmsToStation')
  );
}
