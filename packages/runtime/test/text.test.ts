import { describe, expect, it } from 'vitest';
import { escapeControls } from '../src/text.js';

describe('escapeControls', () => {
  it('writes controls, separators and direction marks as \\uXXXX and leaves the rest', () => {
    expect(escapeControls('CS\n01\u001b[2J\u0000\u007f\u009b\u2028\u202e\u200fé 漢')).toBe(
      'CS\\u000a01\\u001b[2J\\u0000\\u007f\\u009b\\u2028\\u202e\\u200fé 漢',
    );
    expect(escapeControls('plain [2,"a","Heartbeat",{}]')).toBe('plain [2,"a","Heartbeat",{}]');
  });

  it('keeps a frame the same JSON', () => {
    const frame = JSON.stringify([2, 'a\u2028', 'DataTransfer', { data: '\u0085\u202e' }]);
    expect(JSON.parse(escapeControls(frame))).toEqual(JSON.parse(frame));
  });
});
