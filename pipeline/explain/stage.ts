import { notBuiltStage } from '../core/stage.ts';

export const stage = notBuiltStage('explain', 'Explain prompt co-variation by semantic similarity and failure categories', 'issue #7');
