/**
 * The six real datasets in ../shared/data (see its README) and the exact `covary ingest`
 * arguments for each, so the real-data script, the bench and the tests ingest them the same way.
 * `expected` holds the counts verified against the files themselves (rows, header columns, empty
 * cells, NONE markers in the pred matrices).
 */
import { join } from 'node:path';

export interface SharedDataset {
  name: string;
  /** Arguments after `covary ingest` (paths absolute under the given shared-data folder). */
  args: string[];
  expected: {
    models: number;
    items: number;
    missingCells: number;
    /** Models with missing cells and how many each lacks. */
    missingByModel: Record<string, number>;
    /** Cells whose extracted answer is the NONE marker (null when there is no pred matrix). */
    noneAnswers: number | null;
    metadata: string[];
  };
}

export function sharedDatasets(sharedData: string): SharedDataset[] {
  const p = (...parts: string[]) => join(sharedData, ...parts);
  return [
    {
      name: 'gsm8k',
      args: ['--name', 'gsm8k', '--scores', p('zeroeval/gsm_correct_matrix.csv'), '--items', p('zeroeval/gsm_items.jsonl'), '--id-field', 'id', '--text-field', 'question'],
      expected: { models: 44, items: 1319, missingCells: 638, missingByModel: { 'gemini-1.5-flash-exp-0827': 638 }, noneAnswers: null, metadata: ['answer', 'source'] },
    },
    {
      name: 'math-l5',
      args: ['--name', 'math-l5', '--scores', p('zeroeval/math-l5_correct_matrix.csv'), '--items', p('zeroeval/math-l5_items.jsonl'), '--id-field', 'id', '--text-field', 'question'],
      expected: {
        models: 43,
        items: 721,
        missingCells: 311,
        missingByModel: { 'Meta-Llama-3.1-405B-Instruct@hyperbolic': 15, 'Meta-Llama-3.1-70B-Instruct@hyperbolic': 296 },
        noneAnswers: null,
        metadata: ['answer', 'source'],
      },
    },
    {
      name: 'crux',
      args: ['--name', 'crux', '--scores', p('zeroeval/crux_correct_matrix.csv'), '--items', p('zeroeval/crux_items.jsonl'), '--id-field', 'id', '--text-field', 'question'],
      expected: { models: 51, items: 800, missingCells: 0, missingByModel: {}, noneAnswers: null, metadata: ['answer', 'source'] },
    },
    {
      name: 'mmlu-pro',
      args: [
        '--name', 'mmlu-pro',
        '--scores', p('mmlu-pro/correct_matrix.csv'),
        '--answers', p('mmlu-pro/pred_matrix.csv'),
        '--items', p('mmlu-pro/items.jsonl'),
        '--id-field', 'question_id',
        '--text-field', 'question,options',
      ],
      expected: {
        models: 29,
        items: 12032,
        missingCells: 1713,
        missingByModel: { 'DeepSeek-Coder-V2': 1681, 'gemini-1.5-flash-002': 20, 'gemini-1.5-pro-002': 12 },
        noneAnswers: 32697,
        metadata: ['answer', 'answer_index', 'category', 'src', 'varies_across_model_files'],
      },
    },
    {
      name: 'toxicity',
      args: [
        '--name', 'toxicity',
        '--scores', p('textclass/toxicity_EN_correct_matrix.csv'),
        '--answers', p('textclass/toxicity_EN_pred_matrix.csv'),
        '--items', p('textclass/toxicity_EN_items.jsonl'),
        '--id-field', 'item',
        '--text-field', 'text',
      ],
      expected: { models: 116, items: 750, missingCells: 0, missingByModel: {}, noneAnswers: 0, metadata: ['gold'] },
    },
    {
      name: 'policy',
      args: [
        '--name', 'policy',
        '--scores', p('textclass/policy_EN_correct_matrix.csv'),
        '--answers', p('textclass/policy_EN_pred_matrix.csv'),
        '--items', p('textclass/policy_EN_items.jsonl'),
        '--id-field', 'item',
        '--text-field', 'text',
      ],
      expected: { models: 91, items: 926, missingCells: 0, missingByModel: {}, noneAnswers: 0, metadata: ['gold'] },
    },
  ];
}
