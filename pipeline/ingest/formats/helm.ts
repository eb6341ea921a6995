/**
 * HELM (crfm-helm) run folders: `<suite>/<run_name>/{run_spec,per_instance_stats,scenario_state}.json`.
 *
 * - model: `run_spec.adapter_spec.model` (else `model_deployment`, else `model=` in the run name);
 * - task: the scenario part of the run name (`bbq` in `bbq:subject=all,…,model=…`); mixed tasks need --task;
 * - score: `per_instance_stats[].stats[name.name = metric].mean` (default metric exact_match when present);
 *   entries repeated for one (instance, train trial, perturbation) are merged; train trials are averaged;
 *   perturbed entries are left out unless --perturbation names one;
 * - text: the rendered `request.prompt` of the unperturbed request of the first train trial;
 * - metadata: scenario args (subject…), split, sub_split, run name, method.
 * Item id = `instance_id`; when the runs of one task have different scenario args (e.g. MMLU subjects,
 * whose ids repeat across subjects), `<args>/<instance_id>` (e.g. `subject=philosophy/id147`).
 */
import { basename, dirname } from 'node:path';
import { CovaryError } from '../../core/errors.ts';
import type { MetadataValue } from '../../core/dataset.ts';
import type { SourceFile } from '../../core/store.ts';
import type { FormatOptions, IngestFormat, IngestParts, ItemRecord, ScoreRecord } from '../types.ts';
import { chooseMetric, chooseTasks, isObject, mean, parseJson, peek, plural, readSource, toMetadata, toNumber } from './shared-logs.ts';

/** Bookkeeping stats HELM computes for every run: never a default metric, not listed as alternatives. */
const GENERIC = /^(num_|training_|inference_|batch_size$|finish_reason_|prompt_truncated$|max_prob$|logprob$|num_bytes$|perplexity|bits_per_byte|logprob_per_byte|.*_runtime$|.*idealized_runtime$|.*denoised_runtime$|.*estimated_num_tokens_cost$|predicted_index$)/;
const PREFERRED = ['exact_match', 'quasi_exact_match', 'prefix_exact_match', 'quasi_prefix_exact_match', 'f1_score', 'rouge_l', 'math_equiv', 'math_equiv_chain_of_thought'];

interface RunDir {
  dir: string;
  name: string;
  task: string;
  model: string;
  spec: Record<string, unknown>;
  scenarioArgs: Record<string, unknown>;
  stats: unknown[];
  statsFile: string;
  state?: Record<string, unknown>;
  stateFile?: string;
}

export const helmFormat: IngestFormat = {
  name: 'helm',
  describe: 'HELM run folders (run_spec.json + per_instance_stats.json + scenario_state.json per run)',
  async detect(files) {
    const dirs = new Set(files.filter((f) => basename(f) === 'per_instance_stats.json').map((f) => dirname(f)));
    for (const f of files) {
      if (basename(f) === 'run_spec.json' && dirs.has(dirname(f)) && (await peek(f, 4096)).includes('"adapter_spec"')) return true;
    }
    return false;
  },
  read: readHelm,
};

