import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  basicAuthHeader,
  certificateMatchesIdentity,
  checkV2Identity,
  encodeIdentity,
  parseBasicAuth,
  resolveBackoff,
  safeEqual,
  stationUrl,
} from '../src/index.js';

describe('Basic auth helpers', () => {
  it('encodes the OCPP-J 1.6 example: identity AL1000 with a binary 20-byte key', () => {
    const key = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, ...new Array<number>(12).fill(0xff)]);
    expect(basicAuthHeader('AL1000', key)).toBe('Basic QUwxMDAwOgABAgMEBQYH////////////////');
    const parsed = parseBasicAuth('Basic QUwxMDAwOgABAgMEBQYH////////////////', 'AL1000');
    expect(parsed?.passwordBytes).toEqual(key);
    expect(parsed?.password).toBeUndefined();
  });

  it('keeps colons in the password and reads the username from the known identity', () => {
    const header = basicAuthHeader('CS001', 'pass:with:colons');
    expect(parseBasicAuth(header, 'CS001')?.password).toBe('pass:with:colons');
    // 1.6 allows a colon in the identity: a blind split on the first colon would read user "CS0".
    const colonIdentity = basicAuthHeader('CS0:1', 'secret');
    expect(parseBasicAuth(colonIdentity, 'CS0:1')?.password).toBe('secret');
    // The bytes alone are ambiguous; the identity from the URL decides.
    expect(parseBasicAuth(colonIdentity, 'CS0')?.password).toBe('1:secret');
  });

  it('refuses other users, other schemes and broken base64', () => {
    const header = basicAuthHeader('CS001', 'secret');
    expect(parseBasicAuth(header, 'CS002')).toBeUndefined();
    expect(parseBasicAuth(header, 'CS00')).toBeUndefined();
    expect(parseBasicAuth(undefined, 'CS001')).toBeUndefined();
    expect(parseBasicAuth('Bearer abc', 'CS001')).toBeUndefined();
    expect(parseBasicAuth('Basic !!!!', 'CS001')).toBeUndefined();
    expect(parseBasicAuth('Basic Q1MwMDE', 'CS001')).toBeUndefined();
    expect(parseBasicAuth(`basic  ${header.slice(6)}`, 'CS001')?.password).toBe('secret');
  });

  it('gives an empty password for "identity:" and a UTF-8 password as text', () => {
    expect(parseBasicAuth(basicAuthHeader('CS001', ''), 'CS001')?.password).toBe('');
    expect(parseBasicAuth(basicAuthHeader('CS001', 'pässwörd'), 'CS001')?.password).toBe(
      'pässwörd',
    );
  });

  it('safeEqual compares strings and bytes, and different lengths are unequal', () => {
    expect(safeEqual('secret', 'secret')).toBe(true);
    expect(safeEqual('secret', 'secreT')).toBe(false);
    expect(safeEqual('secret', 'secret!')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual(new TextEncoder().encode('abc'), 'abc')).toBe(true);
    expect(safeEqual(Uint8Array.from([1, 2]), Uint8Array.from([1, 3]))).toBe(false);
  });
});

describe('certificateMatchesIdentity', () => {
  it('matches the subject CN exactly, or ignoring case when asked', () => {
    expect(certificateMatchesIdentity({ subject: { CN: 'CS001' } }, 'CS001')).toBe(true);
    expect(certificateMatchesIdentity({ subject: { CN: 'CS001' } }, 'cs001')).toBe(false);
    const fold = { caseInsensitive: true };
    expect(certificateMatchesIdentity({ subject: { CN: 'CS001' } }, 'cs001', fold)).toBe(true);
    expect(certificateMatchesIdentity({ subject: { CN: 'CS002' } }, 'CS001')).toBe(false);
    expect(certificateMatchesIdentity({ subject: { CN: ['X', 'CS001'] } }, 'CS001')).toBe(true);
    expect(certificateMatchesIdentity(undefined, 'CS001')).toBe(false);
    expect(certificateMatchesIdentity({ subject: { CN: '' } }, '')).toBe(false);
  });

  it('matches DNS and URI subject alternative names, not IP addresses or e-mail', () => {
    const cert = {
      subject: { CN: 'Station' },
      subjectaltname: 'IP Address:10.0.0.1, email:CS009@example.com, DNS:cs001, URI:urn:cs:7',
    };
    expect(certificateMatchesIdentity(cert, 'cs001')).toBe(true);
    expect(certificateMatchesIdentity(cert, 'CS001')).toBe(false);
    expect(certificateMatchesIdentity(cert, 'CS001', { caseInsensitive: true })).toBe(true);
    expect(certificateMatchesIdentity(cert, 'urn:cs:7')).toBe(true);
    expect(certificateMatchesIdentity(cert, '10.0.0.1')).toBe(false);
    expect(certificateMatchesIdentity(cert, 'CS009@example.com')).toBe(false);
    const quoted = { subject: {}, subjectaltname: 'DNS:"a, b", DNS:CS003' };
    expect(certificateMatchesIdentity(quoted, 'a, b')).toBe(true);
    expect(certificateMatchesIdentity(quoted, 'CS003')).toBe(true);
  });

  it('reads a crypto.X509Certificate-shaped subject', () => {
    const x509Like = { subject: 'C=NL\nO=Acme\nCN=CS001', subjectAltName: 'DNS:other' };
    expect(certificateMatchesIdentity(x509Like, 'CS001')).toBe(true);
    expect(certificateMatchesIdentity(x509Like, 'other')).toBe(true);
    expect(certificateMatchesIdentity(x509Like, 'OTHER')).toBe(false);
    expect(certificateMatchesIdentity(x509Like, 'CS002')).toBe(false);
  });
});

