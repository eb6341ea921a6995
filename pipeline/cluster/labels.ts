/**
 * Human labels for semantic clusters: the most distinctive words (share of the cluster's prompts
 * containing a word against the share of the other prompts, scored p_c · log(p_c / p_rest) — a
 * document-frequency TF-IDF contrast) and the opening words of the prompts nearest the centroid.
 */
const STOPWORDS = new Set(
  (
    'the a an and or but if then else of to in on at by for with from as is are was were be been being this that these those it its ' +
    'which who whom what when where why how than too very can could should would will shall may might must do does did done have has had ' +
    'not no nor so such only own same other some any each few more most all both into out over under again further once here there about ' +
    'above below between through during before after up down off per via also just you your yours we our ours they them their theirs he him ' +
    'his she her hers i me my mine one two three let lets given following answer question questions options option choose select correct ' +
    'true false which best statement statements find value number use using write many much'
  ).split(/\s+/),
);

export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (raw.length < 3 || raw.length > 30) continue;
    if (/^\p{N}+$/u.test(raw)) continue;
    if (STOPWORDS.has(raw)) continue;
    out.push(raw);
  }
  return out;
}

/** Top distinctive words per cluster (at most `top`), from item texts and labels (−1 ignored). */
export function distinctiveWords(texts: (string | null)[], labels: ArrayLike<number>, k: number, top = 4): string[][] {
  const docs = texts.map((t) => (t ? new Set(tokenize(t)) : new Set<string>()));
  const dfAll = new Map<string, number>();
  const dfC: Map<string, number>[] = Array.from({ length: k }, () => new Map());
  const size = new Float64Array(k);
  let nDocs = 0;
  docs.forEach((words, i) => {
    const c = labels[i];
    if (c < 0 || !texts[i]) return;
    nDocs++;
    size[c]++;
    for (const w of words) {
      dfAll.set(w, (dfAll.get(w) ?? 0) + 1);
      dfC[c].set(w, (dfC[c].get(w) ?? 0) + 1);
    }
  });
  const alpha = 1 / Math.max(nDocs, 1);
  return dfC.map((df, c) => {
    const rest = nDocs - size[c];
    const minDf = Math.max(1, Math.min(3, Math.ceil(0.05 * size[c])));
    const scored: [string, number][] = [];
    for (const [w, dc] of df) {
      if (dc < minDf) continue;
      const pc = dc / size[c];
      const pr = rest > 0 ? ((dfAll.get(w) ?? 0) - dc) / rest : 0;
      scored.push([w, pc * Math.log((pc + alpha) / (pr + alpha))]);
    }
    scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return scored.slice(0, top).map(([w]) => w);
  });
}

/** The first `words` words of a prompt, whitespace collapsed. */
export function opening(text: string, words = 10): string {
  const parts = text.trim().split(/\s+/);
  return parts.slice(0, words).join(' ') + (parts.length > words ? ' …' : '');
}
