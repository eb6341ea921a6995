/**
 * The command catalog (pipeline/cli/catalog.ts) lists every command without loading it. These
 * tests keep the list true to the modules it loads, and check that `covary --help` and
 * `covary schema` really leave the pipeline unloaded (a child process, so nothing is pre-loaded).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATALOG, STAGE_DESCRIPTIONS } from '../../pipeline/cli/catalog.ts';
import { STAGES } from '../../pipeline/cli/stages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('command catalog', () => {
  it('names each command and describes it exactly as its module does', async () => {
    for (const entry of CATALOG) {
      const real = await entry.load(() => 'covary');
      expect({ command: real.command, describe: real.describe }, `pipeline/cli/catalog.ts is out of date for "${entry.command}"`).toEqual({ command: entry.command, describe: entry.describe });
      expect(typeof real.handler).toBe('function');
    }
  });

  it('lists every stage, in pipeline order', () => {
    expect(STAGE_DESCRIPTIONS.map(([name, describe]) => ({ name, describe }))).toEqual(STAGES.map((s) => ({ name: s.name, describe: s.describe })));
  });

  it('--help and schema load no stage, no heavy library', async () => {
    // A loader hook that prints every module URL the process loads.
    const dir = await mkdtemp(join(tmpdir(), 'covary-loads-'));
    const hooks = join(dir, 'hooks.mjs');
    await writeFile(hooks, `export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }\n`);
    await writeFile(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const loaded = (args: string[]) =>
      new Promise<string[]>((done, fail) =>
        execFile(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(ROOT, 'bin/covary.js'), ...args], { cwd: ROOT, env: { ...process.env, COVARY_DIST: '' } }, (err, _out, errOut) =>
          err ? fail(err) : done([...String(errOut).matchAll(/^LOADED (.*)$/gm)].map((m) => m[1])),
        ),
      );
    const [help, schema] = await Promise.all([loaded(['--help']), loaded(['schema'])]);
    const ours = (urls: string[]) => urls.filter((u) => u.includes('/pipeline/')).map((u) => u.slice(u.indexOf('/pipeline/') + 1)).sort();
    expect(ours(help)).toEqual(['pipeline/cli/catalog.ts', 'pipeline/cli/main.ts', 'pipeline/cli/options.ts', 'pipeline/core/errors.ts', 'pipeline/core/version.ts']);
    expect(ours(schema)).toEqual(['pipeline/cli/catalog.ts', 'pipeline/cli/commands/schema.ts', 'pipeline/cli/main.ts', 'pipeline/cli/options.ts', 'pipeline/core/errors.ts', 'pipeline/core/version.ts', 'pipeline/report/schema.ts']);
    const heavy = /node_modules\/(onnxruntime-node|@huggingface|hnswlib-node|@energetic-ai|ml-matrix|ml-kmeans|csv-parse|hyparquet|fflate|protobufjs|pure-rand|cli-progress|tinyglobby)\//;
    expect(help.filter((u) => heavy.test(u))).toEqual([]);
    expect(schema.filter((u) => heavy.test(u))).toEqual([]);
  }, 60_000);
});
