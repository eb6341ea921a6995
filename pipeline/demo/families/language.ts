/** Language families: grammar (choosing the correct word), synonyms and antonyms, spelling and letter counting. */
import type { Rng } from '../../core/rng.ts';
import { distractorsFor, optionList, pick, pickDistinct, PEOPLE, type GeneratedPrompt, type PromptFamily } from './util.ts';

/** [base, past, participle, rest of the sentence, wrong regularised form]. */
const VERBS: readonly [string, string, string, string, string][] = [
  ['go', 'went', 'gone', 'to the market with a friend', 'goed'], ['run', 'ran', 'run', 'five kilometres before breakfast', 'runned'],
  ['eat', 'ate', 'eaten', 'a large bowl of soup', 'eated'], ['write', 'wrote', 'written', 'a long letter to an aunt', 'writed'],
  ['swim', 'swam', 'swum', 'across the cold lake', 'swimmed'], ['drive', 'drove', 'driven', 'all the way to the coast', 'drived'],
  ['sing', 'sang', 'sung', 'in the school choir', 'singed'], ['take', 'took', 'taken', 'the early bus into town', 'taked'],
  ['see', 'saw', 'seen', 'a fox in the garden', 'seed'], ['buy', 'bought', 'bought', 'a new pair of boots', 'buyed'],
  ['teach', 'taught', 'taught', 'the younger children to read', 'teached'], ['catch', 'caught', 'caught', 'a cold after the trip', 'catched'],
  ['begin', 'began', 'begun', 'a new painting', 'beginned'], ['throw', 'threw', 'thrown', 'the ball over the fence', 'throwed'],
];
const THEIR_FRAMES: readonly [string, string][] = [
  ['___ going to visit us next weekend, according to NAME.', "they're"], ['The children left ___ coats in the hall.', 'their'],
  ['NAME put the boxes over ___ by the door.', 'there'], ['Is ___ any milk left in the fridge, NAME asked.', 'there'],
  ['The neighbours painted ___ fence bright blue.', 'their'], ['NAME says ___ the best team in the league.', "they're"],
  ['The students handed in ___ essays late.', 'their'], ['___ always late when it rains, NAME complained.', "they're"],
];
const ITS_FRAMES: readonly [string, string][] = [
  ['The dog wagged ___ tail when NAME came home.', 'its'], ['___ raining again, so NAME took an umbrella.', "it's"],
  ['The company changed ___ logo last year.', 'its'], ['NAME thinks ___ too late to call.', "it's"],
  ['The tree lost all of ___ leaves in autumn.', 'its'], ['___ been a long week for NAME.', "it's"],
];
const AGREEMENT_FRAMES: readonly [string, string, string][] = [
  ['The list of items ___ on the table.', 'is', 'are'], ['The boxes in the attic ___ full of old photos.', 'are', 'is'],
  ['Each of the players ___ a new shirt.', 'has', 'have'], ['NAME and a cousin ___ to school together.', 'walk', 'walks'],
  ['Neither of the answers ___ correct.', 'is', 'are'], ['The team of scientists ___ published its results.', 'has', 'have'],
  ['Everybody in the room ___ quiet.', 'was', 'were'], ['The keys to the cabinet ___ missing.', 'are', 'is'],
];
const FEWER_FRAMES: readonly [string, string][] = [
  ['There are ___ cars on the road than last year.', 'fewer'], ['NAME drinks ___ coffee than before.', 'less'],
  ['This checkout is for ten items or ___.', 'fewer'], ['We had ___ rain this summer than usual.', 'less'],
  ['NAME made ___ mistakes in the second test.', 'fewer'], ['The new bulb uses ___ energy.', 'less'],
];
const AFFECT_FRAMES: readonly [string, string][] = [
  ['The new rule will ___ every student in the school.', 'affect'], ['The medicine had a strong ___ on NAME.', 'effect'],
  ['Cold weather can ___ how the engine starts.', 'affect'], ['The film had a lasting ___ on its audience.', 'effect'],
  ['Does the noise ___ your sleep, NAME?', 'affect'], ['The special ___ in the play impressed NAME.', 'effects'],
];
/** [adjective, comparative, wrong forms]. */
const COMPARATIVES: readonly [string, string, string[]][] = [
  ['good', 'better', ['more good', 'best', 'gooder']], ['bad', 'worse', ['badder', 'worst', 'more bad']],
  ['far', 'farther', ['farer', 'more far', 'farthest']], ['little', 'less', ['littler', 'least', 'more little']],
];

