import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csmsSpec } from '../src/commands/csms.js';
import { demoSpec } from '../src/commands/demo.js';
import { simulateSpec } from '../src/commands/simulate.js';
import { validateSpec } from '../src/commands/validate.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('mentions every option of every command', () => {
    const missing: string[] = [];
    for (const spec of [simulateSpec, csmsSpec, demoSpec, validateSpec]) {
      for (const name of Object.keys(spec.options)) {
        if (!readme.includes(`--${name}`)) missing.push(`ocpp ${spec.name} --${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('shows the web page screenshot that is in the package', () => {
    expect(readme).toContain('](docs/web-page.png)');
    expect(
      readFileSync(new URL('../docs/web-page.png', import.meta.url))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });
});
