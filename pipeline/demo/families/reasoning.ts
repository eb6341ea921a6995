/** Reasoning families: arithmetic word problems, unit conversions, date arithmetic, logic, code output. */
import type { Rng } from '../../core/rng.ts';
import { between, distractorsFor, pick, pickDistinct, PEOPLE, type GeneratedPrompt, type PromptFamily } from './util.ts';

const OBJECTS = ['apples', 'marbles', 'stickers', 'books', 'pencils', 'cookies', 'stamps', 'shells', 'cards', 'oranges', 'balloons', 'coins'] as const;
const SHOPS = ['bakery', 'market stall', 'bookshop', 'corner shop', 'school fair stand', 'garden centre'] as const;

function arithmetic(rng: Rng): GeneratedPrompt {
  const template = rng.int(8);
  const [p, q] = pickDistinct(rng, PEOPLE, 2);
  const obj = pick(rng, OBJECTS);
  const num = (answer: number, wrong: number[]) => ({ answer: String(answer), distractors: distractorsFor(String(answer), wrong.filter((w) => w >= 0 && Number.isInteger(w))) });
  switch (template) {
    case 0: {
      const a = between(rng, 12, 60), b = between(rng, 3, 25), c = between(rng, 2, 10);
      return { template, text: `${p} has ${a} ${obj}. ${p} buys ${b} more and then gives ${c} to ${q}. How many ${obj} does ${p} have now?`, ...num(a + b - c, [a + b + c, a + b, a - b - c, a + b - c + 1]) };
    }
    case 1: {
      const price = between(rng, 2, 15), n = between(rng, 3, 12);
      return { template, text: `A ${pick(rng, SHOPS)} sells ${obj} for ${price} dollars each. How many dollars do ${n} ${obj} cost in total?`, ...num(price * n, [price + n, price * (n + 1), price * (n - 1), price * n * 10]) };
    }
    case 2: {
      const a = between(rng, 6, 40), d = between(rng, 3, 14);
      return { template, text: `${p} reads ${a} pages every day. How many pages will ${p} have read after ${d} days?`, ...num(a * d, [a + d, a * (d + 1), a * (d - 1), a * d + a * 2]) };
    }
    case 3: {
      const r = between(rng, 5, 20), c = between(rng, 6, 15), t = between(rng, 3, r * c - 5);
      return { template, text: `A hall has ${r} rows of ${c} chairs each. If ${t} chairs are already taken, how many chairs are still free?`, ...num(r * c - t, [r * c, r * c + t, r * c - t - 1, r + c]) };
    }
    case 4: {
      const s = between(rng, 4, 24) * 5, h = between(rng, 2, 9);
      return { template, text: `A train travels at ${s} kilometres per hour. How many kilometres does it cover in ${h} hours?`, ...num(s * h, [s + h, s * (h + 1), s * (h - 1), (s * h) / 2]) };
    }
    case 5: {
      const a = between(rng, 40, 120), b = between(rng, 5, 20), c = between(rng, 5, 20);
      return { template, text: `${p} had ${a} dollars, spent ${b} dollars on lunch and ${c} dollars on a book. How many dollars are left?`, ...num(a - b - c, [a - b, a - b + c, b + c, a - b - c - 1]) };
    }
    case 6: {
      const g = between(rng, 3, 9), s = between(rng, 4, 12), x = between(rng, 2, 6);
      return { template, text: `On a school trip there are ${g} groups of ${s} students, and ${x} teachers come along. How many people go on the trip?`, ...num(g * s + x, [g * s, g + s + x, g * (s + x), g * s - x]) };
    }
    default: {
      const k = between(rng, 3, 9), each = between(rng, 3, 12);
      const t = k * each;
      return { template, text: `${p} shares ${t} ${obj} equally among ${k} friends. How many ${obj} does each friend get?`, ...num(each, [each + 1, each - 1, k, t - k]) };
    }
  }
}

/** [larger unit, smaller unit, factor]: 1 larger = factor smaller. */
const CONVERSIONS: readonly [string, string, number][] = [
  ['kilometres', 'metres', 1000], ['metres', 'centimetres', 100], ['kilograms', 'grams', 1000], ['hours', 'minutes', 60],
  ['minutes', 'seconds', 60], ['days', 'hours', 24], ['litres', 'millilitres', 1000], ['feet', 'inches', 12],
  ['yards', 'feet', 3], ['weeks', 'days', 7], ['gallons', 'quarts', 4], ['pounds', 'ounces', 16],
  ['centimetres', 'millimetres', 10], ['tonnes', 'kilograms', 1000], ['years', 'months', 12], ['miles', 'yards', 1760],
];
const WRONG_FACTOR: Record<number, number> = { 1000: 100, 100: 1000, 60: 100, 24: 12, 12: 10, 3: 12, 7: 5, 4: 8, 16: 12, 10: 100, 1760: 1000 };

