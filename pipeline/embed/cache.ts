/**
 * Content-addressed embedding cache, shared by every benchmark:
 *
 *   <dataDir>/cache/embeddings/<model-key>/model.json      model id, files' hash, dims
 *   <dataDir>/cache/embeddings/<model-key>/<sha256>.cvec   shards: each the vectors of one batch
 *
 * An entry is addressed by sha256 of the exact text plus a "variant": 0 = the whole text was
 * embedded (valid under any token limit at least its token count), M > 0 = it was cut to M tokens
 * (valid only under limit M). The model key = model id + model files' hash, so a changed model
 * never meets old vectors.
 *
 * Safety: a shard is written completely under a temp name, fsync'd, then renamed; its name is the
 * sha256 of its bytes. So a kill -9 leaves at most a temp file (ignored, later removed), two
 * processes writing the same batch write the same name (rename is atomic either way), and any
 * corruption shows as a name/content mismatch. Shard layout (little-endian):
 *
 *   'CVEC' | u32 version | u32 dims | u32 count
 *   count × { 32-byte text sha256 | i32 variant | i32 tokens (uncut, -1 unknown) | 8-byte row check }
 *   32-byte sha256 of everything above (lets the index be read without the vectors)
 *   count × dims float32
 *
 * The row check is the first 8 bytes of sha256(text hash ‖ variant ‖ vector bytes): verify
 * names the damaged entries, not just the file.
 */
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { writeFileAtomic, bytesOf, ownerIsGone, removePath } from '../core/atomic.ts';
import { CovaryError } from '../core/errors.ts';

const MAGIC = 0x43455643; // 'CVEC' read as little-endian u32
const VERSION = 1;
const HEAD = 16;
const ENTRY = 48;
const SHARD_RE = /^([0-9a-f]{64})\.cvec$/;
const TMP_RE = /^\.covary-tmp-.*-(\d+)-[0-9a-f]{8}$/;

export interface CacheModel {
  modelId: string;
  modelHash: string;
  dims: number;
}

export interface CacheEntryKey {
  /** sha256 (hex) of the exact text. */
  textHash: string;
  variant: number;
}

export interface CacheHit {
  vector: Float32Array;
  /** Uncut token count, -1 when unknown. */
  tokens: number;
}

interface IndexEntry {
  shard: string;
  row: number;
  tokens: number;
}

/** Folder-safe key for a model: readable id + the start of its files' hash. */
export function modelKey(modelId: string, modelHash: string): string {
  const safe = modelId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 80) || 'model';
  return `${safe}-${modelHash.slice(0, 16)}`;
}

export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function rowCheck(hashBytes: Uint8Array, variant: number, vec: Uint8Array): Buffer {
  const v = Buffer.alloc(4);
  v.writeInt32LE(variant);
  return createHash('sha256').update(hashBytes).update(v).update(vec).digest().subarray(0, 8);
}

interface ShardHeader {
  dims: number;
  count: number;
  keys: Array<{ textHash: string; variant: number; tokens: number; check: Buffer }>;
  /** Byte offset of the vectors. */
  vectorsAt: number;
}

/** Parse and check a shard's header block; throws a plain Error saying what is wrong. */
function parseHeader(buf: Buffer, expectDims: number | null): ShardHeader {
  if (buf.length < HEAD) throw new Error('truncated header');
  if (buf.readUInt32LE(0) !== MAGIC) throw new Error('not a covary cache shard (bad magic)');
  if (buf.readUInt32LE(4) !== VERSION) throw new Error(`unsupported shard version ${buf.readUInt32LE(4)}`);
  const dims = buf.readUInt32LE(8);
  const count = buf.readUInt32LE(12);
  if (expectDims !== null && dims !== expectDims) throw new Error(`dims ${dims}, expected ${expectDims}`);
  const end = HEAD + count * ENTRY;
  if (buf.length < end + 32) throw new Error('truncated header');
  const digest = createHash('sha256').update(buf.subarray(0, end)).digest();
  if (!digest.equals(buf.subarray(end, end + 32))) throw new Error('header checksum mismatch');
  const keys: ShardHeader['keys'] = [];
  for (let i = 0; i < count; i++) {
    const o = HEAD + i * ENTRY;
    keys.push({
      textHash: buf.toString('hex', o, o + 32),
      variant: buf.readInt32LE(o + 32),
      tokens: buf.readInt32LE(o + 36),
      check: buf.subarray(o + 40, o + 48),
    });
  }
  return { dims, count, keys, vectorsAt: end + 32 };
}

