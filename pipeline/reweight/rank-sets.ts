/**
 * Confidence sets for ranks and controlled rank swaps (pure).
 *
 * Follows Mogstad, Romano, Shaikh & Wilhelm (2024, "Inference for ranks", R package csranks): a
 * model's rank set is [1 + #models significantly better, m − #models significantly worse], where
 * "significantly" comes from a step-down max-t test of the one-sided pairwise hypotheses
 * H_jk: θ_j ≤ θ_k (rejected ⇒ j is better than k). Two-sided sets test both directions of every
 * pair: for a marginal set the family is the 2(m−1) hypotheses that involve the model, for the
 * simultaneous sets it is all m(m−1) ordered pairs. The τ-best set (τ = 1, csranks `cstaubest`) is
 * the models whose simultaneous lower bound is 1: csranks' one-sided "lower" procedure tests the
 * same family with the same statistics, so the two coincide.
 *
 * Unlike csranks' parametric normal bootstrap, the null distribution comes from bootstrap
 * replicates of the whole m-vector of estimates (any resampling scheme: this module only sees the
 * B × m matrix). Each pairwise difference is studentised by the bootstrap SD of that difference,
 * computed pairwise-complete over replicates where both models have a score.
 *
 * Step-down max-t (Romano & Wolf 2005): order hypotheses by t descending; the adjusted p-value of
 * the r-th is the share of replicates whose maximum centred studentised deviation over hypotheses
 * r, r+1, … reaches t_r, made monotone. Rejecting all with adjusted p ≤ α is the csranks step-down
 * (remove the rejected hypotheses, recompute the critical value over the rest, repeat).
 */

/** Hypotheses "θ_j ≤ θ_k" in struct-of-arrays form; each reads the replicates of its own estimate vector. */
export interface HypothesisFamily {
  /** Which estimate vector (index into `replicates`) each hypothesis is about. */
  vector: Int32Array;
  j: Int32Array;
  k: Int32Array;
  /** Studentised observed difference (θ̂_j − θ̂_k) / se. */
  t: Float64Array;
  /** θ̂_j − θ̂_k. */
  d: Float64Array;
  se: Float64Array;
}

export interface StepDownResult {
  /** Bootstrap one-sided p-value of each hypothesis alone: (1 + #{z*_b ≥ t}) / (B' + 1). */
  p: Float64Array;
  /** Step-down max-t adjusted p-value (family-wise error over the whole family). */
  pAdjusted: Float64Array;
}

/**
 * Bootstrap SD of every pairwise difference, pairwise-complete over replicates. Returns m × m
 * (symmetric, NaN on the diagonal and where fewer than 2 replicates have both models).
 */
export function pairwiseDiffSe(replicates: Float64Array, m: number): Float64Array {
  const B = replicates.length / Math.max(m, 1);
  const se = new Float64Array(m * m).fill(NaN);
  for (let j = 0; j < m; j++) {
    for (let k = j + 1; k < m; k++) {
      let count = 0;
      let mean = 0;
      let m2 = 0;
      for (let b = 0; b < B; b++) {
        const x = replicates[b * m + j] - replicates[b * m + k];
        if (x !== x) continue;
        count++;
        const delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
      }
      const v = count >= 2 ? Math.sqrt(m2 / (count - 1)) : NaN;
      se[j * m + k] = v;
      se[k * m + j] = v;
    }
  }
  return se;
}

/** Differences whose bootstrap SD is this small relative to the scores are not testable (identical models). */
const SE_FLOOR = 1e-12;

/** Build the family of ordered-pair hypotheses over the given (j, k) list for one estimate vector. */
export function familyOf(pairs: { vector: number; j: number; k: number }[], estimates: Float64Array[], se: Float64Array[], m: number): HypothesisFamily {
  const usable = pairs.filter(({ vector, j, k }) => {
    const s = se[vector][j * m + k];
    return Number.isFinite(estimates[vector][j]) && Number.isFinite(estimates[vector][k]) && s > SE_FLOOR;
  });
  const H = usable.length;
  const f: HypothesisFamily = { vector: new Int32Array(H), j: new Int32Array(H), k: new Int32Array(H), t: new Float64Array(H), d: new Float64Array(H), se: new Float64Array(H) };
  usable.forEach(({ vector, j, k }, h) => {
    const d = estimates[vector][j] - estimates[vector][k];
    const s = se[vector][j * m + k];
    f.vector[h] = vector;
    f.j[h] = j;
    f.k[h] = k;
    f.d[h] = d;
    f.se[h] = s;
    f.t[h] = d / s;
  });
  return f;
}

