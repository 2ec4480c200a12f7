import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { GenericCsms, GenericStation } from '../src/index.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const csmsExample = readFileSync(join(root, 'test', 'readme-example.ts'), 'utf8');
const stationExample = readFileSync(join(root, 'test', 'readme-station-example.ts'), 'utf8');
const out = join(root, 'test', '.readme');

/** Applies one textual change that must match exactly once, so a drifting README fails here. */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text.split(from).length - 1, `"${from}" occurs once`).toBe(1);
  return text.replace(from, to);
}

function runnable(name: string, text: string): Promise<Record<string, unknown>> {
  mkdirSync(out, { recursive: true });
  const file = join(out, `${name}.ts`);
  writeFileSync(file, text.replaceAll("from '@ocpp/generic-api'", "from '../../src/index.js'"));
  return import(file);
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('README', () => {
  it('shows the type-checked examples verbatim', () => {
    expect(readme).toContain(`\`\`\`ts\n${csmsExample}\`\`\``);
    expect(readme).toContain(`\`\`\`ts\n${stationExample}\`\`\``);
    // "a CSMS of about 40 lines"
    expect(csmsExample.trimEnd().split('\n').length).toBeLessThanOrEqual(42);
  });

  it('the CSMS example serves 1.6, 2.0.1 and 2.1 stations on one port; the station example runs in each version', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    let csms = replaceOnce(
      csmsExample,
      'createWsServer({ port: 9000 })',
      "createWsServer({ host: '127.0.0.1', port: 0 })",
    );
    csms = replaceOnce(
      csms,
      'await listener.listen();',
      'export const port = await listener.listen();',
    );
    csms = `${csms}\nexport { csms };\n`;
    const server = await runnable('csms', csms);
    const generic = server.csms as GenericCsms;
    const stopAll = server.stopAll as (identity: string) => Promise<void>;
    const stations: GenericStation[] = [];
    try {
      for (const [version, identity] of [
        ['ocpp1.6', 'CS-16'],
        ['ocpp2.0.1', 'CS-201'],
        ['ocpp2.1', 'CS-21'],
      ] as const) {
        let station = replaceOnce(
          stationExample,
          "const protocol = 'ocpp1.6';",
          `const protocol = '${version}';`,
        );
        station = replaceOnce(
          station,
          "'ws://localhost:9000'",
          `'ws://127.0.0.1:${server.port as number}'`,
        );
        station = station.replaceAll("'CS001'", `'${identity}'`);
        station = `${station}\nexport { station, transactionId };\n`;
        const mod = await runnable(`station-${identity}`, station);
        const s = mod.station as GenericStation;
        stations.push(s);
        expect(s.version).toBe(version);
        await vi.waitFor(() => expect(generic.station(identity)?.transactions.size).toBe(1));
        await stopAll(identity);
        await vi.waitFor(() => expect(s.transactions.size).toBe(0));
        await vi.waitFor(() => expect(generic.station(identity)?.transactions.size).toBe(0));
        expect(log).toHaveBeenCalledWith(`${identity} booted: Acme Sim-1 over ${version}`);
        expect(log).toHaveBeenCalledWith(
          `${identity} transaction ${mod.transactionId as string}: 1800 Wh`,
        );
      }
      expect(generic.size).toBe(3);
      expect([...generic.stations()].map((s) => s.version).sort()).toEqual([
        'ocpp1.6',
        'ocpp2.0.1',
        'ocpp2.1',
      ]);
    } finally {
      log.mockRestore();
      for (const s of stations) await s.close();
      await generic.close();
    }
  });
});
