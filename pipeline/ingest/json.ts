/**
 * JSON.parse that never rounds an integer: an integer literal outside ±(2^53 − 1) (e.g. a 19-digit
 * item id) is read from the source text as a string, so two distinct ids cannot collide and an id
 * still matches the same id written as a string elsewhere. Everything else parses as JSON.parse
 * does. Node 20's JSON.parse gives a reviver no access to the source text, hence this scan.
 */

/** 16 digits in a row: the shortest integer literal that can exceed Number.MAX_SAFE_INTEGER. */
const LONG_DIGITS = /\d{16}/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The text with every unsafe integer literal (outside strings) wrapped in quotes, or the text
 * itself when there is none. Strings are skipped with their escapes, so digits inside them are
 * never touched.
 */
export function quoteUnsafeIntegers(text: string): string {
  if (!LONG_DIGITS.test(text)) return text;
  let out: string[] | null = null;
  let last = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 45 /* - */ || isDigit(c)) {
      const start = i;
      i++;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      const next = i < n ? text.charCodeAt(i) : -1;
      if (next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */) {
        // A fraction or exponent: a real number, parsed as JSON.parse does.
        i++;
        while (i < n && /[0-9eE+\-.]/.test(text[i])) i++;
        continue;
      }
      const literal = text.slice(start, i);
      if (literal.length >= 16 && !Number.isSafeInteger(Number(literal))) {
        out ??= [];
        out.push(text.slice(last, start), '"', literal, '"');
        last = i;
      }
      continue;
    }
    i++;
  }
  if (!out) return text;
  out.push(text.slice(last));
  return out.join('');
}

/**
 * Parse JSON keeping unsafe integers as exact strings. A syntax error is JSON.parse's own error
 * on the original text, so its position points where the user looks.
 */
export function parseJsonExact(text: string): unknown {
  const quoted = quoteUnsafeIntegers(text);
  if (quoted === text) return JSON.parse(text);
  try {
    return JSON.parse(quoted);
  } catch {
    return JSON.parse(text);
  }
}