function unitConversion(rng: Rng): GeneratedPrompt {
  const template = rng.int(6);
  const [big, small, f] = pick(rng, CONVERSIONS);
  const wf = WRONG_FACTOR[f];
  if (template < 4) {
    const x = between(rng, 2, f >= 1000 ? 9 : 15);
    const ans = x * f;
    const text = [
      `How many ${small} are there in ${x} ${big}? Give just the number.`,
      `Convert ${x} ${big} into ${small}. Answer with a number only.`,
      `A worksheet lists a quantity of ${x} ${big}. What is that quantity expressed in ${small}?`,
      `${x} ${big} equals how many ${small}? Reply with the number alone.`,
    ][template];
    return { template, text, answer: String(ans), distractors: distractorsFor(String(ans), [x * wf, ans * 10, ans / 10, x + f].filter(Number.isInteger)) };
  }
  const q = between(rng, 2, 12);
  const x = q * f;
  const text = template === 4 ? `How many ${big} make up ${x} ${small}? Give the number only.` : `Express ${x} ${small} in ${big}, giving only the number as your answer.`;
  return { template, text, answer: String(q), distractors: distractorsFor(String(q), [x * f, q * 10, Math.round((x / wf) * 100) / 100, q + 1]) };
}

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
function daysIn(month: number, year: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}
function dateLabel(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}
function addDays(y: number, m: number, d: number, n: number): Date {
  return new Date(Date.UTC(y, m, d + n));
}

function dateArithmetic(rng: Rng): GeneratedPrompt {
  const template = rng.int(8);
  const p = pick(rng, PEOPLE);
  switch (template) {
    case 0:
    case 1: {
      const w = rng.int(7), n = between(rng, 3, 60);
      const ans = template === 0 ? WEEKDAYS[(w + n) % 7] : WEEKDAYS[(((w - n) % 7) + 7) % 7];
      const off = (k: number) => WEEKDAYS[(((WEEKDAYS.indexOf(ans as (typeof WEEKDAYS)[number]) + k) % 7) + 7) % 7];
      const text = template === 0 ? `If today is ${WEEKDAYS[w]}, what day of the week will it be in ${n} days?` : `If today is ${WEEKDAYS[w]}, what day of the week was it ${n} days ago?`;
      return { template, text, answer: ans, distractors: distractorsFor(ans, [off(1), off(-1), off(2)]) };
    }
    case 2: {
      const y = between(rng, 2001, 2030), m = rng.int(12), d = between(rng, 1, 28), n = between(rng, 5, 45);
      const ans = dateLabel(addDays(y, m, d, n));
      return { template, text: `What date comes ${n} days after ${MONTHS[m]} ${d}, ${y}? Give the month and day.`, answer: ans, distractors: distractorsFor(ans, [dateLabel(addDays(y, m, d, n - 1)), dateLabel(addDays(y, m, d, n + 1)), `${MONTHS[m]} ${Math.min(d + n, 31)}`]) };
    }
    case 3: {
      const y = between(rng, 2001, 2030), m = rng.int(12), d = between(rng, 1, 28), n = between(rng, 3, 30);
      const ans = dateLabel(addDays(y, m, d, n - 1));
      return { template, text: `${p} starts a ${n}-day course on ${MONTHS[m]} ${d}, ${y}, attending every day. On what date is the last day?`, answer: ans, distractors: distractorsFor(ans, [dateLabel(addDays(y, m, d, n)), dateLabel(addDays(y, m, d, n - 2)), dateLabel(addDays(y, m, d, n + 1))]) };
    }
    case 4: {
      const y = rng.next() < 0.3 ? between(rng, 16, 24) * 100 : between(rng, 1850, 2100);
      const ans = isLeap(y) ? 'yes' : 'no';
      return { template, text: `Is the year ${y} a leap year in the Gregorian calendar? Answer yes or no.`, answer: ans, distractors: [ans === 'yes' ? 'no' : 'yes'] };
    }
    case 5: {
      const y1 = between(rng, 1950, 2015), y2 = y1 + between(rng, 5, 60);
      const ans = y2 - y1;
      return { template, text: `${p} was born in ${y1}. How old does ${p} turn in ${y2}?`, answer: String(ans), distractors: distractorsFor(String(ans), [ans - 1, ans + 1, ans + 10]) };
    }
    case 6: {
      const y = between(rng, 1990, 2040), m = rng.int(12);
      const ans = daysIn(m, y);
      return { template, text: `In the calendar year ${y}, how many days does the month of ${MONTHS[m]} have?`, answer: String(ans), distractors: distractorsFor(String(ans), [28, 29, 30, 31]) };
    }
    default: {
      const h = between(rng, 6, 22), k = between(rng, 2, 9);
      const pad = (x: number) => `${String(x).padStart(2, '0')}:00`;
      const ans = pad((h + k) % 24);
      return { template, text: `A meeting was set for ${pad(h)}. It is moved ${k} hours later. At what time does it start now, on a 24-hour clock?`, answer: ans, distractors: distractorsFor(ans, [`${h + k}:00`, pad((h + k + 1) % 24), pad((h - k + 24) % 24)]) };
    }
  }
}

