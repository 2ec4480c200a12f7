import { describe, expectTypeOf, it } from 'vitest';
import type { ActionDescriptor, ActionRegistry, ActionsSentBy } from '../src/protocol.js';

interface Map2 {
  Ping: {
    request: { n: number };
    response: { n: number };
    direction: 'StationToCsms';
    kind: 'CALL';
  };
  Push: { request: { v: string }; response: never; direction: 'StationToCsms'; kind: 'SEND' };
  Poke: { request: object; response: object; direction: 'CsmsToStation'; kind: 'CALL' };
  Echo: { request: object; response: object; direction: 'Both'; kind: 'CALL' };
}

declare const message: ActionDescriptor['request'];

describe('ActionRegistry', () => {
  it('a registry missing an action does not compile', () => {
    // @ts-expect-error Poke and Echo are missing
    const partial: ActionRegistry<Map2> = {
      Ping: {
        name: 'Ping',
        direction: 'StationToCsms',
        kind: 'CALL',
        request: message,
        response: message,
      },
      Push: {
        name: 'Push',
        direction: 'StationToCsms',
        kind: 'SEND',
        request: message,
        response: undefined,
      },
    };
    void partial;
  });

  it('a SEND action has no response descriptor, a CALL action must have one', () => {
    expectTypeOf<ActionRegistry<Map2>['Push']['response']>().toEqualTypeOf<undefined>();
    expectTypeOf<ActionRegistry<Map2>['Ping']['response']>().not.toEqualTypeOf<undefined>();
  });

  it('ActionsSentBy splits the actions by role, Both on either side', () => {
    expectTypeOf<ActionsSentBy<Map2, 'station'>>().toEqualTypeOf<'Ping' | 'Push' | 'Echo'>();
    expectTypeOf<ActionsSentBy<Map2, 'csms'>>().toEqualTypeOf<'Poke' | 'Echo'>();
  });
});
