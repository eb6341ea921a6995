/**
 * Trick prompts: questions that almost every model gets wrong for one shared reason, with one
 * attractive wrong answer (the "shared distractor"). Several are worded exactly like ordinary
 * prompts of their family, so nothing in the text or metadata marks them as tricks.
 */
import type { Rng } from '../core/rng.ts';
import { capitalPrompt } from './families/knowledge.ts';
import { CODE_LEADS } from './families/reasoning.ts';
import { pick } from './families/util.ts';

export interface TrickVariant {
  /** The trick this wording belongs to (one trick may have several wordings). */
  trick: string;
  family: string;
  /** The family phrasing it imitates, or null for a wording of its own. */
  template: number | null;
  text: string;
  answer: string;
  /** The wrong answer nearly every model gives. */
  shared: string;
  /** Rarer wrong answers. */
  others: string[];
}

type TrickMaker = (rng: Rng) => TrickVariant[];

const v = (trick: string, family: string, template: number | null, text: string, answer: string, shared: string, others: string[]): TrickVariant => ({ trick, family, template, text, answer, shared, others });

const CATALOG: TrickMaker[] = [
  () => [
    v('bat-and-ball', 'arithmetic', null, 'A bat and a ball cost 1.10 dollars in total. The bat costs 1.00 dollar more than the ball. How many dollars does the ball cost?', '0.05', '0.10', ['1.05']),
    v('bat-and-ball', 'arithmetic', null, 'Together a notebook and a pen cost 1.10 dollars, and the notebook costs one dollar more than the pen. How many dollars does the pen cost?', '0.05', '0.10', ['0.01']),
    v('bat-and-ball', 'arithmetic', null, 'A cup and a saucer cost 1.10 dollars altogether. The cup costs exactly 1 dollar more than the saucer. What does the saucer cost in dollars?', '0.05', '0.10', ['1.00']),
  ],
  () => [
    v('machines-and-widgets', 'arithmetic', null, 'If 5 machines take 5 minutes to make 5 widgets, how many minutes would 100 machines need to make 100 widgets?', '5', '100', ['20']),
    v('machines-and-widgets', 'arithmetic', null, 'It takes 5 printers 5 minutes to print 5 posters. How many minutes would 100 printers take to print 100 posters?', '5', '100', ['1']),
  ],
  () => [
    v('all-but', 'arithmetic', null, 'A farmer has 17 sheep and all but 9 run away. How many sheep does the farmer have left?', '9', '8', ['17']),
    v('all-but', 'arithmetic', null, 'A shepherd had 15 goats. All but 6 of them escaped through a broken gate. How many goats remain?', '6', '9', ['15']),
  ],
  () => [
    v('doubling-lily-pads', 'arithmetic', null, 'A patch of lily pads doubles in size every day and covers the whole lake after 48 days. After how many days did it cover half the lake?', '47', '24', ['46']),
  ],
  () => [v('decimal-comparison', 'arithmetic', null, 'Which number is larger, 9.11 or 9.9? Answer with the larger number only.', '9.9', '9.11', ['they are equal'])],
  () => [
    v('strawberry', 'spelling', 0, 'How many times does the letter "r" appear in the word "strawberry"?', '3', '2', ['1']),
    v('strawberry', 'spelling', 1, 'Count the letter "r" in "strawberry". How many times does it occur?', '3', '2', ['4']),
  ],
  (rng) =>
    [0, 2].flatMap((t) => {
      const au = capitalPrompt(rng, t, 'Australia', 'Canberra', ['Sydney', 'Melbourne', 'Perth']);
      const ca = capitalPrompt(rng, t, 'Canada', 'Ottawa', ['Toronto', 'Montreal', 'Vancouver']);
      const tr = capitalPrompt(rng, t, 'Turkey', 'Ankara', ['Istanbul', 'Izmir', 'Antalya']);
      return [
        v('capital-not-largest-city', 'capitals', t, au.text, 'Canberra', 'Sydney', ['Melbourne']),
        v('capital-not-largest-city', 'capitals', t, ca.text, 'Ottawa', 'Toronto', ['Montreal']),
        v('capital-not-largest-city', 'capitals', t, tr.text, 'Ankara', 'Istanbul', ['Izmir']),
      ];
    }),
  (rng) => [v('float-equality', 'code-output', null, `${pick(rng, CODE_LEADS)} print(0.1 + 0.2 == 0.3)`, 'False', 'True', ['0.3'])],
  (rng) => [
    v('bankers-rounding', 'code-output', null, `${pick(rng, CODE_LEADS)} print(round(2.5))`, '2', '3', ['2.5']),
    v('bankers-rounding', 'code-output', null, `${pick(rng, CODE_LEADS)} print(round(0.5))`, '0', '1', ['0.5']),
  ],
  () => [v('months-with-28-days', 'date-arithmetic', null, 'How many months of the year have 28 days in them? Give a number.', '12', '1', ['2'])],
  () => [v('dry-ice', 'chemistry', 0, 'What is the chemical formula of dry ice? Give the formula only.', 'CO2', 'H2O', ['CO'])],
  () => [v('hundred-years-war', 'history', null, "How many years did the Hundred Years' War between England and France actually last?", '116', '100', ['99'])],
  () => [
    v('false-friend', 'translation', 4, 'What does the German word "Gift" mean in English? Give one English word.', 'poison', 'gift', ['present']),
    v('false-friend', 'translation', 4, 'What does the Spanish word "embarazada" mean in English? Give one English word.', 'pregnant', 'embarrassed', ['ashamed']),
    v('false-friend', 'translation', 4, 'What does the French word "librairie" mean in English? Give one English word.', 'bookshop', 'library', ['bookcase']),
  ],
  () => [
    v('misused-word', 'synonyms', 3, 'What is an antonym of the word "inflammable"? Choose from flammable, nonflammable, burning or hot.', 'nonflammable', 'flammable', ['hot']),
    v('misused-word', 'synonyms', 0, 'Which word is closest in meaning to "nonplussed"? Options: perplexed, unperturbed, pleased or tired.', 'perplexed', 'unperturbed', ['tired']),
  ],
  () => [
    v('overtaking-second', 'logic', null, 'In a race, you overtake the person in second place. What position are you in now?', 'second', 'first', ['third']),
    v('moses-ark', 'logic', null, 'How many animals of each kind did Moses take on the ark? Answer with a number.', '0', '2', ['7']),
    v('feathers-or-steel', 'logic', null, 'Which is heavier: a kilogram of feathers or a kilogram of steel? Answer feathers, steel, or neither.', 'neither', 'steel', ['feathers']),
  ],
  () => [
    v('squared-units', 'unit-conversion', 0, 'How many square centimetres are there in 1 square metre? Give just the number.', '10000', '100', ['1000']),
    v('squared-units', 'unit-conversion', 0, 'How many cubic centimetres are there in 1 cubic metre? Give just the number.', '1000000', '1000', ['100']),
  ],
];

/**
 * Up to `count` trick wordings, spread over as many tricks as possible (round robin over the
 * tricks in random order), keeping at most `room[family]` per family.
 */
export function chooseTricks(rng: Rng, count: number, room: Record<string, number>): TrickVariant[] {
  const groups = rng.shuffle(CATALOG.map((make) => make(rng)));
  const left = { ...room };
  const out: TrickVariant[] = [];
  for (let round = 0; out.length < count; round++) {
    let any = false;
    for (const g of groups) {
      if (out.length >= count) break;
      const t = g[round];
      if (!t) continue;
      any = true;
      if ((left[t.family] ?? 0) <= 0) continue;
      left[t.family]--;
      out.push(t);
    }
    if (!any) break;
  }
  return out;
}

export const TRICK_CATALOG_SIZE = CATALOG.length;
