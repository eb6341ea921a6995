/**
 * Renders every SVG figure under a reports folder in headless Chromium and checks that each one
 * actually draws: the screenshot exists, has the expected size, and the figure's area is not blank.
 *
 *   node bin/run-ts.js scripts/check-figures.ts [reports-dir] [--out <dir>] [--chromium <path>]
 *
 * All figures go on one page as <img> elements (one browser start instead of one per figure). An
 * <img> whose SVG is not well-formed XML fails to load and is hidden, so a broken figure shows up as
 * a blank area. With --out, each figure's screenshot is also written as a PNG.
 * Then it checks each figure as a reader sees it, on the same SVGs inlined in one page (Chromium
 * --dump-dom, the browser's own text layout): no two text boxes overlap, no text leaves the canvas,
 * and every data mark (elements with data-role="mark", children of data-role="marks") lies inside
 * a plot area of the figure (data-role="plot-area"; one per facet).
 * Prints one line per figure; exits 1 when any figure fails, 2 when Chromium is unavailable.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--hide-scrollbars',
  '--force-device-scale-factor=1',
  '--mute-audio',
];

/** Share of non-white pixels a drawn figure has at least (a broken-image icon has ~0.1%). */
export const MIN_INK = 0.005;
const GAP = 8;
/** Tallest page per browser start; more figures go on further pages. */
const MAX_PAGE_HEIGHT = 8000;

