import type { IncomingConnection, Transport, TransportServer } from '@ocpp/transport';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type AuthenticateContext,
  createWsClient,
  createWsServer,
  type HandshakeRejection,
  type ReconnectingEvent,
  type WsTransportErrorCode,
} from '../src/index.js';

describe('public types', () => {
  it('server and client fit the transport interfaces', () => {
    expectTypeOf(createWsServer).returns.toExtend<TransportServer>();
    expectTypeOf(createWsClient).returns.toExtend<Transport>();
    expectTypeOf(createWsServer().connections.get('CS001')).toEqualTypeOf<
      IncomingConnection | undefined
    >();
  });

  it('client events carry typed payloads', () => {
    const client = createWsClient({
      url: 'ws://127.0.0.1:1',
      identity: 'A',
      protocols: ['ocpp1.6'],
    });
    client.on('reconnecting', (event) => expectTypeOf(event).toEqualTypeOf<ReconnectingEvent>());
    client.on('close', (event) => expectTypeOf(event.reconnecting).toEqualTypeOf<boolean>());
    // @ts-expect-error: not an event of the client
    client.on('message', () => undefined);
  });

  it('the authenticate context exposes text and raw passwords', () => {
    expectTypeOf<AuthenticateContext['password']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AuthenticateContext['passwordBytes']>().toEqualTypeOf<Uint8Array | undefined>();
    expectTypeOf<'HANDSHAKE_REJECTED'>().toExtend<WsTransportErrorCode>();
    // @ts-expect-error: security profiles are 0 to 3
    createWsServer({ securityProfile: 4 });
    // @ts-expect-error: protocols are required for a station
    createWsClient({ url: 'ws://127.0.0.1:1', identity: 'A' });
  });

  it('hostile-input options and reports are typed', () => {
    expectTypeOf<HandshakeRejection['stage']>().toEqualTypeOf<'connection' | 'tls' | 'request'>();
    expectTypeOf<AuthenticateContext['certificateProblem']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<'SEND_BUFFER_FULL'>().toExtend<WsTransportErrorCode>();
    const client = createWsClient({
      url: 'ws://127.0.0.1:1',
      identity: 'A',
      protocols: ['ocpp1.6'],
    });
    expectTypeOf(client.pause).toEqualTypeOf<() => void>();
    expectTypeOf(client.resume).toEqualTypeOf<() => void>();
    createWsServer({ authFailureLimit: false, perAddressExempt: (a) => a === '10.0.0.1' });
    createWsServer({ clientCertificate: { rsaBits: 3072, caseInsensitive: true } });
    // @ts-expect-error: the brake is configured or turned off, not turned on with `true`
    createWsServer({ authFailureLimit: true });
    // @ts-expect-error: the 1.6 rule takes a RegExp, not a string
    createWsServer({ v16Identity: { pattern: '^[A-Z]+$' } });
  });
});
