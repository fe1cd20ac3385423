import { describe, expect, it } from 'vitest';
import { formatLog } from './container-log.js';

const content = [
  '2024-11-25T08:00:00.000Z stdout F hello',
  '2024-11-25T08:00:01.000Z stderr F oops',
  '2024-11-25T08:00:02.000Z stdout P no newline',
  '2024-11-25T08:00:03.000Z stdout F  yet',
  '',
].join('\n');

describe('formatLog', () => {
  it('prints the text of every entry', () => {
    expect(formatLog(content)).toBe('hello\noops\nno newline yet\n');
  });

  it('keeps the last N lines and prefixes timestamps', () => {
    expect(formatLog(content, { tailLines: 2, timestamps: true })).toBe('2024-11-25T08:00:02.000Z no newline2024-11-25T08:00:03.000Z  yet\n');
    expect(formatLog(content, { tailLines: 0 })).toBe('');
  });

  it('filters by time', () => {
    expect(formatLog(content, { since: new Date('2024-11-25T08:00:01.000Z'), tailLines: 1 })).toBe(' yet\n');
    expect(formatLog(content, { since: new Date('2024-11-25T08:00:01.000Z') })).toBe('oops\nno newline yet\n');
  });
});
