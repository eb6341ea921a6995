/**
 * The distilled model's vocabulary and its Hugging Face tokenizer files.
 *
 * No BERT WordPiece vocabulary is available offline, so the vocabulary is derived deterministically
 * from the teacher's own SentencePiece pieces (Universal Sentence Encoder lite: 8,000 unigram
 * pieces with log-probabilities): a word-initial piece "▁word" becomes the WordPiece token "word",
 * a word-internal piece "ing" becomes "##ing", and every character seen gets both forms so no word
 * falls back to [UNK]. Optional extra whole words (e.g. from a benchmark) become tokens of their own,
 * which the teacher then embeds as words. The tokenizer is a standard `WordPiece` tokenizer.json
 * (BertNormalizer without lower-casing, because the teacher is cased; BertPreTokenizer), which
 * transformers.js's AutoTokenizer loads like any BERT tokenizer and tokenises fast (greedy
 * longest-match, no lattice).
 */

export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
export const CONTINUATION = '##';
const SP_SPACE = '\u2581';

export interface VocabEntry {
  /** The WordPiece token ("word" or "##piece"). */
  token: string;
  /** The text the teacher embeds for this token ("" for specials). */
  teacherText: string;
  /** Unigram log-probability (from the teacher's vocabulary, or an estimate for extra words). */
  logProb: number;
}

export interface VocabOptions {
  /** Keep at most this many tokens (specials and single characters always kept). */
  maxSize: number;
  /** Extra whole words to add as tokens (deduplicated, kept in the given order). */
  extraWords?: string[];
}

/** Unicode punctuation as BertPreTokenizer splits it (its own tokens). */
const PUNCT_RE = /^[\p{P}\p{S}]$/u;
const HAS_PUNCT_RE = /[\p{P}\p{S}]/u;
const HAS_SPACE_RE = /\s/u;

/**
 * Build a WordPiece vocabulary from SentencePiece pieces `[piece, logProb]` (the teacher's order =
 * by decreasing probability). Deterministic: the same pieces give the same vocabulary.
 */
export function wordPieceVocab(pieces: [string, number][], options: VocabOptions): VocabEntry[] {
  const out: VocabEntry[] = [
    { token: PAD_TOKEN, teacherText: '', logProb: 0 },
    // [UNK] (unknown characters, and the single token of a text with none) gets the teacher's vector of
    // the literal "[UNK]": a fixed, non-zero direction; with SIF its weight (p = 1) is ~a, so inside a
    // text it barely counts.
    { token: UNK_TOKEN, teacherText: UNK_TOKEN, logProb: 0 },
  ];
  const seen = new Set(out.map((e) => e.token));
  const add = (token: string, teacherText: string, logProb: number) => {
    if (seen.has(token)) return;
    seen.add(token);
    out.push({ token, teacherText, logProb });
  };
  // Characters first (always kept): they guarantee coverage of every word made of known characters.
  const chars = new Map<string, number>();
  let minLogProb = 0;
  for (const [piece, lp] of pieces) {
    if (lp >= 0) continue; // reserved symbols (<s>, </s>, unk, extra ids) carry score 0
    minLogProb = Math.min(minLogProb, lp);
    for (const ch of piece.replaceAll(SP_SPACE, '')) if (!HAS_SPACE_RE.test(ch)) chars.set(ch, Math.max(chars.get(ch) ?? -Infinity, lp));
  }
  const charList = [...chars.keys()].sort();
  for (const ch of charList) add(ch, ch, chars.get(ch)!);
  for (const ch of charList) if (!PUNCT_RE.test(ch)) add(CONTINUATION + ch, ch, chars.get(ch)!);

  const words: VocabEntry[] = [];
  for (const [piece, lp] of pieces) {
    if (lp >= 0) continue;
    const initial = piece.startsWith(SP_SPACE);
    const body = initial ? piece.slice(1) : piece;
    if (body === '' || HAS_SPACE_RE.test(body)) continue;
    // BertPreTokenizer isolates punctuation: mixed pieces like "▁(a" could never match.
    if (HAS_PUNCT_RE.test(body) && !(body.length === 1 && PUNCT_RE.test(body))) continue;
    if (PUNCT_RE.test(body)) words.push({ token: body, teacherText: body, logProb: lp });
    else words.push({ token: initial ? body : CONTINUATION + body, teacherText: body, logProb: lp });
  }
  const extra = (options.extraWords ?? []).filter((w) => w !== '' && !HAS_SPACE_RE.test(w) && !HAS_PUNCT_RE.test(w));
  // Extra words rank as rare pieces would: below every teacher piece.
  for (const w of extra) words.push({ token: w, teacherText: w, logProb: minLogProb - 1 });
  for (const e of words) {
    if (out.length >= options.maxSize) break;
    add(e.token, e.teacherText, e.logProb);
  }
  return out;
}

/** tokenizer.json (Hugging Face `tokenizers` format) for a WordPiece vocabulary. */
export function wordPieceTokenizerJson(vocab: VocabEntry[], maxTokens: number): Record<string, unknown> {
  const ids: Record<string, number> = {};
  vocab.forEach((e, i) => (ids[e.token] = i));
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: maxTokens > 0 ? { direction: 'Right', max_length: maxTokens, strategy: 'LongestFirst', stride: 0 } : null,
    padding: null,
    added_tokens: [special(ids[PAD_TOKEN], PAD_TOKEN), special(ids[UNK_TOKEN], UNK_TOKEN)],
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: false },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: CONTINUATION, cleanup: true },
    model: { type: 'WordPiece', unk_token: UNK_TOKEN, continuing_subword_prefix: CONTINUATION, max_input_chars_per_word: 100, vocab: ids },
  };
}

export function tokenizerConfigJson(maxTokens: number): Record<string, unknown> {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: false,
    strip_accents: false,
    tokenize_chinese_chars: true,
    clean_up_tokenization_spaces: true,
    model_max_length: maxTokens > 0 ? maxTokens : 1000000,
    pad_token: PAD_TOKEN,
    unk_token: UNK_TOKEN,
  };
}

/**
 * Words of a text corpus by decreasing frequency (ties alphabetical), as BertPreTokenizer would
 * split them: runs of letters/digits/marks. Words seen once, and numbers, are left out.
 */
export function wordsFromText(text: string, minCount = 2): string[] {
  const counts = new Map<string, number>();
  for (const m of text.normalize('NFC').matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    const w = m[0];
    if (w.length < 2 || /^\p{N}+$/u.test(w)) continue;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([w]) => w);
}