describe('identity', () => {
  it("percent-encodes per RFC 3986, also ! ' ( ) *", () => {
    expect(encodeIdentity('RDAM 123')).toBe('RDAM%20123');
    expect(encodeIdentity('RDAM|123')).toBe('RDAM%7C123');
    expect(encodeIdentity("a!'()*b")).toBe('a%21%27%28%29%2Ab');
    expect(encodeIdentity('CS-001_x.y~z')).toBe('CS-001_x.y~z');
  });

  it('applies the 2.x identifierString rules', () => {
    expect(checkV2Identity('CS-001*_=+|@.aZ9')).toBeUndefined();
    expect(checkV2Identity('CS:001')).toMatch(/colon/);
    expect(checkV2Identity('CS 001')).toMatch(/character/);
    expect(checkV2Identity('CS#001')).toMatch(/character/);
    expect(checkV2Identity('x'.repeat(48))).toBeUndefined();
    expect(checkV2Identity('x'.repeat(49))).toMatch(/48/);
  });

  it('builds the station URL from the endpoint and the identity', () => {
    expect(stationUrl('ws://csms.example/ocpp', 'RDAM 123')).toBe(
      'ws://csms.example/ocpp/RDAM%20123',
    );
    expect(stationUrl('wss://csms.example/ocpp/', 'CS001')).toBe('wss://csms.example/ocpp/CS001');
    expect(stationUrl('ws://csms.example', 'CS001')).toBe('ws://csms.example/CS001');
    expect(stationUrl('ws://csms.example/o?tenant=1', 'CS001')).toBe(
      'ws://csms.example/o/CS001?tenant=1',
    );
    expect(() => stationUrl('http://csms.example', 'CS001')).toThrow(/ws:\/\//);
    expect(() => stationUrl('not a url', 'CS001')).toThrow(/invalid url/);
  });
});

describe('back-off', () => {
  it('doubles the fixed part repeatTimes times, then keeps it', () => {
    const backoff = resolveBackoff({
      waitMinimumSeconds: 10,
      randomRangeSeconds: 0,
      repeatTimes: 2,
    });
    const delays = [0, 1, 2, 3, 4, 10].map((failures) => backoffDelayMs(failures, backoff));
    expect(delays).toEqual([10_000, 20_000, 40_000, 40_000, 40_000, 40_000]);
  });

  it('adds a fresh random part of up to randomRange to every wait', () => {
    const backoff = resolveBackoff({
      waitMinimumSeconds: 3,
      randomRangeSeconds: 10,
      repeatTimes: 5,
    });
    const draws = [0, 0.5, 0.999];
    const random = () => draws.shift() ?? 0;
    expect(backoffDelayMs(0, backoff, random)).toBe(3_000);
    expect(backoffDelayMs(1, backoff, random)).toBe(11_000);
    expect(backoffDelayMs(2, backoff, random)).toBe(21_990);
  });

  it('uses the defaults 10 / 10 / 5 and refuses negative values', () => {
    expect(resolveBackoff()).toEqual({
      waitMinimumSeconds: 10,
      randomRangeSeconds: 10,
      repeatTimes: 5,
    });
    expect(() => resolveBackoff({ waitMinimumSeconds: -1 })).toThrow(/waitMinimumSeconds/);
    expect(() => resolveBackoff({ repeatTimes: 1.5 })).toThrow(/integer/);
  });
});