/**
 * Step-down max-t over a family. `replicates[v]` is the B × m replicate matrix of estimate vector v
 * (all vectors share replicate b: a paired bootstrap). A replicate in which a hypothesis' models
 * lack a score does not contribute that hypothesis to the replicate's maximum.
 */
export function stepDownMaxT(f: HypothesisFamily, replicates: Float64Array[], m: number): StepDownResult {
  const H = f.t.length;
  const p = new Float64Array(H);
  const pAdjusted = new Float64Array(H);
  if (H === 0) return { p, pAdjusted };
  const B = replicates[0].length / m;
  const order = Array.from({ length: H }, (_, h) => h).sort((a, b) => f.t[b] - f.t[a] || a - b);
  const oVec = new Int32Array(H);
  const oJ = new Int32Array(H);
  const oK = new Int32Array(H);
  const oT = new Float64Array(H);
  const oD = new Float64Array(H);
  const oSe = new Float64Array(H);
  order.forEach((h, r) => {
    oVec[r] = f.vector[h];
    oJ[r] = f.j[h];
    oK[r] = f.k[h];
    oT[r] = f.t[h];
    oD[r] = f.d[h];
    oSe[r] = f.se[h];
  });
  const exceedMax = new Float64Array(H);
  const exceedOwn = new Float64Array(H);
  const used = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    const off = b * m;
    let max = -Infinity;
    // From the smallest t upwards: `max` is the largest deviation over hypotheses r, r+1, …, H−1.
    for (let r = H - 1; r >= 0; r--) {
      const rep = replicates[oVec[r]];
      const z = (rep[off + oJ[r]] - rep[off + oK[r]] - oD[r]) / oSe[r];
      if (z === z) {
        used[r]++;
        if (z >= oT[r]) exceedOwn[r]++;
        if (z > max) max = z;
      }
      if (max >= oT[r]) exceedMax[r]++;
    }
  }
  let running = 0;
  for (let r = 0; r < H; r++) {
    running = Math.max(running, (1 + exceedMax[r]) / (B + 1));
    pAdjusted[order[r]] = running;
    p[order[r]] = (1 + exceedOwn[r]) / (used[r] + 1);
  }
  return { p, pAdjusted };
}

export type RankInterval = [number, number];

export interface RankSets {
  /** Competition rank of each model among those with a finite estimate (NaN otherwise). */
  rank: Float64Array;
  /** Per model, null when its estimate is not finite. */
  marginal: (RankInterval | null)[];
  simultaneous: (RankInterval | null)[];
  /** Models that may be the best (simultaneous lower bound 1), in index order. */
  tauBest: number[];
  /** Models with a finite estimate (the m the sets count against). */
  ranked: number;
}

/**
 * Marginal and simultaneous two-sided rank confidence sets at level 1 − alpha, with step-down.
 * estimates: length m; replicates: B × m row-major (NaN = the model has no score in that replicate).
 */
export function rankConfidenceSets(estimates: Float64Array, replicates: Float64Array, alpha: number): RankSets {
  const m = estimates.length;
  if (m === 0 || replicates.length % m !== 0) throw new Error(`rankConfidenceSets: replicates length ${replicates.length} is not a multiple of m = ${m}`);
  const se = pairwiseDiffSe(replicates, m);
  const finite: number[] = [];
  for (let j = 0; j < m; j++) if (Number.isFinite(estimates[j])) finite.push(j);
  const M = finite.length;
  const rank = new Float64Array(m).fill(NaN);
  for (const j of finite) {
    let higher = 0;
    for (const k of finite) if (estimates[k] > estimates[j]) higher++;
    rank[j] = 1 + higher;
  }
  const setsFrom = (f: HypothesisFamily, res: StepDownResult, who: number[]): (RankInterval | null)[] => {
    const better = new Int32Array(m);
    const worse = new Int32Array(m);
    for (let h = 0; h < f.t.length; h++) {
      if (res.pAdjusted[h] > alpha) continue;
      worse[f.k[h]]++; // j significantly above k
      better[f.j[h]]++;
    }
    const out: (RankInterval | null)[] = new Array(m).fill(null);
    for (const i of who) out[i] = [1 + worse[i], M - better[i]];
    return out;
  };

  const allPairs: { vector: number; j: number; k: number }[] = [];
  for (const j of finite) for (const k of finite) if (j !== k) allPairs.push({ vector: 0, j, k });
  const simFamily = familyOf(allPairs, [estimates], [se], m);
  const simultaneous = setsFrom(simFamily, stepDownMaxT(simFamily, [replicates], m), finite);

  const marginal: (RankInterval | null)[] = new Array(m).fill(null);
  for (const i of finite) {
    const pairs: { vector: number; j: number; k: number }[] = [];
    for (const k of finite) {
      if (k === i) continue;
      pairs.push({ vector: 0, j: i, k }, { vector: 0, j: k, k: i });
    }
    const f = familyOf(pairs, [estimates], [se], m);
    marginal[i] = setsFrom(f, stepDownMaxT(f, [replicates], m), [i])[i];
  }
  const tauBest = finite.filter((i) => simultaneous[i]![0] === 1);
  return { rank, marginal, simultaneous, tauBest, ranked: M };
}

