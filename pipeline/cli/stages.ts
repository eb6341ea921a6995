import type { StageModule } from '../core/stage.ts';
import { stage as embed } from '../embed/stage.ts';
import { stage as index } from '../index/stage.ts';
import { stage as correlate } from '../correlate/stage.ts';
import { stage as irt } from '../irt/stage.ts';
import { stage as cluster } from '../cluster/stage.ts';
import { stage as reweight } from '../reweight/stage.ts';
import { stage as explain } from '../explain/stage.ts';
import { makeReportStage } from '../report/stage.ts';

/** Every analysis stage, in pipeline order. */
const analysis: StageModule[] = [embed, index, correlate, irt, cluster, reweight, explain];
const report = makeReportStage(
  (name) => analysis.some((s) => s.name === name && s.built),
  (name) => analysis.find((s) => s.name === name)?.optIn ?? null,
);

export const STAGES: StageModule[] = [...analysis, report];
