import { notBuiltStage } from '../core/stage.ts';

export const stage = notBuiltStage('embed', 'Embed every prompt text with a local sentence encoder (cached by content)', 'issue #3');
