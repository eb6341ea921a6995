/** The methods paragraph, generated from the options each stage actually ran with. */
import type { Report } from './schema.ts';
import { intCount, pct } from './format.ts';

type Opts = Record<string, Record<string, unknown>>;

const val = (o: Record<string, unknown> | undefined, ...keys: string[]): string | null => {
  for (const k of keys) {
    const v = o?.[k];
    if (v !== undefined && v !== null && v !== '') return Array.isArray(v) ? v.join(', ') : String(v);
  }
  return null;
};

/** Which partition the cluster-robust intervals use, why, and how they are made. */
function clusterInferenceText(ci: NonNullable<Report['reweighting']>['clusterInference'] | null): string {
  if (!ci) return 'no clustering was available, so there are no cluster-robust intervals.';
  const partition =
    ci.source === 'inference'
      ? `the inference partition, ${ci.reason ?? `${ci.clusters} ${ci.basis ?? ''} clusters`}, chosen for valid cluster-robust inference rather than for display`
      : `the ${ci.source} clusters (${ci.clusters}; chosen with --bootstrap-clusters)`;
  const how =
    ci.method === 'pairs'
      ? `percentile intervals of the pairs cluster bootstrap (whole clusters resampled, ${ci.clusters} clusters)`
      : `a wild cluster bootstrap-t over its ${ci.clusters} clusters (every prompt kept, each cluster's residuals multiplied by one ${ci.wildWeights === 'webb' ? 'Webb 6-point' : 'Rademacher'} draw, unrestricted; percentile-t studentised by CR1, critical values never inside Student's t with C − 1 degrees of freedom), which keeps coverage near nominal where resampling tens of clusters whole does not`;
  return `cluster-robust intervals for scores and their paired differences use ${partition}: they are ${how}.${ci.fewClusters ? ` With only ${ci.clusters} clusters they rest on few clusters and are approximate.` : ''}`;
}

export function buildMethods(r: Omit<Report, 'methods' | 'verdict' | 'figures'>, opts: Opts): string {
  const parts: string[] = [];
  const b = r.benchmark;
  parts.push(`The analysis covers ${intCount(b.models)} models and ${intCount(b.prompts)} prompts; missing cells are excluded (never scored as wrong) everywhere.`);
  if (r.embedding) {
    parts.push(`Prompts were embedded with ${r.embedding.model} (${r.embedding.dims}-d, model files sha256 ${r.embedding.modelHash.slice(0, 12)}…, inputs truncated to ${r.embedding.maxTokens || 'no'} tokens${r.embedding.maxTokens ? '' : ' limit'}).`);
  }
  if (r.index) parts.push(`Semantic neighbours: ${r.index.k} nearest neighbours per prompt by cosine (${r.index.method}${r.index.recallAtK !== null ? `, recall@k ${r.index.recallAtK.toFixed(3)} against exact search` : ''}).`);
  const c = r.correlation;
  if (c) {
    parts.push(
      `Performance similarity between two prompts is the ${c.metric} similarity of their performance vectors over the models that have both (at least ${val(opts.correlate, 'minCommonModels') ?? 'a minimum number of'} common models); ` +
        `the mean is estimated by ${String((c as { estimators?: { mean?: string } }).estimators?.mean ?? 'pairwise averaging')}, and the distribution from ${c.pairs.exact ? 'all pairs' : `a seeded sample of ${intCount(c.pairs.evaluated)} pairs`}. ` +
        (c.testPrompts
          ? `Models × prompts exceed ${intCount(c.testPrompts.maxTestCells)} cells, so the statistics and every null (A, B and C) were computed on a seeded sample of ${intCount(c.testPrompts.sampled)} of the ${intCount(c.testPrompts.of)} prompts and pairs among them (the tests are exact for that sample; Null B keeps its submatrix's margins; --max-test-cells raises the cap). `
          : '') +
        `Null A permutes each prompt's vector across models independently (${c.nullA.replicates} replicates); null B (${c.nullB.method}) keeps every model's and every prompt's total (${c.nullB.replicates} replicates). ` +
        'Permutation p-values are (1 + #{null ≥ observed}) / (B + 1); z = (observed − null mean) / null sd; KS D compares the observed pairwise distribution with the pooled null one.',
    );
  }
  if (r.irt) parts.push(irtMethods(r.irt, opts.irt));
  if (r.clusters) {
    const s = r.clusters.semantic;
    const p = r.clusters.performance;
    parts.push(
      `Clusters: k-means (k-means++ initialisation, seeded) ${s ? `on prompt embeddings (k = ${s.k}${val(opts.cluster, 'k') ? ', given' : ', chosen by mean silhouette'})` : ''}${s && p ? ' and ' : ''}${p ? `on standardised performance vectors (k = ${p.k})` : ''}; stability is the adjusted Rand index between runs with different seeds.`,
    );
  }
  const rw = r.reweighting;
  if (rw) {
    parts.push(
      `Re-weighting: scores are Σ w_i S[k,i] with weights renormalised over the prompts each model has. Schemes: ${rw.schemes.map((x) => x.name).join(', ')}. ` +
        `95% intervals are percentile intervals of ${intCount(rw.bootstrap)} bootstrap replicates over prompts; ${clusterInferenceText(rw.clusterInference ?? null)} Clustered standard errors use CR1 (C/(C−1)); effective sample size is Kish's (Σw)²/Σw². ` +
        'Kendall τ_b handles ties. ' +
        rankMethods(rw),
    );
  }
  const e = r.explanation;
  if (e) {
    parts.push(
      `Explanation: a weighted least-squares regression over ${e.pairs.sampled ? 'a stratified sample of' : 'all'} ${intCount(e.pairs.used)} prompt pairs of ${e.response} on semantic cosine similarity, same-cluster and both-in-tag indicators, and difficulty controls (|p_i − p_j|, p_i + p_j); ` +
        `coefficient p-values by MRQAP with double semi-partialling and the Mantel test by permuting prompt labels (${intCount(e.permutations)} permutations); partial R² per block is (R²_full − R²_without block) / (1 − R²_without block). ` +
        (e.responseKind === 'residual-similarity' ? 'The main response is residual similarity (Q3: Pearson correlation over models of the residuals S − P̂ of the irt stage\'s one-ability fit), so the regression explains co-variation beyond model strength; raw performance similarity is fitted the same way as a secondary response. ' : '') +
        `Failure thresholds: ${Object.entries(e.thresholds)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}.`,
    );
  }
  parts.push(`Seed ${r.reproducibility.seed} for every random step; covary ${r.reproducibility.covaryVersion}.`);
  return parts.join(' ');
}

