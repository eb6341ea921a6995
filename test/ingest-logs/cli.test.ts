import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../pipeline/cli/main.ts';
import { ArtifactStore } from '../../pipeline/core/store.ts';
import { HAS_SHARED, LOCAL, SHARED } from './helpers.ts';

/** Run the CLI, capturing stderr (errors are one line there). */
async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const ew = process.stderr.write.bind(process.stderr);
  const ow = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  try {
    const code = await main(args);
    return { code, stderr: err.join(''), stdout: out.join('') };
  } finally {
    process.stderr.write = ew;
    process.stdout.write = ow;
  }
}

const tmp = () => mkdtempSync(join(tmpdir(), 'covary-logs-'));

describe('covary ingest on harness logs (end to end)', () => {
  it('ingests hand-made lm-eval logs with auto-detection and --filter', async () => {
    const dir = tmp();
    const r = await run(['ingest', '--data-dir', dir, '--name', 'gsm', '--quiet', '--filter', 'flexible-extract', join(LOCAL, 'lm-eval/two-filters')]);
    expect(r.code, r.stderr).toBe(0);
    const { dataset: ds } = await new ArtifactStore(dir).loadDataset('gsm');
    expect(ds.models).toEqual(['org/model-a', 'org/model-b']);
    expect(ds.items.map((i) => i.id).sort()).toEqual(['gsm8k/0', 'gsm8k/1', 'gsm8k/2', expect.stringMatching(/^gsm8k\/2#/)]);
    const n = ds.items.length;
    const col = ds.items.findIndex((i) => i.id === 'gsm8k/0');
    expect([ds.scores[col], ds.scores[n + col]]).toEqual([1, 1]);
    // the doc with a different hash is missing (NaN) for the other model, not merged
    const split = ds.items.findIndex((i) => i.id.startsWith('gsm8k/2#'));
    expect(Number.isNaN(ds.scores[n + split])).toBe(true);
  });

  it('Inspect: ingests one task, and a clear error when tasks are mixed', async () => {
    const dir = tmp();
    // a second model: the same log with another model and run id
    const logs = tmp();
    const log = JSON.parse(readFileSync(join(LOCAL, 'inspect/epochs.json'), 'utf8'));
    writeFileSync(join(logs, 'a.json'), JSON.stringify(log));
    log.eval.model = 'openai/other';
    log.eval.run_id = 'RUN3';
    writeFileSync(join(logs, 'b.json'), JSON.stringify(log));
    const ok = await run(['ingest', '--data-dir', dir, '--name', 'ep', '--quiet', '--scorer', 'judge.f1', logs]);
    expect(ok.code, ok.stderr).toBe(0);
    const { dataset: ds } = await new ArtifactStore(dir).loadDataset('ep');
    expect(ds.models).toEqual(['openai/test-model', 'openai/other']);
    expect(ds.scores[ds.items.findIndex((i) => i.id === 'q-1')]).toBe(0.375);
    expect(ds.items.find((i) => i.id === '7')!.text).toContain('Question 7?');
    const bad = await run(['ingest', '--data-dir', dir, '--name', 'bad', '--quiet', '--scorer', 'judge', logs]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/covary: error: .*scorer judge gives a dict/);
    expect(existsSync(join(dir, 'benchmarks', 'bad'))).toBe(false);
  });

  it.skipIf(!HAS_SHARED)('lm-eval fixture: two runs of one model keep the latest; --runs all makes them a duplicate unless --on-duplicate; aggregate-only is an error', async () => {
    const dir = tmp();
    const wg = join(SHARED, 'lm-eval/v0.4-log_samples-3models-winogrande');
    const latest = await run(['ingest', '--data-dir', dir, '--name', 'latest', '--quiet', '--json', wg]);
    expect(latest.code, latest.stderr).toBe(0);
    const manifest = await new ArtifactStore(dir).readManifest('latest');
    expect(JSON.stringify(manifest.coverage)).toMatch(/SOLAR-10\.7B-Instruct-v1\.0 on winogrande: 2 runs; kept the most recent/);
    expect((await new ArtifactStore(dir).loadDataset('latest')).dataset.models).toHaveLength(3);
    const dup = await run(['ingest', '--data-dir', dir, '--name', 'wg', '--quiet', '--runs', 'all', wg]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/SOLAR-10\.7B-Instruct-v1\.0.*more than one result/);
    const ok = await run(['ingest', '--data-dir', dir, '--name', 'wg', '--quiet', '--runs', 'all', '--on-duplicate', 'mean', wg]);
    expect(ok.code, ok.stderr).toBe(0);
    const { dataset: ds } = await new ArtifactStore(dir).loadDataset('wg');
    expect(ds.models).toHaveLength(3);
    expect(ds.items).toHaveLength(10);
    const k = ds.models.indexOf('upstage/SOLAR-10.7B-Instruct-v1.0');
    const i7 = ds.items.findIndex((i) => i.id === 'winogrande/7');
    expect(ds.scores[k * 10 + i7]).toBe(0.5);
    const agg = await run(['ingest', '--data-dir', dir, '--name', 'agg', '--quiet', join(SHARED, 'lm-eval/v0.3-results-aggregate-only')]);
    expect(agg.code).not.toBe(0);
    expect(agg.stderr).toMatch(/--log_samples/);
  });

  it.skipIf(!HAS_SHARED)('Inspect fixture: --task arc_easy from a mixed folder, dry run writes nothing', async () => {
    const dir = tmp();
    const mixed = await run(['ingest', '--data-dir', dir, '--name', 'arc', '--quiet', join(SHARED, 'inspect')]);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toMatch(/4 different tasks: .*--task/);
    const dry = await run(['ingest', '--data-dir', dir, '--name', 'arc', '--dry-run', '--task', 'arc_easy', join(SHARED, 'inspect')]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout + dry.stderr).toMatch(/inspect/);
    expect(existsSync(join(dir, 'benchmarks', 'arc'))).toBe(false);
    const ok = await run(['ingest', '--data-dir', dir, '--name', 'arc', '--quiet', '--task', 'arc_easy', join(SHARED, 'inspect')]);
    expect(ok.code, ok.stderr).toBe(0);
    const { dataset: ds } = await new ArtifactStore(dir).loadDataset('arc');
    expect(ds.models).toHaveLength(2);
    expect(ds.items).toHaveLength(5);
    expect(readFileSync(join(dir, 'benchmarks', 'arc', 'manifest.json'), 'utf8')).toContain('inspect');
  });
});
