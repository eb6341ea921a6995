import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BitColumns } from '../../pipeline/correlate/kernel/bit-columns.ts';
// @ts-expect-error: plain .mjs build script without types
import { assembleWat, wasmModuleSource } from '../../scripts/build-wasm.mjs';

const kernelDir = fileURLToPath(new URL('../../pipeline/correlate/kernel/', import.meta.url));

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('popcount kernel', () => {
  it('the committed module is the assembled popcount.wat (run npm run build:wasm after editing it)', async () => {
    const bytes: Buffer = await assembleWat(kernelDir + 'popcount.wat');
    expect(readFileSync(kernelDir + 'popcount-wasm.ts', 'utf8')).toBe(wasmModuleSource('popcount', bytes));
  });

  it.each([1, 31, 63, 64, 65, 130, 1000])('counts equal bit-by-bit counts (%i models, missing cells)', (m) => {
    const n = 7;
    const rnd = lcg(m);
    const x: number[][] = [];
    const bc = new BitColumns(n, m);
    expect(bc.words % 2).toBe(0);
    expect(bc.words * 32).toBeGreaterThanOrEqual(m);
    for (let i = 0; i < n; i++) {
      const col: number[] = [];
      for (let k = 0; k < m; k++) {
        const u = rnd();
        const v = u < 0.1 * (i % 3) ? NaN : u < 0.6 ? 1 : 0;
        col.push(v);
        if (v === v) bc.mask[i * bc.words + (k >>> 5)] |= 1 << (k & 31);
        if (v === 1) bc.bits[i * bc.words + (k >>> 5)] |= 1 << (k & 31);
      }
      x.push(col);
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let n11 = 0, c = 0, sx = 0, sy = 0;
        for (let k = 0; k < m; k++) {
          const a = x[i][k], b = x[j][k];
          if (a === 1 && b === 1) n11++;
          if (a === a && b === b) {
            c++;
            sx += a;
            sy += b;
          }
        }
        expect(bc.n11(i, j)).toBe(n11);
        expect(bc.masked(i, j)).toBe(n11);
        expect([...bc.counts]).toEqual([c, sx, sy]);
      }
    }
    // Blocks: column j against columns i0 … i0 + count − 1 (x = the block column).
    for (const [j, i0, count] of [[0, 1, 6], [6, 0, 6], [3, 2, 1]]) {
      bc.n11Block(j, i0, count);
      const n11s = [...bc.blockCounts.subarray(0, count)];
      bc.maskedBlock(j, i0, count);
      for (let r = 0; r < count; r++) {
        const n11 = bc.masked(i0 + r, j);
        expect(n11s[r]).toBe(n11);
        expect([...bc.blockCounts.subarray(4 * r, 4 * r + 4)]).toEqual([n11, ...bc.counts]);
      }
    }
  });

  it('refuses columns beyond WebAssembly memory with a message naming the size', () => {
    expect(() => new BitColumns(2e6, 20000)).toThrow(/2000000 prompts × 20000 models is too large/);
  });
});