/** How rank confidence sets and swaps were computed, from the options actually used. */
function rankMethods(rw: NonNullable<Report['reweighting']>): string {
  const inf = rw.rankInference;
  const level = pct(1 - inf.alpha, 0);
  const ci = rw.clusterInference ?? null;
  const boot =
    inf.bootstrap === 'cluster'
      ? `${(inf.clusterMethod ?? ci?.method) === 'wild' ? 'wild cluster bootstrap' : 'cluster bootstrap (clusters resampled whole)'} over ${intCount(ci?.clusters ?? null)} ${ci?.source ?? ''} clusters${inf.df != null ? `, each observed t referred to Student's t with ${inf.df} degrees of freedom (C − 1) because the standard errors rest on that many clusters` : ''}`
      : 'prompt bootstrap (no clusters were available)';
  if (inf.method === 'projection')
    return (
      `Rank confidence sets by projection (Mogstad, Romano, Shaikh & Wilhelm 2024): with ${intCount(rw.schemes[0]?.models.length ?? null)} models the pairwise step-down (B × m² per step) gives way to ${level} simultaneous max-t intervals of the centred scores (each model's score minus the mean of all models', which cancels what moves every model alike in a replicate), centred score ± c × bootstrap SD, with c the ${level} quantile of the largest studentised deviation over all models in the ${boot}; a model is significantly better than another when their intervals do not overlap, and its set is [1 + number of models significantly better, m − number significantly worse]. ` +
      'These sets cover every rank at once; they are wider than the pairwise step-down\'s (most for strongly correlated models), and the marginal sets are the simultaneous ones. The τ-best set lists the models whose set starts at 1. ' +
      `A rank swap against uniform is a pair of models whose point estimates change order and whose intervals for the change of score (scheme − uniform, same paired bootstrap, simultaneous over all models × schemes) do not overlap, so the family-wise error stays at ${pct(inf.alpha, 0)} over all ${intCount(inf.swapFamily)} model pairs × schemes (${inf.swapSchemes.join(', ') || 'none'}); the adjusted p-value is the share of replicates whose largest deviation reaches the pair's |change of gap| / (sum of the two SDs). ` +
      'pOrder (the larger one-sided p of the two orders) shows whether each order is also clear on its own. ' +
      'Descriptive only: percentile intervals of bootstrap ranks (they under-cover near ties) and τ_b between two independent replicates of a scheme.'
    );
  return (
    `Rank confidence sets (Mogstad, Romano, Shaikh & Wilhelm 2024, as in the R package csranks): a model's ${level} set is [1 + number of models significantly better, m − number significantly worse], from step-down max-t tests of all pairwise differences, each studentised by its bootstrap standard deviation (pairwise-complete), with the null distribution of the largest studentised deviation taken from the ${boot}; ` +
    'marginal sets test the pairs involving the model, simultaneous sets all pairs at once (jointly covering every rank), and the τ-best set lists the models whose simultaneous set starts at 1. ' +
    `A rank swap against uniform is a pair of models whose point estimates change order and whose difference-in-differences (gap under the scheme − gap under uniform) differs from 0 on the same paired bootstrap (every scheme re-weights the same resampled prompts), two-sided, with step-down max-t adjusted p-values controlling the family-wise error at ${pct(inf.alpha, 0)} over all ${intCount(inf.swapFamily)} model pairs × schemes (${inf.swapSchemes.join(', ') || 'none'}); FWER rather than FDR so that "rankings move beyond noise" — at least one such swap under a content-based scheme — happens at most ${pct(inf.alpha, 0)} of the time when no re-weighting changes any gap between models. ` +
    'pOrder (the larger one-sided p of the two orders) shows whether each order is also clear on its own. ' +
    'Descriptive only: percentile intervals of bootstrap ranks (they under-cover near ties) and τ_b between two independent replicates of a scheme.'
  );
}

