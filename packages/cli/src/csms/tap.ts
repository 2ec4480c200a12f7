import type {
  IncomingConnection,
  Transport,
  TransportCloseInfo,
  TransportHandlers,
  TransportServer,
} from '@ocpp/transport';

/** What a tap reports about one connection. */
export interface TapListener {
  /** A station connected (before its session sees any frame). */
  connected(connection: IncomingConnection): void;
  /** A frame went by: `station` for what the CSMS received, `csms` for what it sent. */
  frame(connection: IncomingConnection, from: 'station' | 'csms', text: string): void;
  /** The connection closed. */
  closed(connection: IncomingConnection, info: TransportCloseInfo): void;
}

/** A transport that reports every frame in and out, and its close, then passes them on. */
class TappedTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly connection: IncomingConnection,
    private readonly tap: TapListener,
  ) {}

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  get protocol(): string {
    return this.inner.protocol;
  }

  bind(handlers: TransportHandlers): void {
    const { connection, tap } = this;
    this.inner.bind({
      message(text) {
        tap.frame(connection, 'station', text);
        handlers.message(text);
      },
      open: (info) => handlers.open(info),
      close(info) {
        tap.closed(connection, info);
        handlers.close(info);
      },
      error: (error) => handlers.error(error),
    });
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(text: string): void {
    this.inner.send(text);
    this.tap.frame(this.connection, 'csms', text);
  }

  close(code?: number, reason?: string): Promise<void> {
    return this.inner.close(code, reason);
  }
}

/**
 * Wraps a transport server so every accepted connection's frames are seen by `tap` before the
 * session gets them: the CSMS logs every frame, the first BootNotification included, without
 * the session or the generic API having to expose a hook.
 */
export function tapServer(server: TransportServer, tap: TapListener): TransportServer {
  return {
    onConnection(listener) {
      server.onConnection((connection) => {
        const seen: IncomingConnection = {
          identity: connection.identity,
          protocol: connection.protocol,
          transport: connection.transport,
          ...(connection.auth === undefined ? {} : { auth: connection.auth }),
          ...(connection.remoteAddress === undefined
            ? {}
            : { remoteAddress: connection.remoteAddress }),
        };
        tap.connected(seen);
        listener({ ...seen, transport: new TappedTransport(connection.transport, seen, tap) });
      });
    },
    close: (code, reason) => server.close(code, reason),
  };
}
