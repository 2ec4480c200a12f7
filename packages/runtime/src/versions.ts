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
