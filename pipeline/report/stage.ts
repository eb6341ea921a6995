import { notBuiltStage } from '../core/stage.ts';

export const stage = notBuiltStage('report', 'Write the markdown report, JSON twin and SVG figures', 'issue #8');
