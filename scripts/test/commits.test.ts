import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Commit subjects stay readable in `git log --oneline` (CONTRIBUTING.md, "Commits"): at most 72
 * characters. Checked for the commits since the rule was written, so history before it stands.
 */
const RULE_SINCE = '454b8fd';

const root = join(import.meta.dirname, '..', '..');
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

describe('commit subjects', () => {
  it('are at most 72 characters since the rule', () => {
    const range = `${RULE_SINCE}..HEAD`;
    const long = git('log', '--format=%h %s', range)
      .split('\n')
      .filter((line) => line !== '' && line.length - line.indexOf(' ') - 1 > 72);
    expect(long).toEqual([]);
  });
});