export interface ShardRow {
  textHash: string;
  variant: number;
  tokens: number;
  vector: Float32Array;
}

/** Bytes of a shard holding `rows` (in the given order). */
export function encodeShard(dims: number, rows: ShardRow[]): Buffer {
  const count = rows.length;
  const vectorsAt = HEAD + count * ENTRY + 32;
  const buf = Buffer.alloc(vectorsAt + count * dims * 4);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(VERSION, 4);
  buf.writeUInt32LE(dims, 8);
  buf.writeUInt32LE(count, 12);
  rows.forEach((r, i) => {
    if (r.vector.length !== dims) throw new Error(`vector of length ${r.vector.length}, expected ${dims}`);
    const o = HEAD + i * ENTRY;
    const hb = Buffer.from(r.textHash, 'hex');
    hb.copy(buf, o);
    buf.writeInt32LE(r.variant, o + 32);
    buf.writeInt32LE(r.tokens, o + 36);
    const vb = bytesOf(r.vector);
    Buffer.from(vb.buffer, vb.byteOffset, vb.byteLength).copy(buf, vectorsAt + i * dims * 4);
    rowCheck(hb, r.variant, vb).copy(buf, o + 40);
  });
  const end = HEAD + count * ENTRY;
  createHash('sha256').update(buf.subarray(0, end)).digest().copy(buf, end);
  return buf;
}

/** The text of a cache folder's model.json. */
function modelJson(model: CacheModel): string {
  return JSON.stringify({ modelId: model.modelId, modelHash: model.modelHash, dims: model.dims }, null, 2) + '\n';
}

export interface OpenOptions {
  /** Called for each shard that cannot be used (corrupted, unreadable); the shard is ignored. */
  onBadShard?: (file: string, problem: string) => void;
}

export class EmbeddingCache {
  private readonly index = new Map<string, IndexEntry>();
  private readonly knownShards = new Set<string>();
  /** Shards found bad while reading: ignored for the rest of this process. */
  readonly badShards = new Map<string, string>();

  private constructor(
    readonly dir: string,
    readonly model: CacheModel,
    private readonly opts: OpenOptions,
  ) {}

  /** Open (creating if needed) the cache folder of one model and index its shards' headers. */
  static async open(dir: string, model: CacheModel, opts: OpenOptions = {}): Promise<EmbeddingCache> {
    await mkdir(dir, { recursive: true });
    const metaPath = join(dir, 'model.json');
    if (existsSync(metaPath)) {
      let found: CacheModel | null = null;
      try {
        found = JSON.parse(await readFile(metaPath, 'utf8')) as CacheModel;
      } catch {
        found = null;
      }
      if (found && (found.modelHash !== model.modelHash || found.dims !== model.dims)) {
        throw new CovaryError(`embedding cache folder belongs to another model (${found.modelId}, hash ${found.modelHash.slice(0, 12)}…)`, { file: metaPath }, 'run `covary cache clear <key>` for it');
      }
      if (!found) await writeFileAtomic(metaPath, modelJson(model));
    } else {
      await writeFileAtomic(metaPath, modelJson(model));
    }
    const cache = new EmbeddingCache(dir, model, opts);
    await cache.removeOrphanTemps();
    await cache.refresh();
    return cache;
  }

  /** Temp files of processes that died mid-write (kill -9) are never completed: remove them. */
  private async removeOrphanTemps(): Promise<void> {
    for (const f of await readdir(this.dir)) {
      const m = TMP_RE.exec(f);
      if (m && ownerIsGone(f)) await removePath(join(this.dir, f));
    }
  }

