import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OcppSubprotocol } from '@ocpp/runtime';
import { describe, expect, it } from 'vitest';
import { corpus as corpus16 } from '../../conformance/corpus/ocpp1.6.js';
import { corpus as corpus201 } from '../../conformance/corpus/ocpp2.0.1.js';
import { corpus as corpus21 } from '../../conformance/corpus/ocpp2.1.js';
import type { CorpusCase, SingleFrameCase } from '../../conformance/src/corpus.js';
import { FAILING_VENDORS } from '../../conformance/src/oracle.js';
import { PROTOCOLS } from '../src/validate/verdict.js';
import { runCli, startTestCsms } from './helpers/cli.js';

/**
 * DataTransfer vendors whose answer the conformance fixtures' handler chooses (not the frame):
 * the failing ones, and `slow`, which answers late.
 */
const HANDLER_VENDORS = new Set([...FAILING_VENDORS, 'slow']);

interface Expectation {
  readonly protocol: OcppSubprotocol;
  readonly rule: string;
  /** What `ocpp validate` must say about the last frame of the case. */
  readonly want:
    | { readonly valid: true }
    | { readonly reply: 'CALLERROR' | 'CALLRESULTERROR'; readonly code: string }
    | { readonly reply: 'none'; readonly invalid?: true };
}

interface Verdict {
  readonly line: number;
  readonly valid: boolean;
  readonly code?: string;
  readonly path?: string;
  readonly reply?: string;
}

/**
 * Turns the conformance corpus into `ocpp validate` input: one JSON log record per frame (with
 * the sender, the version and a per-case identity so message ids of different cases never mix),
 * and what the verdict of each case's frame must be. Cases whose answer depends on a handler
 * (its errors, a missing handler) or on frames in flight (duplicates) say nothing about the frame
 * alone and are left out.
 */
function buildInput(): { lines: string[]; expectations: Map<number, Expectation>; left: string[] } {
  const lines: string[] = [];
  const expectations = new Map<number, Expectation>();
  const left: string[] = [];
  const sets: [OcppSubprotocol, readonly CorpusCase[]][] = [
    ['ocpp1.6', corpus16],
    ['ocpp2.0.1', corpus201],
    ['ocpp2.1', corpus21],
  ];
  for (const [protocol, cases] of sets) {
    const p = PROTOCOLS[protocol];
    cases.forEach((c, index) => {
      if (typeof c.send !== 'string') {
        left.push(`${protocol} ${c.rule} (several frames in flight)`);
        return;
      }
      const single = c as SingleFrameCase;
      const identity = `case-${protocol}-${index}`;
      const ourId = `our-${index}`;
      const peer = c.role === 'csms' ? 'station' : 'csms';
      const text = single.send.replaceAll('$id', ourId);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const action = Array.isArray(parsed) && typeof parsed[2] === 'string' ? parsed[2] : '';
      const payload = Array.isArray(parsed)
        ? (parsed[3] as Record<string, unknown> | undefined)
        : undefined;
      const expect = single.expect as unknown;
      const answer = Array.isArray(expect) ? (expect as unknown[]) : undefined;
      const code = answer !== undefined && typeof answer[2] === 'string' ? answer[2] : undefined;
      if (
        action === 'DataTransfer' &&
        typeof payload?.vendorId === 'string' &&
        HANDLER_VENDORS.has(payload.vendorId)
      ) {
        left.push(`${protocol} ${c.rule} (the handler chooses the answer)`);
        return;
      }
      let want: Expectation['want'];
      if (answer === undefined) {
        want =
          c.outcome !== undefined &&
          c.outcome !== 'pending' &&
          'rejects' in c.outcome &&
          JSON.stringify(c.outcome.rejects).includes('VALIDATION_FAILED')
            ? { reply: 'none', invalid: true }
            : { reply: 'none' };
      } else if (answer[0] === 3) {
        want = { valid: true };
      } else if (code === 'NotSupported' && p.isAction(action)) {
        const entry = p.actions[action]!;
        const sentRightWay =
          entry.kind === 'CALL' &&
          (entry.direction === 'Both' ||
            entry.direction === (peer === 'station' ? 'StationToCsms' : 'CsmsToStation'));
        if (sentRightWay) {
          // The fixture has no handler: the session refuses before looking at the payload.
          left.push(`${protocol} ${c.rule} (no handler in the fixture)`);
          return;
        }
        want = { reply: 'CALLERROR', code };
      } else if (answer[0] === 4 || answer[0] === 5) {
        want = { reply: answer[0] === 4 ? 'CALLERROR' : 'CALLRESULTERROR', code: code! };
      } else {
        left.push(`${protocol} ${c.rule} (unexpected expectation)`);
        return;
      }
      if (c.call !== undefined) {
        const call = JSON.stringify([2, ourId, c.call.action, c.call.payload]);
        lines.push(JSON.stringify({ identity, protocol, from: c.role, frame: call }));
      }
      lines.push(JSON.stringify({ identity, protocol, from: peer, frame: text }));
      expectations.set(lines.length, { protocol, rule: c.rule, want });
    });
  }
  return { lines, expectations, left };
}

