import type { MetadataValue } from '../core/dataset.ts';
import type { SourceFile } from '../core/store.ts';
import type { CellLog } from './cells.ts';

/** Where a record came from, for error messages and conflict reports. */
export interface SourceLocation {
  file: string;
  line?: number;
}

/** One (model, item) result as read from any input format. */
export interface ScoreRecord {
  model: string;
  item: string;
  /** In [0, 1] after any rescaling; NaN is never used here (an absent record is "missing"). */
  score: number;
  /** The extracted answer; null = the model answered but nothing could be extracted; undefined = format has no answers. */
  answer?: string | null;
  where?: SourceLocation;
}

/** Prompt text and metadata of one item, as read from any input format. */
export interface ItemRecord {
  id: string;
  text: string | null;
  metadata: Record<string, MetadataValue>;
  where?: SourceLocation;
  /** How many sources gave this text (default 1): a streaming reader gives each distinct text once. */
  weight?: number;
}

/** What a format reader produces; `merge.ts` turns parts into a canonical Dataset. */
export interface IngestParts {
  format: string;
  /** The results as objects (small inputs: harness logs) … */
  records: ScoreRecord[];
  /** … or streamed into typed arrays (wide and long files of any size); `records` is then empty. */
  cells?: CellLog;
  /** The item id of a log item key when a reader keys items otherwise (long format, `--task all`). */
  itemIdOf?: (key: number) => string;
  items: ItemRecord[];
  sources: SourceFile[];
  /** Human-readable facts about choices made (filter, metric, epochs, …), shown by --dry-run and in the manifest. */
  notes: string[];
  /** The metric used and the alternatives the logs offered. */
  metric?: { chosen: string; available: string[] };
  /**
   * Optional declared order (e.g. the rows / columns of a wide matrix). Merge orders models and
   * items by it first, then by first appearance in `records`; declared entries without any
   * score are dropped and reported.
   */
  modelOrder?: string[];
  itemOrder?: string[];
}

/** Options every reader may consult (parsed from the CLI). */
export interface FormatOptions {
  metric?: string;
  filter?: string;
  scorer?: string;
  epochs?: 'mean' | 'first';
  task?: string;
  /** HELM: read the entries of this perturbation instead of the unperturbed ones. */
  perturbation?: string;
  modelField?: string;
  itemField?: string;
  scoreField?: string;
  answerField?: string;
  idField?: string;
  textField?: string[];
  /** Field holding the task / benchmark id in long-format rows (auto: benchmark_id, task, …). */
  taskField?: string;
  /** Wide format: answers matrices, one per scores file. */
  answers?: string[];
  /** Answer text meaning "no answer could be extracted" (default "NONE"). */
  noneMarker?: string;
  /** Wide / long: score texts meaning "no result" besides the empty cell (--na-values). */
  naValues?: string[];
  /** lm-eval / Inspect: several runs of one model on one task → keep the latest (default) or all. */
  runs?: 'latest' | 'all';
  /** CSV delimiter forced with --delimiter (default: detected among comma, tab, semicolon). */
  delimiter?: string;
  [key: string]: unknown;
}

export interface IngestFormat {
  name: string;
  describe: string;
  /** True when these (already expanded) files look like this format. Cheap: reads at most a few KB. */
  detect(files: string[]): Promise<boolean>;
  read(files: string[], options: FormatOptions): Promise<IngestParts>;
}
