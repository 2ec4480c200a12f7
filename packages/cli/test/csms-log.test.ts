import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { csmsLog } from '../src/commands/csms.js';
import { eventually, startTestCsms } from './helpers/cli.js';
import { BOOT_16, connectStation } from './helpers/station.js';

/** An identity that, logged raw, would end its line and forge a second one in red. */
const FORGED = 'CS1\n2026-01-01T00:00:00.000Z  ADMIN  ocpp1.6  connected from 10.0.0.1\u001b[31m';

function capture(): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    stdin: process.stdin,
    cwd: process.cwd(),
    env: {},
    interrupted: new Promise(() => {}),
  };
  return { io, out, err };
}

/** No raw C0 (but the final LF), DEL, C1 or line separator anywhere; exactly one line. */
function expectOneSafeLine(line: string): void {
  expect(line.endsWith('\n')).toBe(true);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
  expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
}

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the ocpp csms log escapes what stations choose', () => {
  it('text: identity, close reason, remote address, frame and refusals each stay one escaped line', () => {
    const { io, out, err } = capture();
    const log = csmsLog(io, 'text', true);
    log.connected(FORGED, 'ocpp1.6', '127.0.0.1\r\n');
    log.frame(
      FORGED,
      'ocpp1.6',
      'station',
      '[2,"1","DataTransfer",{"vendorId":"a\u2028b\u009b31m"}]',
    );
    log.disconnected(FORGED, 'ocpp1.6', {
      code: 4000,
      reason: 'bye\nnow\u0000',
      reconnecting: false,
    });
    log.refused({
      stage: 'request',
      status: 401,
      reason: 'authentication failed',
      identity: FORGED,
      remoteAddress: '::1',
    });
    log.warn(`something about ${FORGED}`);
    for (const line of [...out, ...err]) expectOneSafeLine(line);
    expect(out[0]).toContain('CS1\\u000a2026-01-01T00:00:00.000Z  ADMIN');
    expect(out[0]).toContain('\\u001b[31m');
    expect(out[0]).toContain('from 127.0.0.1\\u000d\\u000a');
    // Escaped as JSON escapes: the frame in the line is the same JSON.
    const frame = out[1]!.slice(out[1]!.indexOf('[2,'), out[1]!.lastIndexOf(']') + 1);
    expect(JSON.parse(frame)).toEqual([2, '1', 'DataTransfer', { vendorId: 'a\u2028b\u009b31m' }]);
    expect(out[2]).toContain('(4000 bye\\u000anow\\u0000)');
    expect(out[3]).toContain('refused: HTTP 401');
    log.refused({
      stage: 'tls',
      status: 0,
      reason: 'no client certificate',
      identity: undefined,
      remoteAddress: '10.0.0.9',
    });
    expect(out[4]).toContain(
      '-  refused: TLS handshake failed: no client certificate (from 10.0.0.9)',
    );
  });

  it('json: every record is one line that parses back to the same values', () => {
    const { io, out } = capture();
    const log = csmsLog(io, 'json', true);
    log.connected(FORGED, 'ocpp1.6', undefined);
    log.frame(FORGED, 'ocpp1.6', 'csms', '[3,"1",{"x":"\u2029\u0085\u007f"}]');
    log.refused({
      stage: 'request',
      status: 400,
      reason: 'no\nway',
      identity: FORGED,
      remoteAddress: undefined,
    });
    for (const line of out) expectOneSafeLine(line);
    expect(JSON.parse(out[0]!)).toMatchObject({ type: 'connect', identity: FORGED });
    expect(JSON.parse(out[1]!)).toMatchObject({ frame: '[3,"1",{"x":"\u2029\u0085\u007f"}]' });
    expect(JSON.parse(out[2]!)).toMatchObject({
      type: 'refused',
      identity: FORGED,
      reason: 'no\nway',
    });
  });

  it('a station whose identity holds LF and ESC gets one escaped line, connected or refused before authentication', async () => {
    const open = await startTestCsms([]);
    // A CSMS may refuse such an identity at the handshake; either way it is logged escaped.
    const station = await connectStation(open.url, FORGED).catch(() => undefined);
    if (station !== undefined) {
      await station.call('BootNotification', BOOT_16);
      await station.close();
      await open.waitFor(/disconnected \(1000\)/);
    } else {
      await open.waitFor(/refused/);
    }
    const lines = open.output().stdout.split('\n');
    expect(open.output().stdout).not.toContain('\u001b');
    expect(lines.filter((l) => l.startsWith('2026-01-01T00:00:00.000Z'))).toEqual([]);
    const mine = lines.filter((l) => l.includes('CS1\\u000a2026-01-01T00:00:00.000Z  ADMIN'));
    // connected, the boot, its answer, disconnected (or the refusal): each one line.
    expect(mine.length).toBe(station === undefined ? 1 : 4);

    dir = mkdtempSync(join(tmpdir(), 'ocpp-csms-log-'));
    const file = join(dir, 'stations.json');
    writeFileSync(file, JSON.stringify({ '*': 'fleet-password-16' }));
    const guarded = await startTestCsms(['--credentials', file]);
    await expect(connectStation(guarded.url, FORGED)).rejects.toThrow();
    const refused = await eventually('the refusal in the log', () =>
      guarded
        .output()
        .stdout.split('\n')
        .find((l) => l.includes('refused')),
    );
    expect(refused).toContain('CS1\\u000a2026-01-01T00:00:00.000Z  ADMIN');
    // Refused for its control characters (400) before its password is even asked (401).
    expect(refused).toContain('\\u001b[31m  refused: HTTP 400');
    expect(guarded.output().stdout).not.toContain('\u001b');
  });
});