const SYLLOGISMS: readonly [string, string, string][] = [
  ['cats', 'cat', 'mammals'], ['roses', 'rose', 'flowers'], ['sparrows', 'sparrow', 'birds'], ['oaks', 'oak', 'trees'],
  ['violins', 'violin', 'instruments'], ['hammers', 'hammer', 'tools'], ['salmon', 'salmon', 'fish'], ['squares', 'square', 'rectangles'],
  ['wugs', 'wug', 'blickets'], ['zorbs', 'zorb', 'feps'], ['glims', 'glim', 'tofas'], ['drels', 'drel', 'plonks'],
];
const COMPARATIVES: readonly [string, string, string][] = [
  ['taller', 'tallest', 'shortest'], ['older', 'oldest', 'youngest'], ['faster', 'fastest', 'slowest'], ['heavier', 'heaviest', 'lightest'],
];
const CONDITIONALS: readonly [string, string, string][] = [
  ['If the alarm rings, NAME wakes up.', 'NAME did not wake up.', 'Did the alarm ring?'],
  ['If it rains, the street gets wet.', 'The street is completely dry.', 'Did it rain?'],
  ['If the shop is open, the lights are on.', 'The lights are off.', 'Is the shop open?'],
  ['If NAME passes the exam, NAME gets a prize.', 'NAME did not get a prize.', 'Did NAME pass the exam?'],
  ['Whenever the kettle boils, it whistles.', 'The kettle is not whistling.', 'Is the kettle boiling?'],
  ['If the battery is charged, the radio works.', 'The radio does not work.', 'Is the battery charged?'],
];

function logic(rng: Rng): GeneratedPrompt {
  const template = rng.int(7);
  const [a, b, c] = pickDistinct(rng, PEOPLE, 3);
  switch (template) {
    case 0: {
      const [cmp, top, bottom] = pick(rng, COMPARATIVES);
      const askTop = rng.next() < 0.5;
      const ans = askTop ? a : c;
      return { template, text: `${a} is ${cmp} than ${b}, and ${b} is ${cmp} than ${c}. Who is the ${askTop ? top : bottom} of the three?`, answer: ans, distractors: distractorsFor(ans, [b, askTop ? c : a]) };
    }
    case 1: {
      const [xs, x, ys] = pick(rng, SYLLOGISMS);
      const y = ys.slice(0, -1);
      return { template, text: `All ${xs} are ${ys}. ${a} is a ${x}. Is ${a} a ${y}? Answer yes, no, or cannot tell.`, answer: 'yes', distractors: ['no', 'cannot tell'] };
    }
    case 2: {
      const [xs, x, ys] = pick(rng, SYLLOGISMS);
      const y = ys.slice(0, -1);
      return { template, text: `All ${xs} are ${ys}. ${a} is a ${y}. Must ${a} be a ${x}? Answer yes, no, or cannot tell.`, answer: 'cannot tell', distractors: ['yes', 'no'] };
    }
    case 3: {
      const [rule, fact, q] = pick(rng, CONDITIONALS);
      const fill = (s: string) => s.replaceAll('NAME', a);
      return { template, text: `${fill(rule)} ${fill(fact)} ${fill(q)} Answer yes, no, or cannot tell.`, answer: 'no', distractors: ['yes', 'cannot tell'] };
    }
    case 4: {
      const askFirst = rng.next() < 0.5;
      const ans = askFirst ? c : b;
      return { template, text: `In a race, ${a} finished before ${b} but after ${c}. Who finished ${askFirst ? 'first' : 'last'}?`, answer: ans, distractors: distractorsFor(ans, [a, askFirst ? b : c]) };
    }
    case 5: {
      const [cmp] = pick(rng, COMPARATIVES);
      const rev = { taller: 'shorter', older: 'younger', faster: 'slower', heavier: 'lighter' }[cmp] ?? 'smaller';
      return { template, text: `${a} is ${cmp} than ${b}. ${c} is ${rev} than ${b}. Is ${a} ${cmp} than ${c}? Answer yes, no, or cannot tell.`, answer: 'yes', distractors: ['no', 'cannot tell'] };
    }
    default: {
      const tellsTruth = rng.next() < 0.5;
      return {
        template,
        text: `Exactly one of ${a} and ${b} always lies. ${a} ${tellsTruth ? 'always tells the truth' : 'is the liar'}. Does ${b} lie? Answer yes or no.`,
        answer: tellsTruth ? 'yes' : 'no',
        distractors: [tellsTruth ? 'no' : 'yes', 'cannot tell'],
      };
    }
  }
}