export interface Png {
  width: number;
  height: number;
  /** RGBA, row-major. */
  rgba: Uint8Array;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decode an 8-bit, non-interlaced PNG (grey, grey+alpha, RGB, RGBA, or palette). */
export function decodePng(buf: Uint8Array): Png {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || !b.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = 0;
  let interlace = 0;
  let palette: Buffer | null = null;
  const idat: Buffer[] = [];
  while (pos + 8 <= b.length) {
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    const data = b.subarray(pos + 8, pos + 8 + len);
    pos += 12 + len;
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      colorType = data[9];
      interlace = data[12];
    } else if (type === 'PLTE') palette = Buffer.from(data);
    else if (type === 'IDAT') idat.push(Buffer.from(data));
    else if (type === 'IEND') break;
  }
  if (!width || !height) throw new Error('PNG has no IHDR');
  if (depth !== 8 || interlace !== 0) throw new Error(`unsupported PNG: bit depth ${depth}, interlace ${interlace}`);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType];
  if (!channels) throw new Error(`unsupported PNG colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error('PNG image data is truncated');
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = px.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? px.subarray((y - 1) * stride, y * stride) : null;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const up = prev ? prev[x] : 0;
      const c = prev && x >= channels ? prev[x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += up;
      else if (filter === 3) v += (a + up) >> 1;
      else if (filter === 4) {
        const p = a + up - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      out[x] = v & 0xff;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    let r: number, g: number, bl: number, al: number;
    if (colorType === 0) [r, g, bl, al] = [px[i], px[i], px[i], 255];
    else if (colorType === 4) [r, g, bl, al] = [px[2 * i], px[2 * i], px[2 * i], px[2 * i + 1]];
    else if (colorType === 2) [r, g, bl, al] = [px[3 * i], px[3 * i + 1], px[3 * i + 2], 255];
    else if (colorType === 6) [r, g, bl, al] = [px[4 * i], px[4 * i + 1], px[4 * i + 2], px[4 * i + 3]];
    else {
      const j = px[i] * 3;
      if (!palette || j + 2 >= palette.length) throw new Error('PNG palette index out of range');
      [r, g, bl, al] = [palette[j], palette[j + 1], palette[j + 2], 255];
    }
    rgba.set([r, g, bl, al], 4 * i);
  }
  return { width, height, rgba };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Encode RGBA pixels as a PNG (filter 0, zlib): used to save each figure's crop. */
export function encodePng(img: Png): Buffer {
  const stride = img.width * 4;
  const raw = Buffer.alloc(img.height * (stride + 1));
  for (let y = 0; y < img.height; y++) Buffer.from(img.rgba.buffer, img.rgba.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(img.width, 0);
  ihdr.writeUInt32BE(img.height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export function crop(img: Png, x: number, y: number, w: number, h: number): Png {
  const out = new Uint8Array(w * h * 4);
  for (let r = 0; r < h; r++) {
    const src = ((y + r) * img.width + x) * 4;
    out.set(img.rgba.subarray(src, src + w * 4), r * w * 4);
  }
  return { width: w, height: h, rgba: out };
}

/** Share of pixels that are not (near-)white: 0 for a blank area. */
export function inkShare(img: Png): number {
  let ink = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const o = 4 * i;
    if (img.rgba[o + 3] > 16 && (img.rgba[o] < 235 || img.rgba[o + 1] < 235 || img.rgba[o + 2] < 235)) ink++;
  }
  return n ? ink / n : 0;
}

/** The size an SVG declares on its root element (width/height, else its viewBox). */
export function svgSize(svg: string): { width: number; height: number } | null {
  const tag = /<svg\b[^>]*>/.exec(svg)?.[0];
  if (!tag) return null;
  const attr = (a: string) => new RegExp(`\\s${a}="([\\d.]+)(px)?"`).exec(tag)?.[1];
  const w = Number(attr('width'));
  const h = Number(attr('height'));
  if (w > 0 && h > 0) return { width: Math.round(w), height: Math.round(h) };
  const vb = /\sviewBox="([^"]+)"/.exec(tag)?.[1]?.trim().split(/[\s,]+/).map(Number);
  if (vb && vb.length === 4 && vb[2] > 0 && vb[3] > 0) return { width: Math.round(vb[2]), height: Math.round(vb[3]) };
  return null;
}

export async function findSvgs(dir: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (d: string) => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.name.endsWith('.svg')) out.push(p);
    }
  };
  await visit(dir);
  return out;
}

export interface FigureCheck {
  file: string;
  width: number;
  height: number;
  ink: number;
  ok: boolean;
  problem: string | null;
  png: string | null;
  /** Layout problems found in the browser (overlapping text, marks outside the plot area). */
  layout: string[];
}

/** Text boxes may touch: overlaps below this many px in either direction are not counted. */
export const OVERLAP_TOLERANCE = 1.5;
/** How far (px) a mark's box may reach past the plot area (anti-aliasing, rounding). */
export const MARK_TOLERANCE = 0.75;

// Runs in the page: measures every inlined figure and writes the problems as JSON into #result.
const LAYOUT_SCRIPT = `
addEventListener('load', () => {
  const out = {};
  for (const div of document.querySelectorAll('div.fig')) {
    const svg = div.querySelector('svg');
    const problems = [];
    if (!svg) { out[div.dataset.i] = ['no <svg> element']; continue; }
    const canvas = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '').map((t) => ({ s: t.textContent.trim().slice(0, 40), r: t.getBoundingClientRect() }));
    const T = ${OVERLAP_TOLERANCE};
    for (let i = 0; i < texts.length; i++) {
      const a = texts[i].r;
      if (a.left < canvas.left - T || a.right > canvas.right + T || a.top < canvas.top - T || a.bottom > canvas.bottom + T) problems.push('text "' + texts[i].s + '" leaves the canvas');
      for (let j = i + 1; j < texts.length; j++) {
        const b = texts[j].r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > T && h > T) problems.push('text "' + texts[i].s + '" overlaps "' + texts[j].s + '"');
      }
    }
    // A figure may have several plot areas (facets): a mark must lie inside one of them.
    const areas = [...svg.querySelectorAll('[data-role="plot-area"]')].map((a) => a.getBoundingClientRect());
    const marks = [...svg.querySelectorAll('[data-role="mark"], [data-role="marks"] > *')];
    if (marks.length && !areas.length) problems.push('data marks but no plot area');
    if (areas.length) {
      const M = ${MARK_TOLERANCE};
      const inside = (r, A) => r.left >= A.left - M && r.right <= A.right + M && r.top >= A.top - M && r.bottom <= A.bottom + M;
      let outside = 0;
      let first = '';
      for (const m of marks) {
        const r = m.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (!areas.some((A) => inside(r, A))) {
          const A = areas[0];
          if (!outside) first = '<' + m.tagName + '> at ' + [r.left - A.left, r.top - A.top, r.right - A.left, r.bottom - A.top].map((v) => v.toFixed(1)).join(',') + ' vs plot area ' + A.width.toFixed(1) + '×' + A.height.toFixed(1);
          outside++;
        }
      }
      if (outside) problems.push(outside + ' data mark(s) outside the plot area, first ' + first);
    }
    out[div.dataset.i] = problems;
  }
  document.getElementById('result').textContent = JSON.stringify(out);
});
`;

function runStdout(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code as number) : 1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Layout problems of each SVG (same order), measured in Chromium on the SVGs inlined in one page. */
export async function layoutProblems(chromium: string, svgs: string[], work: string): Promise<string[][]> {
  const page = join(work, 'layout.html');
  const html = [
    '<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}div.fig{margin:0 0 8px 0;line-height:0}</style></head><body>',
    // An SVG that is not well-formed XML would break the page around it: those are reported by the screenshot check.
    ...svgs.map((svg, i) => `<div class="fig" data-i="${i}">${svg.replace(/^<\?xml[^>]*>/, '')}</div>`),
    '<pre id="result"></pre>',
    `<script>${LAYOUT_SCRIPT}</script>`,
    '</body></html>',
  ].join('\n');
  await writeFile(page, html);
  const profile = await mkdtemp(join(work, 'profile-'));
  const r = await runStdout(chromium, [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--window-size=1600,1200', '--virtual-time-budget=5000', '--dump-dom', pathToFileURL(page).href], 120_000);
  await rm(profile, { recursive: true, force: true });
  const m = /<pre id="result">([^<]*)<\/pre>/.exec(r.stdout);
  if (!m || !m[1]) throw new Error(`Chromium did not measure the figures (exit ${r.code}): ${r.stderr.split('\n').slice(-3).join(' ').slice(0, 300)}`);
  const text = m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const byIndex = JSON.parse(text) as Record<string, string[]>;
  return svgs.map((_, i) => byIndex[String(i)] ?? ['not measured']);
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code as number) : 1) : 0;
      done({ code, stderr: String(stderr) });
    });
  });
}

/** Screenshot one HTML page at exactly width × height pixels. */
async function screenshot(chromium: string, html: string, width: number, height: number, work: string, label: string): Promise<Png> {
  const page = join(work, `${label}.html`);
  const png = join(work, `${label}.png`);
  await writeFile(page, html);
  const profile = await mkdtemp(join(work, 'profile-'));
  const args = [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, `--window-size=${width},${height}`, '--virtual-time-budget=3000', `--screenshot=${png}`, pathToFileURL(page).href];
  const r = await run(chromium, args, 60_000);
  await rm(profile, { recursive: true, force: true });
  if (!existsSync(png)) throw new Error(`Chromium wrote no screenshot (exit ${r.code}): ${r.stderr.split('\n').filter((l) => !/dbus|Fontconfig/i.test(l)).slice(-3).join(' ').slice(0, 300)}`);
  return decodePng(await readFile(png));
}

export interface CheckOptions {
  chromium?: string;
  /** Write each figure's screenshot here as <figure path with / → __>.png. */
  outDir?: string;
}

/** Render and check every SVG under `dir`. */
export async function checkFigures(dir: string, opts: CheckOptions = {}): Promise<FigureCheck[]> {
  const chromium = opts.chromium ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromium)) throw new Error(`Chromium not found at ${chromium}`);
  const files = await findSvgs(dir);
  const figs = await Promise.all(
    files.map(async (f) => {
      const svg = await readFile(f, 'utf8');
      return { file: f, svg, size: svgSize(svg) };
    }),
  );
  const results: FigureCheck[] = [];
  const drawable = figs.filter((f) => f.size !== null) as { file: string; svg: string; size: { width: number; height: number } }[];
  for (const f of figs) if (!f.size) results.push({ file: f.file, width: 0, height: 0, ink: 0, ok: false, problem: 'the <svg> root declares no width/height or viewBox', png: null, layout: [] });
  // Pages of figures stacked vertically, each at its declared size.
  const pages: (typeof drawable)[] = [];
  let cur: typeof drawable = [];
  let h = 0;
  for (const f of drawable) {
    if (cur.length && h + f.size.height > MAX_PAGE_HEIGHT) {
      pages.push(cur);
      cur = [];
      h = 0;
    }
    cur.push(f);
    h += f.size.height + GAP;
  }
  if (cur.length) pages.push(cur);
  const work = await mkdtemp(join(tmpdir(), 'covary-figures-'));
  try {
    if (opts.outDir) await mkdir(opts.outDir, { recursive: true });
    for (const [p, page] of pages.entries()) {
      const width = Math.max(...page.map((f) => f.size.width));
      let y = 0;
      const placed = page.map((f) => {
        const at = { ...f, y };
        y += f.size.height + GAP;
        return at;
      });
      const height = y;
      const html = [
        '<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff;overflow:hidden}img{position:absolute;left:0;display:block}</style></head><body>',
        // A figure the browser cannot draw is hidden, so its area is blank (not a broken-image icon with a border).
        ...placed.map((f) => `<img alt="" onerror="this.style.visibility='hidden'" src="data:image/svg+xml;base64,${Buffer.from(f.svg, 'utf8').toString('base64')}" style="top:${f.y}px;width:${f.size.width}px;height:${f.size.height}px">`),
        "<script>addEventListener('load', () => { for (const i of document.images) if (!i.complete || i.naturalWidth === 0) i.style.visibility = 'hidden'; });</script>",
        '</body></html>',
      ].join('\n');
      const shot = await screenshot(chromium, html, width, height, work, `page-${p}`);
      for (const f of placed) {
        const base = { file: f.file, width: f.size.width, height: f.size.height };
        if (shot.width !== width || shot.height < f.y + f.size.height) {
          results.push({ ...base, ink: 0, ok: false, problem: `screenshot is ${shot.width}×${shot.height}, expected ${width}×${height}`, png: null, layout: [] });
          continue;
        }
        const img = crop(shot, 0, f.y, f.size.width, f.size.height);
        const ink = inkShare(img);
        let png: string | null = null;
        if (opts.outDir) {
          png = join(opts.outDir, relative(dir, f.file).replace(/[\\/]/g, '__').replace(/\.svg$/, '.png'));
          await writeFile(png, encodePng(img));
        }
        const ok = ink >= MIN_INK && ink <= 0.995;
        results.push({ ...base, ink, ok, png, problem: ok ? null : ink < MIN_INK ? 'blank: nothing was drawn (not well-formed SVG, or empty)' : 'the whole area is painted (no background)', layout: [] });
      }
    }
    // Layout, on the figures that draw (a figure that is not XML would break the shared page).
    const drawn = results.filter((r) => r.ok);
    if (drawn.length) {
      const svgOf = new Map(figs.map((f) => [f.file, f.svg]));
      const layout = await layoutProblems(chromium, drawn.map((r) => svgOf.get(r.file) ?? ''), work);
      drawn.forEach((r, i) => {
        r.layout = layout[i];
        if (r.layout.length) {
          r.ok = false;
          r.problem = r.layout.length === 1 ? r.layout[0] : `${r.layout[0]} (and ${r.layout.length - 1} more layout problems)`;
        }
      });
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return results.sort((a, b) => a.file.localeCompare(b.file));
}

export function formatCheck(r: FigureCheck, root: string): string {
  return `${r.ok ? 'ok  ' : 'FAIL'} ${relative(root, r.file)} ${r.width}×${r.height} ink ${(100 * r.ink).toFixed(1)}%${r.problem ? ` — ${r.problem}` : ''}${r.png ? ` → ${r.png}` : ''}`;
}

async function cliMain(argv: string[]): Promise<number> {
  let dir = 'reports';
  let outDir: string | undefined;
  let chromium = DEFAULT_CHROMIUM;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') outDir = resolve(argv[++i]);
    else if (a === '--chromium') chromium = argv[++i];
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: check-figures.ts [reports-dir] [--out <dir>] [--chromium <path>]\n');
      return 0;
    } else dir = a;
  }
  dir = resolve(dir);
  if (!existsSync(chromium)) {
    process.stderr.write(`check-figures: Chromium not found at ${chromium} (install Debian's chromium, or pass --chromium <path>)\n`);
    return 2;
  }
  const results = await checkFigures(dir, { chromium, outDir });
  if (!results.length) {
    process.stderr.write(`check-figures: no SVG figures under ${dir}\n`);
    return 1;
  }
  for (const r of results) process.stdout.write(formatCheck(r, dir) + '\n');
  const bad = results.filter((r) => !r.ok).length;
  process.stdout.write(`${results.length - bad} of ${results.length} figures render with a clean layout\n`);
  return bad ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await cliMain(process.argv.slice(2));
}
