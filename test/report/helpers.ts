/** Pure helpers of the report tests: markdown page-safety checks and a strict XML well-formedness parser. */
// ---------------------------------------------------------------------------------------------
// Markdown safety checks

/** Number of cells of a GFM table row: unescaped `|` separators (`\|` is a literal pipe, also in code spans). */
export function tableCells(line: string): number {
  let pipes = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === '|') pipes++;
  }
  return pipes - 1;
}

/** Every table (consecutive lines starting with `|`): its line numbers and cell counts per row. */
export function tables(md: string): { start: number; counts: number[]; rows: string[] }[] {
  const lines = md.split('\n');
  const out: { start: number; counts: number[]; rows: string[] }[] = [];
  let cur: { start: number; counts: number[]; rows: string[] } | null = null;
  lines.forEach((l, i) => {
    if (l.startsWith('|')) {
      if (!cur) {
        cur = { start: i + 1, counts: [], rows: [] };
        out.push(cur);
      }
      cur.counts.push(tableCells(l));
      cur.rows.push(l);
    } else cur = null;
  });
  return out;
}

const ALLOWED_HTML = /^<\/?(details|summary)>/;

/**
 * Problems that would let untrusted text break the page: raw HTML other than our own
 * <details>/<summary>, links to anything but our figures and reports, tables whose rows have
 * different column counts, unbalanced code spans, control characters, table rows broken by newlines.
 */