  /** Index shards that appeared since the last look (e.g. written by a concurrent process). */
  async refresh(): Promise<number> {
    let added = 0;
    for (const f of (await readdir(this.dir)).sort()) {
      if (!SHARD_RE.test(f) || this.knownShards.has(f) || this.badShards.has(f)) continue;
      let header: ShardHeader;
      try {
        header = await readShardHeader(join(this.dir, f), this.model.dims);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') continue; // removed by a concurrent compaction: its rows live on in the merged shard
        this.markBad(f, (e as Error).message);
        continue;
      }
      this.knownShards.add(f);
      header.keys.forEach((k, row) => {
        const key = `${k.textHash}:${k.variant}`;
        if (!this.index.has(key)) added++;
        this.index.set(key, { shard: f, row, tokens: k.tokens });
      });
    }
    return added;
  }

  private markBad(file: string, problem: string): void {
    if (this.badShards.has(file)) return;
    this.badShards.set(file, problem);
    this.opts.onBadShard?.(join(this.dir, file), problem);
  }

  /** Number of distinct (text, variant) entries indexed. */
  get size(): number {
    return this.index.size;
  }

  /** Which entry serves `textHash` under token limit `maxTokens` (0 = none), if any. */
  private find(textHashHex: string, maxTokens: number): IndexEntry | null {
    if (maxTokens > 0) {
      const cut = this.index.get(`${textHashHex}:${maxTokens}`);
      if (cut) return cut;
    }
    const whole = this.index.get(`${textHashHex}:0`);
    if (whole && (maxTokens === 0 || (whole.tokens >= 0 && whole.tokens <= maxTokens))) return whole;
    return null;
  }

  /**
   * Vectors for the texts that are cached (by text hash), read and checked now. Shards that turn
   * out damaged are reported and skipped (their texts count as misses).
   */
  async getMany(hashes: string[], maxTokens: number): Promise<Map<string, CacheHit>> {
    const byShard = new Map<string, Array<{ hash: string; e: IndexEntry }>>();
    for (const h of hashes) {
      const e = this.find(h, maxTokens);
      if (!e) continue;
      let list = byShard.get(e.shard);
      if (!list) byShard.set(e.shard, (list = []));
      list.push({ hash: h, e });
    }
    const out = new Map<string, CacheHit>();
    const dims = this.model.dims;
    for (const [shard, list] of byShard) {
      let buf: Buffer;
      try {
        buf = await readFile(join(this.dir, shard));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // compacted away meanwhile: a miss
        this.markBad(shard, (e as Error).message);
        continue;
      }
      const problem = checkWholeShard(shard, buf, dims);
      if (problem) {
        this.markBad(shard, problem);
        continue;
      }
      const header = parseHeader(buf, dims);
      for (const { hash, e } of list) {
        const at = header.vectorsAt + e.row * dims * 4;
        const vector = new Float32Array(dims);
        new Uint8Array(vector.buffer).set(buf.subarray(at, at + dims * 4));
        out.set(hash, { vector, tokens: e.tokens });
      }
    }
    return out;
  }

  /** Persist one finished batch as a new shard (atomic), and index it. Returns the shard's file name. */
  async putBatch(rows: ShardRow[]): Promise<string | null> {
    if (rows.length === 0) return null;
    const bytes = encodeShard(this.model.dims, rows);
    const name = `${createHash('sha256').update(bytes).digest('hex')}.cvec`;
    const path = join(this.dir, name);
    // The folder may have been cleared (`cache clear --all`) while this process embeds: put its
    // model description back first, so its shards are never left in a folder that cannot be checked.
    const metaPath = join(this.dir, 'model.json');
    if (!existsSync(metaPath)) await writeFileAtomic(metaPath, modelJson(this.model));
    if (!existsSync(path)) await writeFileAtomic(path, bytes);
    this.knownShards.add(name);
    rows.forEach((r, row) => this.index.set(`${r.textHash}:${r.variant}`, { shard: name, row, tokens: r.tokens }));
    return name;
  }

