import type {
  ActionMapShape,
  ActionsSentBy,
  OcppVersion,
  Protocol,
  SUBPROTOCOLS,
} from '@ocpp/runtime';

/** Which side a session plays: the charging station (WebSocket client) or the CSMS (server). */
export type Role = 'station' | 'csms';

/** The other side. */
export type PeerOf<R extends Role> = R extends 'station' ? 'csms' : 'station';

/** Actions `R` may send as a CALL. */
export type CallableBy<M extends ActionMapShape<M>, R extends Role> = {
  [A in ActionsSentBy<M, R> & keyof M]: M[A]['kind'] extends 'CALL' ? A : never;
}[ActionsSentBy<M, R> & keyof M] &
  string;

/** Actions `R` may send as a SEND (OCPP 2.1 message type 6). */
export type SendableBy<M extends ActionMapShape<M>, R extends Role> = {
  [A in ActionsSentBy<M, R> & keyof M]: M[A]['kind'] extends 'SEND' ? A : never;
}[ActionsSentBy<M, R> & keyof M] &
  string;

/** Actions the peer of `R` sends, which `R` handles. */
export type HandledBy<M extends ActionMapShape<M>, R extends Role> = ActionsSentBy<M, PeerOf<R>> &
  keyof M &
  string;

/** The subprotocol string of a version (`ocpp1.6`, ...). */
export type SubprotocolOf<V extends OcppVersion> = (typeof SUBPROTOCOLS)[V];

/** Any protocol descriptor. */
// biome-ignore lint/suspicious/noExplicitAny: the widest protocol type, for generic plumbing
export type AnyProtocol = Protocol<OcppVersion, any>;
