import { notBuiltStage } from '../core/stage.ts';

export const stage = notBuiltStage('cluster', 'Cluster prompts semantically and by performance', 'issue #6');
