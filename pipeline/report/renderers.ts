/** Reporters as a registry of renderers: each turns the report model into one file's text. */
import type { Report } from './schema.ts';
import { renderMarkdown } from './markdown.ts';
import { stableStringify } from '../core/hash.ts';

export interface Renderer {
  file: string;
  render(r: Report): string;
}

export const RENDERERS: Record<'markdown' | 'json', Renderer> = {
  markdown: { file: 'report.md', render: renderMarkdown },
  json: { file: 'report.json', render: (r) => stableStringify(r, 2) + '\n' },
};
