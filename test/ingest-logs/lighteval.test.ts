import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { lightevalFormat } from '../../pipeline/ingest/formats/lighteval.ts';
import { CovaryError } from '../../pipeline/core/errors.ts';
import { recordsOf } from '../../pipeline/ingest/cells.ts';
import { HAS_SHARED, SHARED, filesUnder, itemIds, models, scoreOf } from './helpers.ts';

const LE = join(SHARED, 'lighteval/lighteval-0.13.0-dummy-model');

describe.skipIf(!HAS_SHARED)('lighteval details parquet on the shared fixture', () => {
  it('lists the tasks when several are present', async () => {
    const files = filesUnder(LE);
    expect(await lightevalFormat.detect(files)).toBe(true);
    const err = await lightevalFormat.read(files, {}).catch((e) => e);
    expect(err).toBeInstanceOf(CovaryError);
    expect(err.message).toContain('anli:r1|0, squad_v2|0');
  });

  it('reads anli: doc.id, doc.query, metric.acc, model from the results file, argmax answer', async () => {
    const p = await lightevalFormat.read(filesUnder(LE), { task: 'anli:r1' });
    expect(models(p)).toEqual(['eee-smoke/dummy-model']);
    expect(p.notes.join('\n')).toContain('from results config_general.model_name');
    expect(itemIds(p)).toEqual(['507', '776']);
    expect(p.metric).toEqual({ chosen: 'acc', available: ['acc'] });
    expect(scoreOf(p, 'eee-smoke/dummy-model', '776')).toBe(0);
    // logprobs [-0.639, -0.025, -0.275] → B; [-0.223, -0.736, -0.677] → A
    expect(recordsOf(p).find((r) => r.item === '776')!.answer).toBe('B');
    expect(recordsOf(p).find((r) => r.item === '507')!.answer).toBe('A');
    expect(p.items.find((i) => i.id === '776')!.text).toMatch(/^Naser Mestarihi EP is the eponymous debut EP.*\nAnswer:$/s);
  });

  it('takes the model from the path when only the details folder is given; task-prefixed ids for several tasks', async () => {
    const p = await lightevalFormat.read(filesUnder(join(LE, 'details')), { task: 'anli:r1|0,squad_v2' });
    expect(models(p)).toEqual(['eee-smoke/dummy-model']);
    expect(p.notes.join('\n')).toContain('(from path)');
    expect(itemIds(p)).toEqual(['anli:r1|0/507', 'anli:r1|0/776', 'squad_v2|0/3506', 'squad_v2|0/5230']);
    expect(recordsOf(p).find((r) => r.item === 'squad_v2|0/5230')!.answer).toBe('random baseline');
    expect(p.metric!.available).toEqual(['acc', 'em']);
    const all = await lightevalFormat.read(filesUnder(join(LE, 'details')), { task: 'all' });
    expect(itemIds(all)).toEqual(itemIds(p));
  });

  it('errors on an unknown --metric and on details-free input', async () => {
    const err = await lightevalFormat.read(filesUnder(LE), { task: 'squad_v2', metric: 'f1' }).catch((e) => e);
    expect(err.toLine()).toMatch(/--metric f1: .*available: em/);
    const none = await lightevalFormat.read(filesUnder(join(LE, 'results')), {}).catch((e) => e);
    expect(none.toLine()).toMatch(/no lighteval details_\*\.parquet/);
  });
});