  /**
   * Merge many small shards into one, so the folder does not grow a file per batch forever.
   * Safe with concurrent readers and writers: the merged shard is in place before any source is
   * removed, and a source that cannot be read aborts the merge.
   */
  async compact(minShards = 64, smallRows = 4096): Promise<{ merged: number } | null> {
    const small: Array<{ file: string; buf: Buffer; header: ShardHeader }> = [];
    for (const f of (await readdir(this.dir)).sort()) {
      if (!SHARD_RE.test(f) || this.badShards.has(f)) continue;
      let buf: Buffer;
      try {
        const s = await stat(join(this.dir, f));
        if (s.size > HEAD + smallRows * (ENTRY + this.model.dims * 4) + 32) continue;
        buf = await readFile(join(this.dir, f));
      } catch {
        return null; // someone else is compacting: leave it to them
      }
      if (checkWholeShard(f, buf, this.model.dims)) continue; // damaged: verify reports it
      small.push({ file: f, buf, header: parseHeader(buf, this.model.dims) });
    }
    if (small.length < minShards) return null;
    const seen = new Set<string>();
    const rows: ShardRow[] = [];
    const dims = this.model.dims;
    for (const { buf, header } of small) {
      header.keys.forEach((k, row) => {
        const key = `${k.textHash}:${k.variant}`;
        if (seen.has(key)) return;
        seen.add(key);
        const at = header.vectorsAt + row * dims * 4;
        const vector = new Float32Array(dims);
        new Uint8Array(vector.buffer).set(buf.subarray(at, at + dims * 4));
        rows.push({ textHash: k.textHash, variant: k.variant, tokens: k.tokens, vector });
      });
    }
    rows.sort((a, b) => (a.textHash < b.textHash ? -1 : a.textHash > b.textHash ? 1 : a.variant - b.variant));
    const mergedName = await this.putBatch(rows);
    for (const { file } of small) {
      if (file === mergedName) continue;
      await removePath(join(this.dir, file));
      this.knownShards.delete(file);
    }
    return { merged: small.length };
  }
}

async function readShardHeader(path: string, dims: number | null): Promise<ShardHeader> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD);
    await fh.read(head, 0, HEAD, 0);
    const count = head.readUInt32LE(12);
    const size = (await fh.stat()).size;
    const len = HEAD + count * ENTRY + 32;
    if (len > size) throw new Error('truncated header');
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, 0);
    const header = parseHeader(buf, dims);
    if (size !== len + header.count * header.dims * 4) throw new Error(`size ${size} bytes, expected ${len + header.count * header.dims * 4}`);
    return header;
  } finally {
    await fh.close();
  }
}

