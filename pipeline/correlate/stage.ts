import { notBuiltStage } from '../core/stage.ts';

export const stage = notBuiltStage('correlate', 'Performance similarity between prompts and its significance under two nulls', 'issue #4');