export const CODE_LEADS = [
  'What does the following Python code print when it runs?',
  'What is the exact output of this short Python snippet?',
  'Read this Python code carefully and state what it prints:',
  'Trace the following Python program and give its printed output:',
] as const;
const CODE_WORDS = ['banana', 'python', 'keyboard', 'network', 'garden', 'rocket', 'window', 'planet', 'silver', 'orange', 'monkey', 'castle'] as const;

function codeOutput(rng: Rng): GeneratedPrompt {
  const template = rng.int(8);
  const lead = pick(rng, CODE_LEADS);
  const w = pick(rng, CODE_WORDS);
  const out = (code: string, answer: string | number, wrong: (string | number)[]) => ({ template, text: `${lead} ${code}`, answer: String(answer), distractors: distractorsFor(String(answer), wrong) });
  switch (template) {
    case 0: {
      const a = between(rng, 2, 9), b = between(rng, 2, 9), c = between(rng, 2, 5);
      return out(`x = ${a}; x += ${b}; print(x * ${c})`, (a + b) * c, [a + b * c, (a + b) * c + c, a * c + b]);
    }
    case 1: {
      const n = between(rng, 4, 15);
      return out(`print(sum(range(${n})))`, (n * (n - 1)) / 2, [(n * (n + 1)) / 2, n, ((n - 1) * (n - 2)) / 2]);
    }
    case 2: {
      const a = between(rng, 1, 9);
      return out(`print(len("${w}") + ${a})`, w.length + a, [w.length + a + 1, w.length + a - 1, `${w}${a}`]);
    }
    case 3: {
      const b = between(rng, 3, 9), a = b * between(rng, 2, 9) + between(rng, 1, b - 1);
      const q = Math.floor(a / b), r = a % b;
      return out(`print(${a} // ${b}, ${a} % ${b})`, `${q} ${r}`, [`${r} ${q}`, `${(a / b).toFixed(2)} ${r}`, `${q + 1} ${r}`]);
    }
    case 4: {
      const nums = Array.from({ length: 5 }, () => between(rng, 1, 40));
      const idx = between(rng, -3, 3);
      const at = (i: number) => nums[(i + 5) % 5];
      return out(`nums = [${nums.join(', ')}]; print(nums[${idx}])`, at(idx), [at(idx + 1), at(idx - 1), idx < 0 ? at(-idx) : at(idx - 1 + 5)]);
    }
    case 5: {
      const i = between(rng, 0, 2), j = i + between(rng, 2, 3);
      return out(`print("${w}"[${i}:${j}])`, w.slice(i, j), [w.slice(i, j + 1), w.slice(i + 1, j + 1), w.slice(i, j - 1)]);
    }
    case 6: {
      const a = between(rng, 2, 5), b = between(rng, 2, 4);
      return out(`print(${a} ** ${b})`, a ** b, [a * b, a ** (b - 1), b ** a]);
    }
    default: {
      const k = between(rng, 2, 5), n = between(rng, 3, 5);
      const list = (from: number, to: number) => `[${Array.from({ length: to - from }, (_, x) => (x + from) * k).join(', ')}]`;
      return out(`print([x * ${k} for x in range(${n})])`, list(0, n), [list(1, n + 1), list(0, n + 1), list(0, n - 1)]);
    }
  }
}

export const REASONING_FAMILIES: PromptFamily[] = [
  { id: 'arithmetic', label: 'Arithmetic word problems', group: 'reasoning', templates: 8, generate: arithmetic },
  { id: 'unit-conversion', label: 'Unit conversions', group: 'reasoning', templates: 6, generate: unitConversion },
  { id: 'date-arithmetic', label: 'Date and time arithmetic', group: 'reasoning', templates: 8, generate: dateArithmetic },
  { id: 'logic', label: 'Logic puzzles', group: 'reasoning', templates: 7, generate: logic },
  { id: 'code-output', label: 'Python code output', group: 'reasoning', templates: 8, generate: codeOutput },
];

