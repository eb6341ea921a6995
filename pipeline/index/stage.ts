import { notBuiltStage } from '../core/stage.ts';

export const stage = notBuiltStage('index', 'Build the nearest-neighbour index and kNN graph of prompt embeddings', 'issue #3');
