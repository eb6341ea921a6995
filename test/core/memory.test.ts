import { describe, expect, it } from 'vitest';
import { checkMemory, defaultMemoryBudget, parseMemorySize } from '../../pipeline/core/memory.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';

describe('memory budget', () => {
  it('parses sizes with units and rejects anything else with a one-line error', () => {
    expect(parseMemorySize('123456')).toBe(123456);
    expect(parseMemorySize('800M')).toBe(800 * 2 ** 20);
    expect(parseMemorySize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseMemorySize('6g')).toBe(6 * 2 ** 30);
    expect(parseMemorySize(' 64 kb ')).toBe(64 * 1024);
    for (const bad of ['', 'lots', '-1G', '0', '5X', '1e9']) {
      const e = (() => {
        try {
          parseMemorySize(bad);
        } catch (x) {
          return x;
        }
      })();
      expect(e, bad).toBeInstanceOf(CovaryError);
      expect((e as CovaryError).toLine()).toContain('COVARY_MEMORY_BUDGET');
    }
  });

  it('passes under the budget and names the size, the need and the advice above it', () => {
    const est = { bytes: 3 * 2 ** 30, size: '5,000 models × 30,000 prompts' };
    expect(() => checkMemory('correlate', est, 4 * 2 ** 30, 'pass --workers 1')).not.toThrow();
    let err: CovaryError | null = null;
    try {
      checkMemory('correlate', est, 2 * 2 ** 30, 'pass --workers 1');
    } catch (e) {
      err = e as CovaryError;
    }
    expect(err).toBeInstanceOf(CovaryError);
    const line = err!.toLine();
    expect(line).not.toContain('\n');
    expect(line).toContain('correlate: 5,000 models × 30,000 prompts needs about 3.0 GiB of memory, more than the 2.0 GiB available');
    expect(line).toContain('pass --workers 1');
  });

  it('checks the heap part against V8\'s heap limit, whatever the budget', () => {
    let line = '';
    try {
      checkMemory('ingest', { bytes: 1, heapBytes: 2 ** 50, size: 'x' }, 2 ** 60, 'split');
    } catch (e) {
      line = (e as CovaryError).toLine();
    }
    expect(line).toMatch(/^ingest: x needs about .* of JavaScript heap, more than Node's .* limit \(split; or raise the limit with NODE_OPTIONS=--max-old-space-size=<MiB>\)$/);
    expect(() => checkMemory('ingest', { bytes: 1, heapBytes: 1, size: 'x' }, 2 ** 60, 'split')).not.toThrow();
    expect(defaultMemoryBudget()).toBeGreaterThan(0);
  });
});
