import type { Argv, CommandModule, Options } from 'yargs';
import { ingestOptions, runIngest } from '../../ingest/index.ts';
import { demoOptions, ensureDemo } from '../../demo/index.ts';
import { STAGES } from '../stages.ts';
import { makeContext, printResult, type GlobalArgs } from '../context.ts';
import type { StageOutcome } from '../../core/stage.ts';
import { CovaryError, checkOptions } from '../../core/errors.ts';

type RunArgs = GlobalArgs & { name?: string; demo: boolean; paths?: string[]; force: boolean; with?: string[] } & Record<string, unknown>;

/** Options of every stage, merged; the first stage to declare a name owns it. */
function allStageOptions(): Record<string, Options> {
  const merged: Record<string, Options> = { ...ingestOptions };
  for (const s of STAGES) {
    for (const [k, v] of Object.entries(s.options)) if (!(k in merged)) merged[k] = v;
  }
  for (const [k, v] of Object.entries(demoOptions)) if (!(k in merged)) merged[k] = v;
  return merged;
}

/** In `run`, --metric belongs to ingest; the stages get --similarity-metric as their --metric. */
function stageArgs(argv: RunArgs, name: string): Record<string, unknown> {
  const args: Record<string, unknown> = { ...argv, name };
  delete args.metric;
  const sim = argv['similarity-metric'] ?? argv.similarityMetric;
  if (sim !== undefined) args.metric = sim;
  return args;
}

export function runCommand(commandLine: () => string): CommandModule<GlobalArgs, RunArgs> {
  return {
    command: 'run [paths..]',
    describe: 'Run every stage in order (ingest when inputs are given, or --demo), reusing fresh results',
    builder: (y: Argv<GlobalArgs>) =>
      y
        .positional('paths', { type: 'string', array: true, describe: 'Eval logs to ingest first (as for covary ingest)' })
        .option('name', { type: 'string', describe: 'Benchmark name (default "demo" with --demo)' })
        .option('demo', { type: 'boolean', default: false, describe: 'Generate the demo benchmark first (if absent) and analyse it' })
        .option('force', { type: 'boolean', default: false, describe: 'Recompute every stage even if fresh' })
        // Offered only while some stage is opt-in (none is at present).
        .option('with', { type: 'string', array: true, hidden: !STAGES.some((s) => s.optIn), choices: STAGES.filter((s) => s.optIn).map((s) => s.name), describe: 'Also run these opt-in stages (left out of run by default)' })
        .option('similarity-metric', { type: 'string', choices: ['pearson', 'cosine', 'jaccard', 'hamming'], describe: 'Performance similarity metric for correlate and explain (their --metric; in run, --metric is the ingest metric)' })
        .options(allStageOptions()) as unknown as Argv<RunArgs>,
    handler: async (argv) => {
      const ctx = makeContext(argv, commandLine());
      const name = argv.name ?? (argv.demo ? 'demo' : undefined);
      if (!name) throw new CovaryError('covary run needs --name <bench> (or --demo)', { field: '--name' });
      // Every stage's option values are checked before anything is ingested or computed.
      for (const stage of STAGES) if (stage.built && stage.validate) checkOptions(() => stage.validate!(stageArgs(argv, name)));
      const outcomes: StageOutcome[] = [];
      const wantsIngest = Boolean(argv.scores || argv.long || (argv.paths && argv.paths.length));
      if (argv.demo) outcomes.push(await ensureDemo(ctx, { ...argv, name, force: false }));
      else if (wantsIngest) outcomes.push(await runIngest(ctx, { ...argv, name, force: false }));
      const notBuilt: string[] = [];
      const optedIn = new Set(argv.with ?? []);
      for (const stage of STAGES) {
        if (stage.optIn && !optedIn.has(stage.name)) {
          ctx.reporter.info(`${stage.name}: left out of run (${stage.optIn})`);
          continue;
        }
        if (!stage.built) {
          notBuilt.push(stage.name);
          ctx.reporter.info(`${stage.name}: not built yet in this version — skipped`);
          continue;
        }
        const outcome = await stage.run(ctx, name, stageArgs(argv, name));
        ctx.reporter.info(`${outcome.stage}: ${outcome.status} — ${outcome.message}`);
        outcomes.push(outcome);
      }
      const computed = outcomes.filter((o) => o.status === 'computed').map((o) => o.stage);
      const lines = [
        computed.length ? `recomputed: ${computed.join(', ')}` : 'nothing changed: every stage result was reused from cache',
        ...(notBuilt.length ? [`not built yet: ${notBuilt.join(', ')}`] : []),
      ];
      const reportPath = outcomes.find((o) => o.stage === 'report')?.path;
      if (reportPath) lines.push(`report: ${reportPath}`);
      printResult(argv, lines.join('\n'), { benchmark: name, outcomes, notBuilt, report: reportPath ?? null });
    },
  };
}
