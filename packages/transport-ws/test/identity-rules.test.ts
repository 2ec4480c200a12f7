import { describe, expect, it } from 'vitest';
import {
  checkIdentityControls,
  checkV2Identity,
  DEFAULT_MAX_IDENTITY_LENGTH_V16,
  displayIdentity,
  type HandshakeRejection,
  v16IdentityCheck,
} from '../src/index.js';
import { rawUpgrade, startServer, waitFor } from './helpers.js';

const V16 = { 'Sec-WebSocket-Protocol': 'ocpp1.6' };
const V201 = { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' };

/** Percent-encodes every character, as a station may. */
function encodeAll(identity: string): string {
  return encodeURIComponent(identity).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16)}`,
  );
}

async function rulesServer(options: Parameters<typeof startServer>[0] = {}) {
  let asked = 0;
  const started = await startServer({
    authenticate: () => {
      asked += 1;
      return true;
    },
    ...options,
  });
  const rejected: HandshakeRejection[] = [];
  started.server.on('rejected', (r) => rejected.push(r));
  return { ...started, rejected, asked: () => asked };
}

describe('1.6 identity rules', () => {
  it('accepts printable ASCII up to 128 characters by default and refuses longer or other ones with 400', async () => {
    const { port, accepted, rejected } = await rulesServer();
    const longest = 'x'.repeat(DEFAULT_MAX_IDENTITY_LENGTH_V16);
    expect(DEFAULT_MAX_IDENTITY_LENGTH_V16).toBe(128);
    expect((await rawUpgrade(port, `/${longest}`, V16)).status).toBe(101);
    expect((await rawUpgrade(port, `/${encodeAll('RDAM 123 ~!@#$')}`, V16)).status).toBe(101);
    const refused = ['x'.repeat(129), 'y'.repeat(15_000), 'Ladesäule', 'CS\u00a0001', 'CS\u2028'];
    for (const identity of refused) {
      const answer = await rawUpgrade(port, `/${encodeAll(identity)}`, V16);
      expect(answer.status, identity.slice(0, 20)).toBe(400);
      expect(answer.body).toMatch(/longer than 128 characters|outside printable ASCII/);
    }
    await waitFor(() => accepted.length === 2);
    expect(rejected).toHaveLength(refused.length);
    // The 15,000-character identity is reported cut, never in full.
    const long = rejected.find((r) => r.identity?.startsWith('y'));
    expect(long?.identity).toBe(`${'y'.repeat(256)}… (15000 characters)`);
  });

  it('follows a configured rule; a global pattern still checks every identity', async () => {
    const { port, accepted } = await rulesServer({
      v16Identity: { maxLength: 8, pattern: /^[A-Z0-9]+$/g },
    });
    for (const identity of ['CS001', 'CS002', 'ABCDEFGH']) {
      expect((await rawUpgrade(port, `/${identity}`, V16)).status, identity).toBe(101);
    }
    for (const identity of ['cs001', 'CS 001', 'ABCDEFGHI']) {
      const answer = await rawUpgrade(port, `/${encodeAll(identity)}`, V16);
      expect(answer.status, identity).toBe(400);
      expect(answer.body).toMatch(/does not match the allowed pattern|longer than 8/);
    }
    // The 2.x rule is the spec's, not this one.
    expect((await rawUpgrade(port, '/cs-001', V201)).status).toBe(101);
    await waitFor(() => accepted.length === 4);
  });
});

describe('control characters', () => {
  const controls = ['\n', '\r', '\u001b[31m', '\u0000', '\u007f', '\u0085', '\u009b'];

  it('are refused with 400 in every version, also when the 1.6 rule would allow them', async () => {
    const { port, accepted, rejected, asked } = await rulesServer({
      v16Identity: { pattern: /^[\s\S]+$/u, maxLength: 1000 },
    });
    // The permissive rule lets other characters through.
    expect((await rawUpgrade(port, `/${encodeAll('Ladesäule 1')}`, V16)).status).toBe(101);
    for (const control of controls) {
      for (const headers of [V16, V201]) {
        const identity = `CS${control}001`;
        const answer = await rawUpgrade(port, `/${encodeAll(identity)}`, headers);
        expect(answer.status, JSON.stringify(identity)).toBe(400);
        expect(answer.body).toBe('identity contains a control character');
      }
    }
    await waitFor(() => accepted.length === 1);
    expect(asked()).toBe(1);
    expect(rejected).toHaveLength(controls.length * 2);
    for (const r of rejected) {
      // Neither the reason nor the reported identity carries a raw control character.
      expect(r.reason).not.toMatch(/CS/);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters.
      expect(r.identity).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(r.identity).toMatch(/^CS\\u00[0-9a-f]{2}/);
    }
  });
});

describe('identity helpers', () => {
  it('checkIdentityControls, checkV2Identity and v16IdentityCheck refuse controls first', () => {
    expect(checkIdentityControls('CS 001')).toBeUndefined();
    expect(checkIdentityControls('CS\t001')).toMatch(/control/);
    expect(checkIdentityControls('CS\u0080')).toMatch(/control/);
    expect(checkV2Identity('CS\n001')).toMatch(/control/);
    const anything = v16IdentityCheck({ pattern: /.*/su });
    expect(anything('é')).toBeUndefined();
    expect(anything('a\u009fb')).toMatch(/control/);
    expect(v16IdentityCheck()('RDAM 123')).toBeUndefined();
    expect(() => v16IdentityCheck({ maxLength: 0 })).toThrow(/maxLength/);
  });

  it('displayIdentity escapes what a terminal or log would act on, and cuts long identities', () => {
    expect(displayIdentity('CS001')).toBe('CS001');
    expect(displayIdentity('a\nb\u001b[2J\u0000')).toBe('a\\u000ab\\u001b[2J\\u0000');
    expect(displayIdentity('x\u202ey\u2028')).toBe('x\\u202ey\\u2028');
    expect(displayIdentity('z'.repeat(300))).toBe(`${'z'.repeat(256)}… (300 characters)`);
  });
});