export interface Swap {
  /** Index of the estimate vector (scheme) the swap is under. */
  scheme: number;
  /** [model ahead under the reference (uniform), model ahead under the scheme]. */
  models: [number, number];
  /** Intersection-union p-value: max of the two one-sided bootstrap p-values. */
  p: number;
  /** max of the two step-down max-t adjusted p-values (family-wise error over all schemes × ordered pairs). */
  pAdjusted: number;
  significant: boolean;
  /** Reference difference θ̂_ref,a − θ̂_ref,b (> 0) and scheme difference θ̂_s,a − θ̂_s,b (< 0). */
  referenceGap: number;
  schemeGap: number;
}

export interface SwapResult {
  swaps: Swap[];
  /** Hypotheses in the family the adjusted p-values control the error over. */
  family: number;
  /** Per scheme: pairs whose point estimates change order (significant or not). */
  pointSwaps: number[];
}

/**
 * Pairs of models that change order between a reference vector (index 0, uniform) and each other
 * vector, with family-wise error control over all schemes and pairs.
 *
 * The null for a pair under scheme s is "the two weightings order the pair the same way in the
 * population" (θ_u,a − θ_u,b and θ_s,a − θ_s,b have the same sign, or one is 0). That is a union
 * of two one-sided nulls, so it is rejected only when both "a is not above b under uniform" and
 * "a is not below b under s" are rejected (an intersection-union test: exact level α at the
 * boundary, and no test of this null can do better there). The component hypotheses of every
 * scheme (uniform included) form one family of ordered-pair hypotheses tested by step-down max-t
 * on the paired bootstrap: with probability ≥ 1 − α no true component is rejected, so no reported
 * swap is false (family-wise error ≤ α over all models × schemes). A swap also needs the point
 * estimates to change order, which the two rejections imply.
 */
export function rankSwaps(estimates: Float64Array[], replicates: Float64Array[], alpha: number, skip: ReadonlySet<number> = new Set()): SwapResult {
  const V = estimates.length;
  const m = estimates[0]?.length ?? 0;
  const se = replicates.map((r) => pairwiseDiffSe(r, m));
  const pairs: { vector: number; j: number; k: number }[] = [];
  for (let v = 0; v < V; v++) {
    if (v > 0 && skip.has(v)) continue;
    for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) if (j !== k) pairs.push({ vector: v, j, k });
  }
  const f = familyOf(pairs, estimates, se, m);
  const res = stepDownMaxT(f, replicates, m);
  const index = new Map<number, number>();
  for (let h = 0; h < f.t.length; h++) index.set((f.vector[h] * m + f.j[h]) * m + f.k[h], h);
  const at = (v: number, j: number, k: number) => index.get((v * m + j) * m + k);
  const swaps: Swap[] = [];
  const pointSwaps = new Array(V).fill(0);
  const ref = estimates[0];
  for (let v = 1; v < V; v++) {
    if (skip.has(v)) continue;
    const est = estimates[v];
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        if (a === b) continue;
        const refGap = ref[a] - ref[b];
        const gap = est[a] - est[b];
        if (!(refGap > 0 && gap < 0)) continue;
        pointSwaps[v]++;
        const hu = at(0, a, b);
        const hs = at(v, b, a);
        if (hu === undefined || hs === undefined) continue;
        const pAdjusted = Math.max(res.pAdjusted[hu], res.pAdjusted[hs]);
        swaps.push({ scheme: v, models: [a, b], p: Math.max(res.p[hu], res.p[hs]), pAdjusted, significant: pAdjusted <= alpha, referenceGap: refGap, schemeGap: gap });
      }
    }
  }
  swaps.sort((x, y) => x.scheme - y.scheme || x.pAdjusted - y.pAdjusted || x.p - y.p || x.models[0] - y.models[0] || x.models[1] - y.models[1]);
  return { swaps, family: f.t.length, pointSwaps };
}
