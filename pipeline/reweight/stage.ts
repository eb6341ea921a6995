import { notBuiltStage } from '../core/stage.ts';

export const stage = notBuiltStage('reweight', 'Re-weight prompts under alternative distributions and compare rankings', 'issue #6');