function grammar(rng: Rng): GeneratedPrompt {
  const template = rng.int(7);
  const name = pick(rng, PEOPLE);
  const fill = (s: string) => s.replaceAll('NAME', name);
  switch (template) {
    case 0: {
      const [base, past, part, rest, wrong] = pick(rng, VERBS);
      const d = distractorsFor(past, [base, part, wrong, `${base}s`]);
      return { template, text: `Choose the correct verb form: "Yesterday ${name} ___ ${rest}." Options: ${optionList(rng, [past, ...d])}.`, answer: past, distractors: d };
    }
    case 1: {
      const [frame, ans] = pick(rng, THEIR_FRAMES);
      return { template, text: `Which word correctly fills the blank in "${fill(frame)}": their, there, or they're?`, answer: ans, distractors: distractorsFor(ans, ['their', 'there', "they're"]) };
    }
    case 2: {
      const [frame, ans] = pick(rng, ITS_FRAMES);
      return { template, text: `Fill in the blank with "its" or "it's": ${fill(frame)}`, answer: ans, distractors: distractorsFor(ans, ['its', "it's", "its'"]) };
    }
    case 3: {
      const [frame, ans, wrong] = pick(rng, AGREEMENT_FRAMES);
      const order = rng.next() < 0.5 ? `"${ans}" or "${wrong}"` : `"${wrong}" or "${ans}"`;
      return { template, text: `Pick the verb that agrees with its subject: "${fill(frame)}" Is it ${order}?`, answer: ans, distractors: [wrong] };
    }
    case 4: {
      const [frame, ans] = pick(rng, FEWER_FRAMES);
      return { template, text: `Should the blank be "fewer" or "less"? ${fill(frame)}`, answer: ans, distractors: [ans === 'fewer' ? 'less' : 'fewer'] };
    }
    case 5: {
      const [frame, ans] = pick(rng, AFFECT_FRAMES);
      return { template, text: `Choose "affect" or "effect" for the blank in this sentence: ${fill(frame)}`, answer: ans, distractors: distractorsFor(ans, ['affect', 'effect', 'effects']) };
    }
    default: {
      const [adj, comp, wrong] = pick(rng, COMPARATIVES);
      const other = pick(rng, PEOPLE.filter((p) => p !== name));
      const d = distractorsFor(comp, wrong);
      return { template, text: `Complete the sentence with the correct form of "${adj}": "${name} is ___ at chess than ${other}." Options: ${optionList(rng, [comp, ...d])}.`, answer: comp, distractors: d };
    }
  }
}

/** [word, synonym, antonym, topic]: fillers come from other topics, so each question has one right option. */
const LEXICON: readonly [string, string, string, string][] = [
  ['happy', 'joyful', 'sad', 'mood'], ['big', 'large', 'small', 'size'], ['fast', 'quick', 'slow', 'speed'], ['brave', 'courageous', 'cowardly', 'courage'],
  ['ancient', 'old', 'modern', 'age'], ['difficult', 'hard', 'easy', 'difficulty'], ['wealthy', 'rich', 'poor', 'wealth'], ['begin', 'start', 'finish', 'start'],
  ['angry', 'furious', 'calm', 'mood'], ['tiny', 'minute', 'huge', 'size'], ['honest', 'truthful', 'deceitful', 'honesty'], ['generous', 'giving', 'stingy', 'generosity'],
  ['quiet', 'silent', 'noisy', 'sound'], ['bright', 'luminous', 'dim', 'light'], ['cold', 'chilly', 'hot', 'temperature'], ['strong', 'powerful', 'weak', 'strength'],
  ['clever', 'smart', 'foolish', 'intelligence'], ['correct', 'accurate', 'wrong', 'truth'], ['empty', 'vacant', 'full', 'fullness'], ['pretty', 'beautiful', 'ugly', 'beauty'],
  ['simple', 'plain', 'complex', 'difficulty'], ['often', 'frequently', 'rarely', 'frequency'], ['buy', 'purchase', 'sell', 'trade'], ['accept', 'receive', 'reject', 'acceptance'],
  ['increase', 'grow', 'decrease', 'change'], ['victory', 'triumph', 'defeat', 'victory'], ['loyal', 'faithful', 'treacherous', 'honesty'], ['arrive', 'reach', 'depart', 'travel'],
  ['expand', 'enlarge', 'shrink', 'change'], ['hide', 'conceal', 'reveal', 'visibility'], ['permit', 'allow', 'forbid', 'acceptance'], ['scarce', 'rare', 'abundant', 'amount'],
  ['humble', 'modest', 'arrogant', 'manner'], ['gentle', 'tender', 'harsh', 'manner'], ['ordinary', 'common', 'unusual', 'frequency'], ['damp', 'moist', 'dry', 'moisture'],
  ['brief', 'short', 'lengthy', 'length'], ['rapid', 'swift', 'sluggish', 'speed'], ['polite', 'courteous', 'rude', 'manner'], ['vast', 'immense', 'tiny', 'size'],
];

