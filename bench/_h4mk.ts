import { readFileSync } from 'node:fs';
import { ArtifactStore } from '../pipeline/core/store.ts';
const [dataDir, name, file, limit] = process.argv.slice(2);
const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const rows = lines.slice(0, Number(limit) || lines.length);
const items = rows.map((r: any, i: number) => ({ id: String(r.id ?? r.question_id ?? i), text: r.options ? `${r.question}\n${r.options.map((o: string, j: number) => `${'ABCDEFGHIJ'[j]}. ${o}`).join('\n')}` : r.question, metadata: {}, tags: [] }));
const store = new ArtifactStore(dataDir);
await store.saveDataset({ name, models: ['m'], items, scores: new Float64Array(items.length).fill(1), answers: null }, { format: 'test', counts: { models: 1, items: items.length, cells: items.length, missingCells: 0, itemsWithText: items.length, binary: true, hasAnswers: false }, sources: [], dropped: [], coverage: {}, options: {} });
console.log('saved', name, items.length);
