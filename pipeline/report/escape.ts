/**
 * Text from prompts, model names and metadata is untrusted: it must not break a markdown table,
 * start a code span, inject HTML, or form links. Everything user-derived goes through these.
 */
const MD_SPECIAL = /[\\`*_[\]|~]/g;

/** Inline-safe markdown: one line, HTML entities, markdown specials backslash-escaped. */
export function mdText(s: string, maxChars = Infinity): string {
  const t = truncate(
    dropUnsafeChars(String(s))
      .replace(/\r\n?|\n|\t|\u2028|\u2029/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
      .replace(/\s{2,}/g, ' ')
      .trim(),
    maxChars,
  );
  return t
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MD_SPECIAL, (c) => `\\${c}`);
}

/** Cut to `maxChars` code points (never half an emoji), marking the cut with an ellipsis. */
export function truncate(s: string, maxChars: number): string {
  const cps = Array.from(s);
  if (cps.length <= maxChars) return s;
  return cps.slice(0, Math.max(0, maxChars - 1)).join('').trimEnd() + '…';
}

/**
 * Lone surrogates and the non-characters U+FFFE/U+FFFF (invalid in XML and mangled on disk), and
 * the bidirectional embedding/override/isolate controls U+202A–U+202E, U+2066–U+2069, which would
 * let a model name or prompt reorder the text shown after it (a right-to-left override in a table
 * cell or a figure label).
 */
function dropUnsafeChars(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\uFFFE\uFFFF\u202A-\u202E\u2066-\u2069]/g, '');
}

/** XML/SVG text content and attribute values. */
export function xmlText(s: string): string {
  return dropUnsafeChars(String(s))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    // Control characters are not allowed in XML 1.0.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export type Align = 'left' | 'right' | 'center';

/**
 * A GitHub-flavoured markdown table whose columns are padded, so it also reads well in a
 * terminal. Cells are taken as already-escaped markdown.
 */
export function mdTable(rawHeader: string[], rows: string[][], align: Align[] = []): string {
  // Headers are our own words, but a stray `|` would still split a column.
  const header = rawHeader.map((h) => h.replace(/(?<!\\)\|/g, '\\|'));
  const widths = header.map((h, c) => Math.max(3, visibleLength(h), ...rows.map((r) => visibleLength(r[c] ?? ''))));
  const pad = (s: string, c: number) => {
    const fill = ' '.repeat(Math.max(0, widths[c] - visibleLength(s)));
    return align[c] === 'right' ? fill + s : s + fill;
  };
  const sep = widths.map((w, c) => {
    const a = align[c] ?? 'left';
    if (a === 'right') return '-'.repeat(w - 1) + ':';
    if (a === 'center') return ':' + '-'.repeat(w - 2) + ':';
    return '-'.repeat(w);
  });
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  return [line(header), `| ${sep.join(' | ')} |`, ...rows.map((r) => line(header.map((_, c) => r[c] ?? '')))].join('\n');
}

function visibleLength(s: string): number {
  return [...s].length;
}
