/** Why a connection closed. */
export interface TransportCloseInfo {
  /** WebSocket close code (1000 normal, 1001 going away, 1006 abnormal, 1009 too big, ...). */
  readonly code: number;
  /** Close reason text; may be empty. */
  readonly reason: string;
  /**
   * True when the transport will try to connect again by itself (a station-side client with
   * reconnect enabled). The session keeps its queue; calls in flight are rejected all the same.
   */
  readonly reconnecting: boolean;
}

/** Facts about an open connection. */
export interface TransportOpenInfo {
  /** The negotiated WebSocket subprotocol, such as `ocpp2.0.1`. */
  readonly protocol: string;
}

/** What a transport reports to the one session bound to it. */
export interface TransportHandlers {
  /** A text frame arrived. */
  message(text: string): void;
  /** A connection is open (the first one, or again after a reconnect). */
  open(info: TransportOpenInfo): void;
  /** The connection closed. */
  close(info: TransportCloseInfo): void;
  /** Something failed that did not close the connection (or explains a close that follows). */
  error(error: Error): void;
}

/**
 * A message-level, text-frame transport: the only thing an OCPP session needs from the network.
 * The session never constructs one; it is handed a transport, binds to it once, and from then on
 * receives every event through the handlers.
 */
export interface Transport {
  /** True while a connection is open and `send` can deliver. */
  readonly isOpen: boolean;
  /** The negotiated subprotocol of the current or last connection; `''` before the first. */
  readonly protocol: string;
  /** Binds the session's handlers. A transport accepts exactly one binding. */
  bind(handlers: TransportHandlers): void;
  /**
   * Starts the transport: a client connects (resolving once open, rejecting if the first attempt
   * fails and no reconnect is configured); a server-side connection is already open and resolves
   * at once, reporting `open` to the handlers.
   */
  start(): Promise<void>;
  /** Sends one text frame. Throws when no connection is open. */
  send(text: string): void;
  /** Closes for good (no reconnect). Resolves once closed. */
  close(code?: number, reason?: string): Promise<void>;
  /**
   * Flow control: stop reading inbound frames until {@link Transport.resume}. The session pauses
   * while inbound calls wait to be handled, so a peer that pipelines calls is held back by its own
   * socket instead of filling memory. Frames already read may still arrive after `pause()`.
   * Optional: without it the session relies on its bounded inbound queue alone.
   */
  pause?(): void;
  /** Reads inbound frames again after {@link Transport.pause}. */
  resume?(): void;
}

/** A connection a server accepted: who it is, which version it speaks, and its transport. */
export interface IncomingConnection {
  /** The station identity from the connection URL, percent-decoded. */
  readonly identity: string;
  /** The negotiated subprotocol, such as `ocpp1.6`. */
  readonly protocol: string;
  /** The connection, already open; bind a session to it and call `start()`. */
  readonly transport: Transport;
  /** What the server's authentication hook returned for this connection, if anything. */
  readonly auth?: unknown;
  /** The peer's address, when known. */
  readonly remoteAddress?: string;
}

/** Something that accepts station connections: a WebSocket server, or a test double. */
export interface TransportServer {
  /** Registers the listener for accepted connections. */
  onConnection(listener: (connection: IncomingConnection) => void): void;
  /** Stops accepting, closes every open connection with `code` (1001 by default), and resolves when done. */
  close(code?: number, reason?: string): Promise<void>;
}
