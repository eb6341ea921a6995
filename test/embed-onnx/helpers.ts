/** A deterministic fake teacher and a tiny SentencePiece-style vocabulary for ONNX embedder tests. */
import { createRng } from '../../pipeline/core/rng.ts';
import type { Teacher } from '../../pipeline/embed/distill/teacher.ts';

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Unit vectors seeded by the text: same text → same vector, different texts → near-orthogonal. */
export function fakeTeacher(dims = 16): Teacher & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: 'fake-teacher',
    modelHash: 'f'.repeat(64),
    dims,
    calls,
    async embed(texts: string[]) {
      calls.push(texts);
      const out = new Float32Array(texts.length * dims);
      texts.forEach((t, i) => {
        const rng = createRng(fnv(t));
        let s = 0;
        for (let c = 0; c < dims; c++) s += (out[i * dims + c] = rng.normal()) ** 2;
        for (let c = 0; c < dims; c++) out[i * dims + c] /= Math.sqrt(s);
      });
      return out;
    },
    async close() {},
  };
}

/** SentencePiece pieces with log-probabilities, reserved symbols first (score 0) as in USE's vocab. */
export function tinyPieces(): [string, number][] {
  const words = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'run', 'a', 'big', 'red', 'car', 'drove', 'fast', 'house'];
  const pieces: [string, number][] = [['<unk>', 0], ['<s>', 0], ['</s>', 0], ['.', -3], [',', -3.2]];
  words.forEach((w, i) => pieces.push([`\u2581${w}`, -4 - i * 0.3]));
  pieces.push(['s', -4.5], ['ing', -5.5], ['ed', -5.6]);
  for (const ch of 'abcdefghijklmnopqrstuvwxyz') pieces.push([ch, -9]);
  return pieces;
}