describe('ocpp validate on the conformance corpus', () => {
  it('gives every frame the answer the corpus expects, with the version-correct code', async () => {
    const { lines, expectations, left } = buildInput();
    const dir = mkdtempSync(join(tmpdir(), 'ocpp-validate-'));
    const file = join(dir, 'corpus.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['validate', '--json', file]);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as { verdicts: Verdict[]; invalid: number };
    const byLine = new Map(report.verdicts.map((v) => [v.line, v]));
    const mismatches: string[] = [];
    const codes = new Set<string>();
    for (const [line, e] of expectations) {
      const v = byLine.get(line);
      if (v === undefined) {
        mismatches.push(`${e.protocol} ${e.rule}: no verdict`);
        continue;
      }
      const w = e.want;
      const ok =
        'valid' in w
          ? v.valid
          : w.reply === 'none'
            ? v.reply === undefined && (w.invalid !== true || !v.valid)
            : v.reply === w.reply && v.code === w.code;
      if ('code' in w) codes.add(`${e.protocol} ${w.code}`);
      if (!ok)
        mismatches.push(
          `${e.protocol} ${e.rule}: want ${JSON.stringify(w)}, got ${JSON.stringify(v)}`,
        );
    }
    expect(mismatches).toEqual([]);
    // The corpus exercises every payload and frame code of each version's table.
    for (const expected of [
      'ocpp1.6 FormationViolation',
      'ocpp1.6 OccurenceConstraintViolation',
      'ocpp1.6 PropertyConstraintViolation',
      'ocpp1.6 TypeConstraintViolation',
      'ocpp1.6 ProtocolError',
      'ocpp1.6 NotImplemented',
      'ocpp2.0.1 FormatViolation',
      'ocpp2.0.1 OccurrenceConstraintViolation',
      'ocpp2.0.1 RpcFrameworkError',
      'ocpp2.0.1 MessageTypeNotSupported',
      'ocpp2.1 PropertyConstraintViolation',
      'ocpp2.1 RpcFrameworkError',
    ]) {
      expect(codes).toContain(expected);
    }
    expect(expectations.size).toBeGreaterThan(220);
    expect(left.length).toBeLessThan(45);
    expect(result.code).toBe(1); // the corpus has invalid frames
  });
});

describe('ocpp validate on text input', () => {
  it('prints a verdict per frame with the code and the field path, exit 1 on an invalid frame', async () => {
    const input = [
      '[2,"1","BootNotification",{"chargePointVendor":"Acme"}]',
      '[3,"1",{"status":"Accepted","currentTime":"2025-03-14T09:26:53Z","interval":300}]',
      '[2,"2","Heartbeat",{}]',
    ].join('\n');
    const r = await runCli(['validate', '--protocol', 'ocpp1.6', '-'], { input });
    expect(r.stdout).toContain(
      'line 1  ocpp1.6  CALL BootNotification: OccurenceConstraintViolation at /chargePointModel',
    );
    expect(r.stdout).toContain('line 2  ocpp1.6  CALLRESULT BootNotification: ok');
    expect(r.stdout).toContain('line 3  ocpp1.6  CALL Heartbeat: ok');
    expect(r.stdout).toContain('3 frames: 2 valid, 1 invalid');
    expect(r.code).toBe(1);
  });

  it('exits 0 when every frame is valid, and reads frames out of log lines', async () => {
    const input = [
      '2025-03-14T09:26:53.120Z  CS1  ocpp2.0.1  station→csms  [2,"a","Heartbeat",{}]',
      '2025-03-14T09:26:53.121Z  CS1  ocpp2.0.1  csms→station  [3,"a",{"currentTime":"2025-03-14T09:26:53Z"}]',
      '',
      'some unrelated log line',
    ].join('\n');
    const r = await runCli(['validate', '-'], { input });
    expect(r.stdout).toContain('line 2  ocpp2.0.1  CALLRESULT Heartbeat: ok');
    // The blank line and the log line: two lines without a frame.
    expect(r.stdout).toContain('2 frames: 2 valid, 0 invalid; 2 lines without a frame skipped');
    expect(r.code).toBe(0);
  });

  it('spells the code as the version does (1.6 FormationViolation, 2.x FormatViolation)', async () => {
    const frame = '[2,"x","Heartbeat",{"extra":1}]';
    const v16 = await runCli(['validate', '--protocol', 'ocpp1.6', '-'], { input: frame });
    const v21 = await runCli(['validate', '--protocol', 'ocpp2.1', '-'], { input: frame });
    expect(v16.stdout).toContain('FormationViolation at /extra');
    expect(v21.stdout).toContain('FormatViolation at /extra');
  });

  it('checks the direction when the sender is known', async () => {
    const frame =
      '[2,"x","RequestStartTransaction",{"idToken":{"idToken":"T","type":"Central"},"remoteStartId":1}]';
    const fromCsms = await runCli(['validate', '--protocol', 'ocpp2.0.1', '--from', 'csms', '-'], {
      input: frame,
    });
    const fromStation = await runCli(
      ['validate', '--protocol', 'ocpp2.0.1', '--from', 'station', '-'],
      { input: frame },
    );
    expect(fromCsms.code).toBe(0);
    expect(fromStation.stdout).toContain('NotSupported');
    expect(fromStation.code).toBe(1);
  });

  it('asks for --protocol once when lines do not name the version, counting them not checked', async () => {
    const r = await runCli(['validate', '-'], {
      input: '[2,"a","Heartbeat",{}]\n[2,"b","Heartbeat",{}]',
    });
    expect(r.stderr).toBe(
      'ocpp validate: 2 frames not checked: the lines do not say which OCPP version; pass --protocol ocpp1.6|ocpp2.0.1|ocpp2.1\n',
    );
    expect(r.stdout.split('\n')).toEqual([
      'line 1  ?  not checked: the line does not say which OCPP version it is: pass --protocol',
      'line 2  ?  not checked: the line does not say which OCPP version it is: pass --protocol',
      '2 frames: 0 valid, 0 invalid, 2 not checked (2 without a version)',
      '',
    ]);
    // Nothing could be judged: no pass.
    expect(r.code).toBe(1);
    const mixed = await runCli(['validate', '-'], {
      input: 'ocpp2.0.1 station→csms [2,"a","Heartbeat",{}]\n[2,"b","Heartbeat",{}]',
    });
    expect(mixed.stdout).toContain(
      '2 frames: 1 valid, 0 invalid, 1 not checked (1 without a version)',
    );
    expect(mixed.code).toBe(0);
  });

  it('fails with one line for a missing file', async () => {
    const r = await runCli(['validate', '--protocol', 'ocpp1.6', '/nonexistent/frames.jsonl']);
    expect(r.stderr).toBe('ocpp validate: cannot read /nonexistent/frames.jsonl: no such file\n');
    expect(r.code).toBe(1);
  });
});

describe('ocpp validate reads the logs of ocpp csms', () => {
  it('judges every frame of a text log and of a JSON log as valid, CALLRESULTs included', async () => {
    for (const format of ['text', 'json']) {
      const csms = await startTestCsms(['--log-format', format]);
      const fleet = await runCli([
        'simulate',
        '--url',
        csms.url,
        '--stations',
        '3',
        '--session-duration',
        '0.5',
        '--meter-interval',
        '0.2',
      ]);
      expect(fleet.code).toBe(0);
      await csms.stop();
      const log = csms.output().stdout;
      const r = await runCli(['validate', '--json', '-'], { input: log });
      const report = JSON.parse(r.stdout) as {
        frames: number;
        valid: number;
        invalid: number;
        unchecked: number;
      };
      expect(report.invalid).toBe(0);
      expect(report.unchecked).toBe(0);
      expect(report.valid).toBe(report.frames);
      expect(report.frames).toBeGreaterThan(40);
      expect(r.code).toBe(0);
    }
  });
});
