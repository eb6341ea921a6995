import { describe, expect, it } from 'vitest';
import { mdTable, mdText, xmlText } from '../../pipeline/report/escape.ts';
import { markdownProblems, parseXml, tableCells } from './helpers.ts';

/** Everything a prompt, model name or id could throw at a markdown page. */
export const HOSTILE =
  '| pipe | `code` ``double`` <script>alert(1)</script> <!-- comment --> [x](javascript:alert(1)) ![img](http://e/x.png) ' +
  '**bold** __u__ *i* _i_ ~~s~~ \\ backslash &amp; &lt;b&gt; <b onmouseover="x">b</b> # heading\n- list\r\nCRLF\rCR\ttab  spaces 😀 🇫🇷 ' +
  '<https://evil.example> <img src=x onerror=alert(1)> $math$ {{template}}';

describe('mdText', () => {
  it('keeps ordinary text as it is', () => {
    expect(mdText('What is 2 + 2? Answer: 4.')).toBe('What is 2 + 2? Answer: 4.');
    expect(mdText('  padded  ')).toBe('padded');
  });

  it('escapes every markdown special that could start formatting, code, links or tables', () => {
    expect(mdText('a|b')).toBe('a\\|b');
    expect(mdText('`x`')).toBe('\\`x\\`');
    expect(mdText('**b** _i_ ~~s~~')).toBe('\\*\\*b\\*\\* \\_i\\_ \\~\\~s\\~\\~');
    expect(mdText('[x](javascript:alert(1))')).toBe('\\[x\\](javascript:alert(1))');
    expect(mdText('back\\slash')).toBe('back\\\\slash');
  });

  it('turns HTML into inert text: &, <, > become entities (no raw tag, comment or entity survives)', () => {
    expect(mdText('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mdText('<!-- x -->')).toBe('&lt;!-- x --&gt;');
    // An entity in the source is shown literally, not decoded into markup.
    expect(mdText('&lt;b&gt;')).toBe('&amp;lt;b&amp;gt;');
  });

  it('makes one line: newlines, CRLF, CR and tabs become single spaces', () => {
    expect(mdText('a\nb\r\nc\rd\te')).toBe('a b c d e');
    expect(mdText('a \n\n  b')).toBe('a b');
  });

  it('keeps emoji and non-Latin text intact', () => {
    expect(mdText('😀 café 数学 🇫🇷')).toBe('😀 café 数学 🇫🇷');
  });

  it('truncates long text to maxChars with an ellipsis, before escaping (no cut entity or escape)', () => {
    const long = 'x'.repeat(10_000);
    const t = mdText(long, 90);
    expect([...t].length).toBe(90);
    expect(t.endsWith('…')).toBe(true);
    const cut = mdText('<'.repeat(200), 10);
    expect(cut).toBe('&lt;'.repeat(9) + '…');
    expect(mdText('short', 90)).toBe('short');
  });

  it('a hostile text renders as one safe line', () => {
    const t = mdText(HOSTILE);
    expect(t).not.toMatch(/[\n\r\t]/);
    expect(t).not.toMatch(/<(?!\/?(details|summary)>)/);
    expect(t.replace(/\\./g, '')).not.toMatch(/[`|*_[\]~]/);
    expect(markdownProblems(`- ${t}`)).toEqual([]);
  });

  it('strips control characters (ESC would inject terminal escapes when report.md is read in a terminal)', () => {
    // BUG (pipeline/report/escape.ts, mdText): C0/C1 control characters other than \n, \r, \t pass through.
    const t = mdText('red \u001b[31malert\u001b[0m bell\u0007 nul\u0000 vt\u000b ff\u000c nel\u0085');
    // eslint-disable-next-line no-control-regex
    expect(t).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('never cuts an emoji in half when truncating (a lone surrogate becomes U+FFFD on disk)', () => {
    // BUG (pipeline/report/escape.ts, mdText): t.slice(0, maxChars - 1) counts UTF-16 code units.
    const t = mdText('a😀b', 3);
    expect(t).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('xmlText', () => {
  it('escapes the five XML specials, so text and attribute values stay well-formed', () => {
    expect(xmlText(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('drops control characters XML 1.0 forbids, keeps tab, newline and CR', () => {
    expect(xmlText('a\u0000b\u0007c\u001bd\u000be\u000cf')).toBe('abcdef');
    expect(xmlText('a\tb\nc\rd')).toBe('a\tb\nc\rd');
  });

  it('a hostile label inside text and attributes parses as well-formed XML with the text intact', () => {
    const label = HOSTILE + ' \u0001\u001b';
    const doc = `<svg xmlns="http://www.w3.org/2000/svg" aria-label="${xmlText(label)}"><title>${xmlText(label)}</title><text>${xmlText(label)}</text></svg>`;
    const root = parseXml(doc);
    expect(root.children[0].text).toBe(HOSTILE + ' ');
    expect(root.attrs['aria-label']).toBe(HOSTILE + ' ');
  });

  it('drops U+FFFE/U+FFFF, which XML 1.0 forbids (Chromium refuses the whole SVG)', () => {
    // BUG (pipeline/report/escape.ts, xmlText): only C0 controls are removed; the non-characters
    // U+FFFE and U+FFFF (and lone surrogates) pass through, so a model name holding one breaks every figure.
    expect(() => parseXml(`<svg><text>${xmlText('model \uFFFF name')}</text></svg>`)).not.toThrow();
  });
});

describe('mdTable', () => {
  it('pads columns to one width, aligns right and centre, and keeps a valid delimiter row', () => {
    const t = mdTable(['model', 'score', 'mid'], [['a', '0.5', 'x'], ['longer-name', '0.25', 'yy']], ['left', 'right', 'center']);
    expect(t).toBe(
      ['| model       | score | mid |', '| ----------- | ----: | :-: |', '| a           |   0.5 | x   |', '| longer-name |  0.25 | yy  |'].join('\n'),
    );
    const lines = t.split('\n');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('fills short rows and drops extra cells, so every row has the header’s column count', () => {
    const t = mdTable(['a', 'b', 'c'], [['1'], ['1', '2', '3', '4']]);
    for (const l of t.split('\n')) expect(tableCells(l)).toBe(3);
    expect(t).not.toContain('4');
  });

  it('escapes a "|" in a header, leaving an already escaped one alone', () => {
    const t = mdTable(['max |Δrank|', 'a\\|b'], [['1', '2']]);
    expect(t.split('\n')[0]).toContain('max \\|Δrank\\|');
    expect(t.split('\n')[0]).toContain('a\\|b');
    for (const l of t.split('\n')) expect(tableCells(l)).toBe(2);
  });

  it('hostile cells escaped with mdText keep the column count and leak no markup', () => {
    const rows = [
      [mdText(HOSTILE), mdText('x'), mdText(HOSTILE, 40)],
      [mdText('a|b|c|d'), mdText('`'), mdText('\n\n|')],
    ];
    const t = mdTable(['model', 'score', 'example'], rows);
    expect(t.split('\n')).toHaveLength(4);
    for (const l of t.split('\n')) expect(tableCells(l)).toBe(3);
    expect(markdownProblems(t)).toEqual([]);
  });

  it('pads by characters (code points), so emoji do not skew the padding', () => {
    const t = mdTable(['x'], [['😀'], ['ab']]);
    const [, , a, b] = t.split('\n');
    expect([...a].length).toBe([...b].length);
  });
});