export function markdownProblems(md: string, allowedLinkTargets: RegExp = /^(figures\/[\w.-]+\.svg|[\w.-]+\/report\.md)$/): string[] {
  const problems: string[] = [];
  // eslint-disable-next-line no-control-regex
  const ctrl = md.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\r]/g);
  if (ctrl) problems.push(`control characters: ${[...new Set(ctrl)].map((c) => `U+${c.codePointAt(0)!.toString(16).padStart(4, '0')}`).join(', ')}`);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/.test(md)) problems.push('lone surrogate or replacement character (text cut inside a character)');
  md.split('\n').forEach((line, i) => {
    const at = `line ${i + 1}`;
    for (let p = line.indexOf('<'); p >= 0; p = line.indexOf('<', p + 1)) {
      if (!ALLOWED_HTML.test(line.slice(p))) problems.push(`${at}: raw "<" starts markup: ${JSON.stringify(line.slice(p, p + 30))}`);
    }
    // Backticks not escaped by a backslash must pair up on a line (code spans never span lines here).
    const ticks = line.replace(/\\./g, '').match(/`+/g) ?? [];
    const runs = new Map<number, number>();
    for (const t of ticks) runs.set(t.length, (runs.get(t.length) ?? 0) + 1);
    for (const [len, count] of runs) if (count % 2) problems.push(`${at}: unbalanced code span (${count} run(s) of ${len} backtick(s))`);
    for (const m of line.matchAll(/(?<!\\)\]\(((?:[^()]|\([^()]*\))*)\)/g)) {
      if (!allowedLinkTargets.test(m[1])) problems.push(`${at}: link to ${JSON.stringify(m[1])}`);
    }
  });
  for (const t of tables(md)) {
    const expected = t.counts[0];
    t.counts.forEach((c, j) => {
      if (c !== expected) problems.push(`table at line ${t.start}, row ${j + 1}: ${c} cells, header has ${expected}: ${t.rows[j].slice(0, 80)}`);
    });
    if (t.rows.length < 2 || !/^\|(\s*:?-+:?\s*\|)+$/.test(t.rows[1])) problems.push(`table at line ${t.start}: no delimiter row`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// A tiny, strict XML well-formedness checker (enough for SVG as this project writes it).

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside this element (entities decoded). */
  text: string;
}

const NAME = /^[A-Za-z_:][\w:.-]*/;
// XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
// eslint-disable-next-line no-control-regex
const BAD_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decodeEntities(s: string, where: () => string): string {
  return s.replace(/&([^;\s&<]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new Error(`${where()}: bare "&"`);
    if (body === 'amp') return '&';
    if (body === 'lt') return '<';
    if (body === 'gt') return '>';
    if (body === 'quot') return '"';
    if (body === 'apos') return "'";
    const num = /^#(\d+)$/.exec(body) ?? null;
    const hex = /^#x([0-9a-fA-F]+)$/.exec(body) ?? null;
    if (num) return String.fromCodePoint(Number(num[1]));
    if (hex) return String.fromCodePoint(parseInt(hex[1], 16));
    throw new Error(`${where()}: unknown entity &${body};`);
  });
}

/** Parse an XML document; throws with a position on the first well-formedness error. */
export function parseXml(src: string): XmlElement {
  const bad = BAD_CHAR.exec(src);
  if (bad) throw new Error(`character U+${bad[0].charCodeAt(0).toString(16)} not allowed in XML at offset ${bad.index}`);
  let pos = 0;
  const where = () => `offset ${pos}`;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(src.slice(pos))![0].length;
      pos += ws;
      if (src.startsWith('<?', pos)) {
        const end = src.indexOf('?>', pos);
        if (end < 0) throw new Error(`${where()}: unterminated processing instruction`);
        pos = end + 2;
      } else if (src.startsWith('<!--', pos)) {
        const end = src.indexOf('-->', pos);
        if (end < 0) throw new Error(`${where()}: unterminated comment`);
        pos = end + 3;
      } else return;
    }
  };
  skipMisc();
  while (pos < src.length) {
    if (src.startsWith('<!--', pos)) {
      const end = src.indexOf('-->', pos + 4);
      if (end < 0) throw new Error(`${where()}: unterminated comment`);
      if (src.slice(pos + 4, end).includes('--')) throw new Error(`${where()}: "--" inside a comment`);
      pos = end + 3;
    } else if (src.startsWith('<![CDATA[', pos)) {
      const end = src.indexOf(']]>', pos);
      if (end < 0 || !stack.length) throw new Error(`${where()}: bad CDATA`);
      stack[stack.length - 1].text += src.slice(pos + 9, end);
      pos = end + 3;
    } else if (src.startsWith('</', pos)) {
      pos += 2;
      const name = NAME.exec(src.slice(pos))?.[0];
      if (!name) throw new Error(`${where()}: bad end tag`);
      pos += name.length;
      pos += /^\s*/.exec(src.slice(pos))![0].length;
      if (src[pos] !== '>') throw new Error(`${where()}: bad end tag </${name}`);
      pos++;
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`${where()}: </${name}> closes <${open?.name ?? '(nothing)'}>`);
      if (!stack.length) {
        skipMisc();
        if (pos < src.length) throw new Error(`${where()}: content after the root element`);
      }
    } else if (src[pos] === '<') {
      pos++;
      const name = NAME.exec(src.slice(pos))?.[0];
      if (!name) throw new Error(`${where()}: bad start tag`);
      pos += name.length;
      const el: XmlElement = { name, attrs: {}, children: [], text: '' };
      for (;;) {
        const ws = /^\s*/.exec(src.slice(pos))![0].length;
        pos += ws;
        if (src.startsWith('/>', pos) || src[pos] === '>') break;
        if (!ws) throw new Error(`${where()}: attributes must be separated by white space in <${name}>`);
        const an = NAME.exec(src.slice(pos))?.[0];
        if (!an) throw new Error(`${where()}: bad attribute in <${name}>: ${JSON.stringify(src.slice(pos, pos + 20))}`);
        pos += an.length;
        const eq = /^\s*=\s*/.exec(src.slice(pos));
        if (!eq) throw new Error(`${where()}: attribute ${an} has no value`);
        pos += eq[0].length;
        const q = src[pos];
        if (q !== '"' && q !== "'") throw new Error(`${where()}: attribute ${an} is not quoted`);
        const end = src.indexOf(q, pos + 1);
        if (end < 0) throw new Error(`${where()}: unterminated attribute ${an}`);
        const raw = src.slice(pos + 1, end);
        if (raw.includes('<')) throw new Error(`${where()}: "<" in attribute ${an}`);
        if (an in el.attrs) throw new Error(`${where()}: duplicate attribute ${an} in <${name}>`);
        el.attrs[an] = decodeEntities(raw, where);
        pos = end + 1;
      }
      if (stack.length) stack[stack.length - 1].children.push(el);
      else if (root) throw new Error(`${where()}: a second root element`);
      else root = el;
      if (src.startsWith('/>', pos)) {
        pos += 2;
        if (!stack.length) {
          skipMisc();
          if (pos < src.length) throw new Error(`${where()}: content after the root element`);
        }
      } else {
        pos++;
        stack.push(el);
      }
    } else {
      const end = src.indexOf('<', pos);
      const text = src.slice(pos, end < 0 ? src.length : end);
      if (!stack.length) throw new Error(`${where()}: text outside the root element`);
      if (text.includes(']]>')) throw new Error(`${where()}: "]]>" in text`);
      stack[stack.length - 1].text += decodeEntities(text, where);
      pos = end < 0 ? src.length : end;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

export function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) yield* walk(c);
}

/** All text content of `<text>` elements, in document order. */
export function svgTexts(root: XmlElement): string[] {
  const out: string[] = [];
  for (const el of walk(root)) if (el.name === 'text') out.push(el.text);
  return out;
}
