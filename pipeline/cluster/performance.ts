/**
 * Performance vectors of prompts (columns of the score matrix), standardised: centred over the
 * models, missing cells imputed at the prompt's mean (0 after centring), scaled to unit norm, so
 * the squared Euclidean distance between two prompts is 2(1 − r) with r their Pearson correlation.
 * Zero-variance prompts (all right / all wrong) have no direction and are set aside.
 */
export interface PerformanceVectors {
  /** n × m item-major; zero rows for zero-variance prompts. */
  z: Float64Array;
  /** The constant score of a zero-variance prompt (−Infinity when it has no results at all), NaN otherwise. */
  constant: Float64Array;
  /** Items with variance, in item order. */
  varying: Int32Array;
}

export function performanceVectors(scores: Float64Array, m: number, n: number): PerformanceVectors {
  const z = new Float64Array(n * m);
  const constant = new Float64Array(n).fill(NaN);
  const varying: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const v = scores[k * n + i];
      if (v === v) {
        s += v;
        c++;
      }
    }
    const mean = c ? s / c : 0;
    let ss = 0;
    for (let k = 0; k < m; k++) {
      const v = scores[k * n + i];
      const dlt = v === v ? v - mean : 0;
      z[i * m + k] = dlt;
      ss += dlt * dlt;
    }
    if (ss <= 1e-24) {
      constant[i] = c ? mean : -Infinity;
      for (let k = 0; k < m; k++) z[i * m + k] = 0;
      continue;
    }
    const inv = 1 / Math.sqrt(ss);
    for (let k = 0; k < m; k++) z[i * m + k] *= inv;
    varying.push(i);
  }
  return { z, constant, varying: Int32Array.from(varying) };
}