function synonyms(rng: Rng): GeneratedPrompt {
  const template = rng.int(5);
  const [word, syn, ant, topic] = pick(rng, LEXICON);
  const fillers = pickDistinct(rng, LEXICON.filter((l) => l[3] !== topic), 2).map((l) => l[1 + rng.int(2)]);
  const wantSyn = template === 0 || template === 2 || template === 4;
  const answer = wantSyn ? syn : ant;
  const distractors = distractorsFor(answer, [wantSyn ? ant : syn, ...fillers]);
  const opts = optionList(rng, [answer, ...distractors]);
  const text = [
    `Which word is closest in meaning to "${word}"? Options: ${opts}.`,
    `Which word means the opposite of "${word}": ${opts}?`,
    `Give a synonym of "${word}" from this list: ${opts}.`,
    `What is an antonym of the word "${word}"? Choose from ${opts}.`,
    `A thesaurus lists one of these as meaning the same as "${word}". Which is it: ${opts}?`,
  ][template];
  return { template, text, answer, distractors };
}

const SPELL_WORDS = [
  'banana', 'mississippi', 'committee', 'bookkeeper', 'necessary', 'occurrence', 'parallel', 'balloon', 'assessment', 'accommodate',
  'successful', 'embarrass', 'millennium', 'tomorrow', 'cinnamon', 'possession', 'pepper', 'coffee', 'address', 'letter',
  'elephant', 'hippopotamus', 'programming', 'carrot', 'butterfly', 'umbrella', 'chocolate', 'dictionary', 'university', 'beautiful',
  'rhythm', 'queue', 'kangaroo', 'giraffe', 'penguin', 'pineapple', 'watermelon', 'grammar', 'calendar', 'separate',
  'definitely', 'restaurant', 'tennessee', 'referee', 'assassin', 'abbreviation', 'dilemma', 'vacuum', 'mattress', 'lollipop',
] as const;
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth'] as const;

function count(word: string, letter: string): number {
  let c = 0;
  for (const ch of word) if (ch === letter) c++;
  return c;
}

function spelling(rng: Rng): GeneratedPrompt {
  const template = rng.int(5);
  const w = pick(rng, SPELL_WORDS);
  switch (template) {
    case 0:
    case 1: {
      // Prefer letters that repeat: counting those is where models slip.
      const letters = [...new Set(w)];
      const repeated = letters.filter((l) => count(w, l) > 1);
      const l = repeated.length && rng.next() < 0.8 ? pick(rng, repeated) : pick(rng, letters);
      const c = count(w, l);
      const text = template === 0 ? `How many times does the letter "${l}" appear in the word "${w}"?` : `Count the letter "${l}" in "${w}". How many times does it occur?`;
      return { template, text, answer: String(c), distractors: distractorsFor(String(c), [c - 1, c + 1, c + 2].filter((x) => x > 0)) };
    }
    case 2: {
      const rev = [...w].reverse().join('');
      const swapped = rev.length > 3 ? rev.slice(0, 1) + rev[2] + rev[1] + rev.slice(3) : rev + rev[0];
      return { template, text: `Spell the word "${w}" backwards, letter by letter, and write the result.`, answer: rev, distractors: distractorsFor(rev, [swapped, rev.slice(0, -1), w]) };
    }
    case 3: {
      const k = rng.int(Math.min(6, w.length));
      const ans = w[k];
      return { template, text: `What is the ${ORDINALS[k]} letter of the word "${w}"?`, answer: ans, distractors: distractorsFor(ans, [w[k + 1] ?? w[0], w[Math.max(0, k - 1)], w[w.length - 1]]) };
    }
    default: {
      const n = w.length;
      return { template, text: `How many letters are there in the word "${w}"? Count carefully.`, answer: String(n), distractors: distractorsFor(String(n), [n - 1, n + 1, n + 2]) };
    }
  }
}

export const LANGUAGE_FAMILIES: PromptFamily[] = [
  { id: 'grammar', label: 'Grammar: choosing the correct word', group: 'language', templates: 7, generate: grammar },
  { id: 'synonyms', label: 'Synonyms and antonyms', group: 'language', templates: 5, generate: synonyms },
  { id: 'spelling', label: 'Spelling and letter counting', group: 'language', templates: 5, generate: spelling },
];
