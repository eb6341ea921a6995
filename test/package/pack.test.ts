/**
 * The published package, as a user gets it: `npm pack` (which builds dist/ on prepack), install the
 * tarball into an empty folder with no network, then `npx covary --help`, `npx covary schema` and
 * `npx covary run --demo` (the smallest demo) end to end from the compiled JavaScript.
 *
 * The offline install resolves the tarball's dependencies from this checkout's package-lock.json
 * (the versions `npm ci` put in the npm cache): a plain `npm install --offline <tarball>` would
 * need registry metadata (packuments) that `npm ci` never caches. Install scripts are skipped
 * (--ignore-scripts): they only compile hnswlib-node's addon and fetch optional CUDA binaries,
 * which is slow and not covary's code; the small demo searches exactly (onnxruntime, which ships
 * its CPU binaries), so it also shows that hnswlib loads only when used. Slow by nature (pack +
 * install + a pipeline run); it skips when the npm cache is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SMALL_B } from '../report/run-helpers.ts';
import { reportJsonSchema } from '../../pipeline/report/schema.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM_CACHE = process.env.npm_config_cache ?? join(homedir(), '.npm');
const hasCache = existsSync(join(NPM_CACHE, '_cacache'));
if (!hasCache) console.warn(`pack.test.ts: skipped — no npm cache at ${NPM_CACHE} (run npm ci first)`);

interface Run {
  code: number;
  out: string;
  err: string;
}

function sh(cmd: string, args: string[], cwd: string, timeoutMs = 600_000): Promise<Run> {
  return new Promise((done) => {
    // Offline: npm serves everything from its cache and fails at once on anything it lacks.
    const env = { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', COVARY_DIST: '' };
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, out, errOut) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      done({ code, out: String(out), err: String(errOut) });
    });
  });
}

/** A lockfile for a project whose one dependency is the tarball, with this checkout's locked runtime dependencies. */
async function consumerLock(tarball: string, tgzName: string): Promise<{ pkg: object; lock: object }> {
  const own = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; license: string; dependencies: Record<string, string>; bin: Record<string, string>; engines: Record<string, string> };
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const integrity = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
  const dep = { [own.name]: `file:${tgzName}` };
  const packages: Record<string, object> = {
    '': { name: 'covary-pack-test', dependencies: dep },
    [`node_modules/${own.name}`]: { version: own.version, resolved: `file:${tgzName}`, integrity, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry.dev) packages[path] = entry;
  return { pkg: { name: 'covary-pack-test', private: true, dependencies: dep }, lock: { name: 'covary-pack-test', lockfileVersion: 3, requires: true, packages } };
}

let work = '';
let app = '';
let tarball = '';

beforeAll(async () => {
  if (!hasCache) return;
  work = await mkdtemp(join(tmpdir(), 'covary-pack-'));
  const packed = await sh('npm', ['pack', '--silent', '--pack-destination', work], ROOT);
  expect(packed.code, packed.err).toBe(0);
  const name = (await readdir(work)).find((f) => f.endsWith('.tgz'));
  expect(name).toBeDefined();
  tarball = join(work, name!);
  app = join(work, 'app');
  await sh('mkdir', ['-p', app], work);
  await copyFile(tarball, join(app, name!));
  const { pkg, lock } = await consumerLock(tarball, name!);
  await writeFile(join(app, 'package.json'), JSON.stringify(pkg, null, 2));
  await writeFile(join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
  // The checkout's npm settings (e.g. onnxruntime-node-install-cuda=skip) apply to its install.
  if (existsSync(join(ROOT, '.npmrc'))) await copyFile(join(ROOT, '.npmrc'), join(app, '.npmrc'));
  const installed = await sh('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], app);
  expect(installed.code, installed.err.slice(-2000)).toBe(0);
}, 900_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasCache)('the packed npm package', () => {
  it('holds compiled JavaScript and no TypeScript sources', async () => {
    const list = await sh('tar', ['-tzf', tarball], work);
    const files = list.out.trim().split('\n');
    expect(files).toContain('package/bin/covary.js');
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/core/ts-worker.mjs');
    // yargs bundled (with its locales and its packages' licences) and the schema rendered at build time.
    expect(files).toContain('package/dist/vendor/yargs.js');
    expect(files).toContain('package/dist/vendor/yargs-locales/en.json');
    expect(files).toContain('package/dist/vendor/yargs.LICENSES.txt');
    expect(files).toContain('package/dist/cli/commands/report-schema.json');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files.some((f) => f.startsWith('package/pipeline/') || f.startsWith('package/test/'))).toBe(false);
  });

  it('starts from the installed package: --help and schema', async () => {
    const help = await sh('npx', ['--offline', 'covary', '--help'], app);
    expect(help.code, help.err).toBe(0);
    expect(help.out).toMatch(/covary run/);
    // The bundled yargs prints the same help as the package does in a source checkout.
    const ownHelp = await sh(process.execPath, [join(ROOT, 'bin/covary.js'), '--help'], ROOT);
    expect(help.out).toBe(ownHelp.out);
    const schema = await sh('npx', ['--offline', 'covary', 'schema'], app);
    expect(schema.code, schema.err).toBe(0);
    expect(JSON.parse(schema.out)).toHaveProperty('properties.verdict');
    // The schema rendered at build time is the one the sources render.
    expect(schema.out).toBe(JSON.stringify(reportJsonSchema(), null, 2) + '\n');
  }, 120_000);

  it('runs the demo end to end (compiled workers included) and writes the report with figures', async () => {
    // Small replicate counts, as the other end-to-end tests use: the point is that every stage runs.
    const r = await sh('npx', ['--offline', 'covary', 'run', '--demo', '--models', '12', '--prompts', '120', '--quiet', ...SMALL_B], app);
    expect(r.code, r.err.slice(-2000)).toBe(0);
    expect(r.out.trim().split('\n').at(-1)).toBe(`report: ${join(app, 'reports', 'demo', 'report.md')}`);
    const md = await readFile(join(app, 'reports', 'demo', 'report.md'), 'utf8');
    expect(md).toMatch(/^# Can the average of “demo” be trusted\?/m);
    const figs = await readdir(join(app, 'reports', 'demo', 'figures'));
    expect(figs.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(5);
  }, 600_000);
});
