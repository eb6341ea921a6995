import type { StageModule } from '../core/stage.ts';
import { stage as embed } from '../embed/stage.ts';
import { stage as index } from '../index/stage.ts';
import { stage as correlate } from '../correlate/stage.ts';
import { stage as cluster } from '../cluster/stage.ts';
import { stage as reweight } from '../reweight/stage.ts';
import { stage as explain } from '../explain/stage.ts';
import { stage as report } from '../report/stage.ts';

/** Every analysis stage, in pipeline order. */
export const STAGES: StageModule[] = [embed, index, correlate, cluster, reweight, explain, report];
