/**
 * The Universal Sentence Encoder lite tokenizer (a SentencePiece unigram Viterbi over a trie), as
 * in @energetic-ai/embeddings, re-implemented to give the SAME token ids in linear time: the
 * library's version copies the rest of the input at every position (`symbols.slice(i)`), which is
 * quadratic and makes prompts of tens of thousands of characters take seconds just to tokenise.
 */
export type Vocabulary = Array<[string, number]>;

const SEPARATOR = '\u2581';
/** Ids 0..5 are reserved (unk, <s>, </s>, extra tokens) and never matched by the trie. */
const RESERVED_SYMBOLS = 6;
/** The unknown-symbol id; consecutive unknowns collapse to one. */
const UNK = 0;

interface Node {
  children: Map<string, Node>;
  /** Vocabulary id when a piece ends here, else -1. */
  id: number;
  score: number;
  /** Length of the piece in symbols (code points). */
  len: number;
}

function newNode(len: number): Node {
  return { children: new Map(), id: -1, score: 0, len };
}

export class SentencePieceTokenizer {
  private readonly root: Node = newNode(0);
  private readonly pieceLength: Int32Array;

  constructor(vocabulary: Vocabulary) {
    this.pieceLength = new Int32Array(vocabulary.length);
    // UTF-16 length, as the library's backtracking uses (it differs from code points only for astral symbols).
    for (let i = 0; i < vocabulary.length; i++) this.pieceLength[i] = vocabulary[i][0].length;
    for (let i = RESERVED_SYMBOLS; i < vocabulary.length; i++) {
      const [piece, score] = vocabulary[i];
      let node = this.root;
      let depth = 0;
      for (const ch of piece) {
        depth++;
        let next = node.children.get(ch);
        if (!next) {
          next = newNode(depth);
          node.children.set(ch, next);
        }
        node = next;
      }
      // Later duplicates overwrite earlier ones, as the library's trie does.
      node.id = i;
      node.score = score;
    }
  }

  /** Token ids of `input` (identical to EmbeddingsModel.tokenizer.encode). */
  encode(input: string): number[] {
    const normalized = input.normalize('NFKC');
    const text = normalized.length > 0 ? SEPARATOR + normalized.replace(/ /g, SEPARATOR) : normalized;
    const symbols = [...text];
    const L = symbols.length;
    const best = new Float64Array(L + 1);
    const word = new Int32Array(L + 1);
    // Lattice: for each end position, candidates (start, id, score) in the order the library
    // visits them: by start position ascending, then by piece length ascending.
    const ends: Array<number[] | undefined> = new Array(L + 1);
    for (let i = 0; i < L; i++) {
      let node = this.root.children.get(symbols[i]);
      let found = false;
      for (let j = i; node && j < L; ) {
        if (node.id >= 0) {
          (ends[j + 1] ??= []).push(i, node.id, node.score);
          found = true;
        }
        j++;
        node = j < L ? node.children.get(symbols[j]) : undefined;
      }
      if (!found) (ends[i + 1] ??= []).push(i, UNK, 0);
    }
    for (let end = 0; end <= L; end++) {
      const cand = ends[end];
      if (!cand) continue;
      for (let c = 0; c < cand.length; c += 3) {
        const start = cand[c];
        const score = cand[c + 2] + best[start];
        if (best[end] === 0 || score >= best[end]) {
          best[end] = score;
          word[end] = cand[c + 1];
        }
      }
    }
    const out: number[] = [];
    let iter = L;
    while (iter > 0) {
      const id = word[iter];
      out.push(id);
      iter -= this.pieceLength[id];
    }
    const merged: number[] = [];
    let previousUnk = false;
    for (const id of out) {
      if (!(previousUnk && id === UNK)) merged.push(id);
      previousUnk = id === UNK;
    }
    return merged.reverse();
  }
}
