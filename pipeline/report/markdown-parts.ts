/** Pieces every report.md section uses: a figure (or why it was left out) and a stage's absence note. */
import type { Report } from './schema.ts';
import { mdText } from './escape.ts';

export type Section = (r: Report) => string[];

export const figure = (r: Report, file: string): string[] => {
  const f = r.figures.find((x) => x.file === file);
  if (f) return [`![${mdText(f.title)}](${f.file})`, '', `*${mdText(f.caption)}*`, ''];
  const left = r.figuresLeftOut?.find((x) => x.file === file);
  return left ? [`> Figure left out (${mdText(left.title)}): ${mdText(left.reason)}.`, ''] : [];
};

export const stageNote = (r: Report, stage: string): string[] => {
  const s = r.stages[stage];
  if (!s || s.status === 'ok') return [];
  const why = s.status === 'missing' ? (s.reason && !/^not run/.test(s.reason) ? `the ${stage} stage's result cannot be used (${s.reason})` : `the ${stage} stage has not been run`) : s.status === 'not-built' ? `the ${stage} stage is not built in this version` : `skipped: ${s.reason ?? 'no reason given'}`;
  return [`> Not available — ${mdText(why)}.`, ''];
};