/** Problem with a whole shard's bytes, or null when it is intact. */
function checkWholeShard(file: string, buf: Buffer, dims: number | null): string | null {
  const m = SHARD_RE.exec(file);
  if (m && createHash('sha256').update(buf).digest('hex') !== m[1]) {
    return 'content does not match its name (hash)';
  }
  try {
    const h = parseHeader(buf, dims);
    if (buf.length !== h.vectorsAt + h.count * h.dims * 4) return `size ${buf.length} bytes, expected ${h.vectorsAt + h.count * h.dims * 4}`;
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Maintenance: what `covary cache ls|verify|clear` does.

export interface CacheFolderInfo {
  key: string;
  dir: string;
  modelId: string | null;
  modelHash: string | null;
  dims: number | null;
  shards: number;
  entries: number;
  bytes: number;
  /** Leftover temp files (interrupted writes). */
  temps: number;
}

export function embeddingsRoot(cacheRoot: string): string {
  return join(cacheRoot, 'embeddings');
}

async function readMeta(dir: string): Promise<CacheModel | null> {
  try {
    return JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as CacheModel;
  } catch {
    return null;
  }
}

export async function listCacheFolders(root: string): Promise<CacheFolderInfo[]> {
  let keys: string[];
  try {
    keys = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    return [];
  }
  const out: CacheFolderInfo[] = [];
  for (const key of keys) {
    const dir = join(root, key);
    const meta = await readMeta(dir);
    let shards = 0;
    let bytes = 0;
    let temps = 0;
    const entries = new Set<string>();
    for (const f of await readdir(dir)) {
      const s = await stat(join(dir, f)).catch(() => null);
      if (!s) continue;
      bytes += s.size;
      if (TMP_RE.test(f)) temps++;
      if (!SHARD_RE.test(f)) continue;
      shards++;
      try {
        const h = await readShardHeader(join(dir, f), null);
        for (const k of h.keys) entries.add(`${k.textHash}:${k.variant}`);
      } catch {
        // counted as a shard; verify says what is wrong with it
      }
    }
    out.push({ key, dir, modelId: meta?.modelId ?? null, modelHash: meta?.modelHash ?? null, dims: meta?.dims ?? null, shards, entries: entries.size, bytes, temps });
  }
  return out;
}

export interface CacheProblem {
  key: string;
  file: string;
  problem: string;
  /** Text hashes of the damaged entries, when the header could still be read. */
  entries: string[];
}

export interface VerifyReport {
  key: string;
  shards: number;
  entries: number;
  problems: CacheProblem[];
}

/** Check every shard of one model folder: name = content hash, header checksum, size, each row's check. */
export async function verifyCacheFolder(root: string, key: string): Promise<VerifyReport> {
  const dir = join(root, key);
  const meta = await readMeta(dir);
  const problems: CacheProblem[] = [];
  let shards = 0;
  let entries = 0;
  if (!meta) problems.push({ key, file: join(dir, 'model.json'), problem: 'missing or unreadable model.json', entries: [] });
  for (const f of (await readdir(dir)).sort()) {
    if (!SHARD_RE.test(f)) continue;
    shards++;
    const path = join(dir, f);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (e) {
      problems.push({ key, file: path, problem: `unreadable: ${(e as Error).message}`, entries: [] });
      continue;
    }
    let header: ShardHeader;
    try {
      header = parseHeader(buf, meta?.dims ?? null);
    } catch (e) {
      problems.push({ key, file: path, problem: (e as Error).message, entries: [] });
      continue;
    }
    entries += header.count;
    const bad: string[] = [];
    const rowBytes = header.dims * 4;
    header.keys.forEach((k, row) => {
      const at = header.vectorsAt + row * rowBytes;
      const vec = buf.subarray(at, at + rowBytes);
      if (vec.length !== rowBytes || !rowCheck(Buffer.from(k.textHash, 'hex'), k.variant, vec).equals(k.check)) bad.push(k.textHash);
    });
    const whole = checkWholeShard(f, buf, meta?.dims ?? null);
    if (bad.length) problems.push({ key, file: path, problem: `${bad.length} damaged entr${bad.length === 1 ? 'y' : 'ies'}`, entries: bad });
    else if (whole) problems.push({ key, file: path, problem: whole, entries: [] });
  }
  return { key, shards, entries, problems };
}

/** Remove one model's folder (by key) or, with `all`, every model's. Returns the keys removed. */
export async function clearCache(root: string, key: string | null, all: boolean): Promise<string[]> {
  const folders = (await listCacheFolders(root)).map((f) => f.key);
  const targets = all ? folders : folders.filter((k) => k === key);
  for (const k of targets) await rm(join(root, k), { recursive: true, force: true });
  return targets;
}

/** Delete the damaged shards a verify found (their texts are simply re-embedded next time). */
export async function removeDamaged(problems: CacheProblem[]): Promise<number> {
  let n = 0;
  for (const p of problems) {
    const name = p.file.split(/[\\/]/).pop() ?? '';
    if (name === 'model.json') {
      // A folder without its model description (e.g. cleared while an embed was writing into it)
      // cannot be checked against a model: remove it whole; its prompts are re-embedded when needed.
      await rm(dirname(p.file), { recursive: true, force: true });
      n++;
      continue;
    }
    if (!SHARD_RE.test(name)) continue;
    await rm(p.file, { force: true });
    n++;
  }
  return n;
}