async function readHelm(files: string[], options: FormatOptions): Promise<IngestParts> {
  const notes: string[] = [];
  const sources: SourceFile[] = [];
  const byDir = new Map<string, Set<string>>();
  for (const f of files) {
    const d = dirname(f);
    if (!byDir.has(d)) byDir.set(d, new Set());
    byDir.get(d)!.add(basename(f));
  }
  const runDirs = [...byDir].filter(([, names]) => names.has('per_instance_stats.json') && names.has('run_spec.json')).map(([d]) => d).sort();
  const incomplete = [...byDir].filter(([, names]) => names.has('per_instance_stats.json') !== names.has('run_spec.json'));
  for (const [d, names] of incomplete) {
    throw new CovaryError(`HELM run folder lacks ${names.has('run_spec.json') ? 'per_instance_stats.json' : 'run_spec.json'}`, { file: d });
  }
  if (!runDirs.length) throw new CovaryError('no HELM run folder (run_spec.json + per_instance_stats.json) among the inputs', {});

  // Read the (small) run specs first, to choose the task before reading stats.
  const specs: { dir: string; spec: Record<string, unknown>; file: string }[] = [];
  for (const dir of runDirs) {
    const file = `${dir}/run_spec.json`;
    const { data, source } = await readSource(file, 'run_spec');
    const spec = parseJson(data.toString('utf8'), file);
    if (!isObject(spec) || !isObject(spec.adapter_spec)) throw new CovaryError('not a HELM run_spec (no adapter_spec)', { file, field: 'adapter_spec' });
    sources.push(source);
    specs.push({ dir, spec, file });
  }
  const taskOf = (spec: Record<string, unknown>, dir: string) => {
    const name = typeof spec.name === 'string' ? spec.name : basename(dir);
    return name.split(/[:]/)[0].replace(/-(?=[a-z_]+=)[\s\S]*$/, '');
  };
  const { tasks } = chooseTasks(specs.map((s) => taskOf(s.spec, s.dir)), options.task, 'HELM');
  const wanted = new Set(tasks);

  const runs: RunDir[] = [];
  for (const { dir, spec, file } of specs) {
    const task = taskOf(spec, dir);
    if (!wanted.has(task)) continue;
    const name = typeof spec.name === 'string' ? spec.name : basename(dir);
    const ad = spec.adapter_spec as Record<string, unknown>;
    const model =
      (typeof ad.model === 'string' && ad.model) ||
      (typeof ad.model_deployment === 'string' && ad.model_deployment) ||
      /model=([^,]+)/.exec(name)?.[1];
    if (!model) throw new CovaryError('run_spec names no model (adapter_spec.model)', { file, field: 'adapter_spec.model' });
    const sc = spec.scenario_spec;
    const scenarioArgs = isObject(sc) && isObject(sc.args) ? sc.args : {};
    const statsFile = `${dir}/per_instance_stats.json`;
    const st = await readSource(statsFile, 'per_instance_stats');
    sources.push(st.source);
    const stats = parseJson(st.data.toString('utf8'), statsFile);
    if (!Array.isArray(stats)) throw new CovaryError('per_instance_stats.json is not a list', { file: statsFile });
    const run: RunDir = { dir, name, task, model, spec, scenarioArgs, stats, statsFile };
    if (byDir.get(dir)!.has('scenario_state.json')) {
      const stateFile = `${dir}/scenario_state.json`;
      const ss = await readSource(stateFile, 'scenario_state');
      sources.push(ss.source);
      const state = parseJson(ss.data.toString('utf8'), stateFile);
      if (!isObject(state)) throw new CovaryError('scenario_state.json is not an object', { file: stateFile });
      run.state = state;
      run.stateFile = stateFile;
    } else notes.push(`${name}: no scenario_state.json, so no prompt text for its instances`);
    runs.push(run);
    notes.push(`${name}: model ${model}`);
  }

  // Metrics with a value on unperturbed entries, across runs.
  const perturbation = typeof options.perturbation === 'string' && options.perturbation ? options.perturbation : undefined;
  const present: string[] = [];
  const perturbations = new Set<string>();
  for (const r of runs) {
    for (const e of r.stats) {
      if (!isObject(e) || !Array.isArray(e.stats)) throw new CovaryError('per_instance_stats entry without a stats list', { file: r.statsFile });
      const ep = perturbationName(e.perturbation);
      if (ep) perturbations.add(ep);
      for (const s of e.stats) {
        if (!isObject(s) || !isObject(s.name)) continue;
        const sp = perturbationName(s.name.perturbation) ?? ep;
        if (sp) perturbations.add(sp);
        if ((sp ?? undefined) !== perturbation) continue;
        const n = s.name.name;
        if (typeof n === 'string' && statValue(s) !== undefined && !present.includes(n)) present.push(n);
      }
    }
  }
  if (perturbation && !perturbations.has(perturbation)) {
    throw new CovaryError(`--perturbation ${perturbation}: no such perturbation in these runs`, { field: 'perturbation' }, perturbations.size ? `found: ${[...perturbations].sort().join(', ')}` : 'these runs have no perturbations');
  }
  const available = present.filter((m) => !GENERIC.test(m));
  const fallback = PREFERRED.find((m) => available.includes(m)) ?? available[0];
  if (!fallback && !options.metric) throw new CovaryError('no per-instance metric found in the HELM runs', { file: runs[0]?.statsFile });
  const metric = chooseMetric(present, options.metric, fallback!);
  notes.push(`metric ${metric}${available.length > 1 ? ` (available: ${available.join(', ')})` : ''}`);
  if (perturbations.size) {
    notes.push(perturbation ? `perturbation: only "${perturbation}" entries` : `perturbations left out (default: unperturbed): ${[...perturbations].sort().join(', ')} — choose one with --perturbation`);
  }

  // Item ids: prefixed with the scenario args when they differ between the runs of a task.
  const argKey = (r: RunDir) => Object.keys(r.scenarioArgs).sort().map((k) => `${k}=${String(r.scenarioArgs[k])}`).join(',');
  const prefixTasks = new Set(tasks.filter((t) => new Set(runs.filter((r) => r.task === t).map(argKey)).size > 1));
  const multiTask = tasks.length > 1;

  const records: ScoreRecord[] = [];
  const items = new Map<string, ItemRecord>();
  let trialsAveraged = 0;
  let missing = 0;
  for (const r of runs) {
    const prefix = (multiTask ? `${r.task}/` : '') + (prefixTasks.has(r.task) ? `${argKey(r)}/` : '');
    // Merge entries of one (instance, trial): stats with this metric and perturbation, by split.
    const perInstance = new Map<string, { trials: Map<number, number>; split?: string }>();
    for (const e of r.stats as Record<string, unknown>[]) {
      const id = e.instance_id;
      if (typeof id !== 'string' && typeof id !== 'number') throw new CovaryError('per_instance_stats entry without instance_id', { file: r.statsFile, field: 'instance_id' });
      const trial = toNumber(e.train_trial_index) ?? 0;
      const ep = perturbationName(e.perturbation);
      for (const s of e.stats as unknown[]) {
        if (!isObject(s) || !isObject(s.name) || s.name.name !== metric) continue;
        if ((perturbationName(s.name.perturbation) ?? ep ?? undefined) !== perturbation) continue;
        const v = statValue(s);
        if (v === undefined) continue;
        let slot = perInstance.get(String(id));
        if (!slot) perInstance.set(String(id), (slot = { trials: new Map() }));
        slot.trials.set(trial, v); // repeated entries of one trial carry the same stat; the last wins
        if (typeof s.name.split === 'string') slot.split = s.name.split;
      }
    }
    const requests = requestsByInstance(r, perturbation);
    const allIds = new Set((r.stats as Record<string, unknown>[]).map((e) => String(e.instance_id)));
    for (const id of allIds) if (!perInstance.has(id)) missing++;
    for (const [id, slot] of [...perInstance].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))) {
      const values = [...slot.trials.values()];
      if (values.length > 1) trialsAveraged++;
      const itemId = prefix + id;
      const req = requests.get(id);
      const rec: ScoreRecord = { model: r.model, item: itemId, score: mean(values), where: { file: r.statsFile } };
      const answer = answerOf(r, req);
      if (answer !== undefined) rec.answer = answer;
      records.push(rec);
      if (!items.has(itemId)) {
        const metadata: Record<string, MetadataValue> = {};
        for (const k of Object.keys(r.scenarioArgs).sort()) {
          const v = toMetadata(r.scenarioArgs[k]);
          if (v !== undefined) metadata[k] = v;
        }
        metadata.scenario = r.task;
        const inst = isObject(req?.instance) ? req.instance : undefined;
        const split = slot.split ?? (typeof inst?.split === 'string' ? inst.split : undefined);
        if (split) metadata.split = split;
        if (typeof inst?.sub_split === 'string') metadata.sub_split = inst.sub_split;
        const ad = r.spec.adapter_spec as Record<string, unknown>;
        if (typeof ad.method === 'string') metadata.method = ad.method;
        metadata.run = r.name.replace(/,?model=[^,]*/, '').replace(/[:,]$/, '');
        const text = isObject(req?.request) && typeof req.request.prompt === 'string' ? req.request.prompt : isObject(inst?.input) && typeof inst.input.text === 'string' ? inst.input.text : null;
        items.set(itemId, { id: itemId, text, metadata, where: { file: r.stateFile ?? r.statsFile } });
      }
    }
  }
  if (trialsAveraged) notes.push(`${plural(trialsAveraged, 'score')} averaged over train trials`);
  if (missing) notes.push(`${plural(missing, 'instance')} had no ${metric} value and are missing for that model`);
  notes.push(`${plural(runs.length, 'run')} of ${plural(new Set(runs.map((r) => r.model)).size, 'model')}, ${plural(items.size, 'item')}`);
  return { format: 'helm', records, items: [...items.values()], sources, notes, metric: { chosen: metric, available: available.includes(metric) ? available : [...available, metric] } };
}

