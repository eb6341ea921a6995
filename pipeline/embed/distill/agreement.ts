/**
 * How well a student embedder agrees with its teacher on the same texts: mean overlap of top-k
 * cosine neighbours and Spearman correlation of all pairwise cosines. Both vector sets are
 * n × d row-major, rows L2-normalised (so dot = cosine); dims may differ between the two.
 */

/** Indices of the k largest values of sims (excluding `self`), largest first; ties by index. */
function topK(sims: Float64Array, k: number, self: number): number[] {
  const idx: number[] = [];
  for (let j = 0; j < sims.length; j++) if (j !== self) idx.push(j);
  idx.sort((a, b) => sims[b] - sims[a] || a - b);
  return idx.slice(0, k);
}

function rowSims(v: Float32Array, n: number, d: number, i: number): Float64Array {
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += v[i * d + c] * v[j * d + c];
    out[j] = s;
  }
  return out;
}

/** Mean over rows of |top-k(teacher) ∩ top-k(student)| / k. */
export function neighbourOverlap(teacher: Float32Array, dt: number, student: Float32Array, ds: number, n: number, k: number): number {
  if (n < 2) return NaN;
  const kk = Math.min(k, n - 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = new Set(topK(rowSims(teacher, n, dt, i), kk, i));
    let hit = 0;
    for (const j of topK(rowSims(student, n, ds, i), kk, i)) if (a.has(j)) hit++;
    total += hit / kk;
  }
  return total / n;
}

/** Average ranks (ties share their mean rank). */
export function ranks(x: Float64Array): Float64Array {
  const order = Array.from(x.keys()).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(x.length);
  for (let s = 0; s < order.length; ) {
    let e = s;
    while (e + 1 < order.length && x[order[e + 1]] === x[order[s]]) e++;
    const avg = (s + e) / 2 + 1;
    for (let t = s; t <= e; t++) r[order[t]] = avg;
    s = e + 1;
  }
  return r;
}

export function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function spearman(a: Float64Array, b: Float64Array): number {
  return pearson(ranks(a), ranks(b));
}

/** Spearman correlation between the two sets' cosines over all pairs i < j. */
export function pairwiseCosineSpearman(teacher: Float32Array, dt: number, student: Float32Array, ds: number, n: number): number {
  const m = (n * (n - 1)) / 2;
  const a = new Float64Array(m);
  const b = new Float64Array(m);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const ta = rowSims(teacher, n, dt, i);
    const sb = rowSims(student, n, ds, i);
    for (let j = i + 1; j < n; j++) {
      a[p] = ta[j];
      b[p] = sb[j];
      p++;
    }
  }
  return spearman(a, b);
}