/** The irt stage's method, from the options it ran with (METHOD §2b). */
function irtMethods(irt: NonNullable<Report['irt']>, o: Record<string, unknown> | undefined): string {
  const model = irt.model === 'graded-one-factor' ? 'one-factor model with a logit link, E[S] = σ(a_i(θ_k − b_i)), fitted by Bernoulli quasi-likelihood' : irt.model === '3pl-fixed-guessing' ? '2PL with a fixed lower asymptote c_i, P = c_i + (1 − c_i) σ(a_i(θ_k − b_i))' : '2PL, P = σ(a_i(θ_k − b_i))';
  const prior = irt.prior.kind === 'none' ? 'no priors (--prior none: maximum likelihood; prompts without variance are not estimated)' : 'Bayes-modal priors (--prior default): b ~ N(0, 3²) and log a ~ N(μ, τ²) with μ and τ re-estimated from all prompts every cycle';
  const g = irt.guessing;
  const guessing = g.mode === 'none' ? 'no guessing' : g.mode === 'auto' ? `--guessing auto (c = 1/#options on ${intCount(g.promptsWithGuessing)} prompts)` : `--guessing ${g.value} on ${intCount(g.promptsWithGuessing)} prompts`;
  const cv = irt.crossValidation;
  const folds = cv[0]?.folds ?? val(o, 'folds');
  const maxK = cv.length ? Math.max(...cv.map((x) => x.k)) : val(o, 'maxDim');
  return (
    `One ability axis (irt stage): a unidimensional ${model}, abilities θ ~ N(0, 1), fitted by marginal maximum likelihood (EM over ${irt.quadrature.kind} Gauss–Hermite quadrature, ${irt.quadrature.points} points), with ${prior} and ${guessing}; converged when the largest change of any log a or b in a cycle is below 1e-4 (here: ${irt.convergence.converged ? 'converged' : 'not converged'} after ${intCount(irt.convergence.iterations)} cycles${irt.fitSample ? ` of the EM on a seeded sample of ${intCount(irt.fitSample.prompts)} of the ${intCount(irt.fitSample.of)} prompts, models × prompts exceeding ${intCount(irt.fitSample.maxCells)} cells; every prompt's a and b were then fitted given the abilities' posteriors, every ability given all prompts, and the log-likelihood is the Laplace approximation at them`: ''}). ` +
    `Null C is a parametric bootstrap from that fit (${intCount(irt.nullC?.replicates ?? (Number(val(o, 'permutationsC')) || null))} replicates): each replicate draws every model's ability and every prompt's (log a, b) from their posteriors, with every discrimination multiplied by one common factor chosen so that the null reproduces the observed mean similarity (small-sample discriminations are biased upwards; the mean row is therefore matched, not tested), then every observed cell (missing cells stay missing); its statistics are null A/B's (${val(o, 'metric') ?? 'the same'} similarity, the same prompts and pairs), and it counts as rejected when the mean squared similarity's p is below 0.025. ` +
    `The dimension is chosen by ${folds ?? 'K'}-fold cross-validation over held-out cells: the additive model, the 2PL and compensatory models σ(u_k·v_i + c_i) up to k = ${maxK ?? '–'}, each with an L2 penalty chosen by inner validation; the smallest k within one paired standard error of the best held-out loss. ` +
    `Yen's Q3 (residual correlations) is judged against its own null C distribution (${intCount(irt.q3?.nullC.replicates ?? (Number(val(o, 'q3Replicates')) || null))} replicates, each re-estimating item parameters and abilities as the observed residuals were; its test takes the mean square's z against a normal and rejects at z > 3.5, stricter than nominal because Q3's null sits about one sd low on unidimensional data); residual groups are k-means clusters (k by silhouette) of the prompts' loadings on the leading principal components of the standardised residuals. ` +
    'Families verdict: "families" when null C rejects at 0.025 or Q3 at z > 3.5 (together at most about 5%) or the dimension is at least 2; otherwise "discrimination-only" when null B is rejected, else "none"; no verdict without convergence.'
  );
}