function perturbationName(p: unknown): string | undefined {
  if (isObject(p) && typeof p.name === 'string') return p.name;
  if (typeof p === 'string') return p;
  return undefined;
}

function statValue(s: Record<string, unknown>): number | undefined {
  const m = toNumber(s.mean);
  if (m !== undefined) return m;
  const sum = toNumber(s.sum);
  const count = toNumber(s.count);
  return sum !== undefined && count ? sum / count : undefined;
}

/** The request state of each instance (unperturbed, or of the chosen perturbation), first train trial preferred. */
function requestsByInstance(r: RunDir, perturbation: string | undefined): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const rs = r.state?.request_states;
  if (!Array.isArray(rs)) return out;
  for (const s of rs) {
    if (!isObject(s) || !isObject(s.instance)) continue;
    if (perturbationName(s.instance.perturbation) !== perturbation) continue;
    const id = String(s.instance.id);
    const prev = out.get(id);
    if (!prev || (toNumber(s.train_trial_index) ?? 0) < (toNumber(prev.train_trial_index) ?? 0)) out.set(id, s);
  }
  return out;
}

/** Multiple-choice answer letter from the first completion; generation tasks have no answer. */
function answerOf(r: RunDir, req: Record<string, unknown> | undefined): string | null | undefined {
  const method = (r.spec.adapter_spec as Record<string, unknown>).method;
  if (typeof method !== 'string' || !method.startsWith('multiple_choice') || !req) return undefined;
  const res = req.result;
  const comps = isObject(res) && Array.isArray(res.completions) ? res.completions : [];
  const first = comps[0];
  if (!isObject(first) || typeof first.text !== 'string') return undefined;
  const t = first.text.trim();
  const mapping = isObject(req.output_mapping) ? req.output_mapping : undefined;
  if (mapping && !(t in mapping)) return null;
  return t || null;
}
