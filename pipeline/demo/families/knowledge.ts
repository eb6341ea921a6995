/** Knowledge families: capital cities, historical dates, chemistry formulas, word translation. */
import type { Rng } from '../../core/rng.ts';
import { capitalize, distractorsFor, optionList, pick, pickDistinct, type GeneratedPrompt, type PromptFamily } from './util.ts';

/** [country, capital, other cities of the country]. Countries whose capital is a classic trap are kept for trick prompts. */
const CAPITALS: readonly [string, string, string[]][] = [
  ['France', 'Paris', ['Lyon', 'Marseille', 'Nice']], ['Germany', 'Berlin', ['Munich', 'Hamburg', 'Frankfurt']],
  ['Italy', 'Rome', ['Milan', 'Naples', 'Turin']], ['Spain', 'Madrid', ['Barcelona', 'Seville', 'Valencia']],
  ['Portugal', 'Lisbon', ['Porto', 'Coimbra', 'Faro']], ['Japan', 'Tokyo', ['Osaka', 'Kyoto', 'Yokohama']],
  ['China', 'Beijing', ['Shanghai', 'Guangzhou', 'Shenzhen']], ['India', 'New Delhi', ['Mumbai', 'Kolkata', 'Bangalore']],
  ['Russia', 'Moscow', ['Saint Petersburg', 'Novosibirsk', 'Kazan']], ['Egypt', 'Cairo', ['Alexandria', 'Giza', 'Luxor']],
  ['Kenya', 'Nairobi', ['Mombasa', 'Kisumu', 'Nakuru']], ['Argentina', 'Buenos Aires', ['Cordoba', 'Rosario', 'Mendoza']],
  ['Chile', 'Santiago', ['Valparaiso', 'Concepcion', 'Antofagasta']], ['Peru', 'Lima', ['Cusco', 'Arequipa', 'Trujillo']],
  ['Colombia', 'Bogota', ['Medellin', 'Cali', 'Cartagena']], ['Mexico', 'Mexico City', ['Guadalajara', 'Monterrey', 'Cancun']],
  ['Norway', 'Oslo', ['Bergen', 'Trondheim', 'Stavanger']], ['Sweden', 'Stockholm', ['Gothenburg', 'Malmo', 'Uppsala']],
  ['Finland', 'Helsinki', ['Tampere', 'Turku', 'Oulu']], ['Denmark', 'Copenhagen', ['Aarhus', 'Odense', 'Aalborg']],
  ['Poland', 'Warsaw', ['Krakow', 'Gdansk', 'Wroclaw']], ['Austria', 'Vienna', ['Salzburg', 'Graz', 'Innsbruck']],
  ['Greece', 'Athens', ['Thessaloniki', 'Patras', 'Heraklion']], ['Hungary', 'Budapest', ['Debrecen', 'Szeged', 'Pecs']],
  ['Czechia', 'Prague', ['Brno', 'Ostrava', 'Plzen']], ['Ireland', 'Dublin', ['Cork', 'Galway', 'Limerick']],
  ['Belgium', 'Brussels', ['Antwerp', 'Ghent', 'Bruges']], ['Thailand', 'Bangkok', ['Chiang Mai', 'Phuket', 'Pattaya']],
  ['Vietnam', 'Hanoi', ['Ho Chi Minh City', 'Da Nang', 'Hue']], ['the Philippines', 'Manila', ['Cebu', 'Davao', 'Quezon City']],
  ['South Korea', 'Seoul', ['Busan', 'Incheon', 'Daegu']], ['Iran', 'Tehran', ['Isfahan', 'Shiraz', 'Mashhad']],
  ['Iraq', 'Baghdad', ['Basra', 'Mosul', 'Erbil']], ['Saudi Arabia', 'Riyadh', ['Jeddah', 'Mecca', 'Dammam']],
  ['Morocco', 'Rabat', ['Casablanca', 'Marrakesh', 'Fez']], ['Ethiopia', 'Addis Ababa', ['Dire Dawa', 'Gondar', 'Mekelle']],
  ['Ghana', 'Accra', ['Kumasi', 'Tamale', 'Takoradi']], ['Senegal', 'Dakar', ['Thies', 'Saint-Louis', 'Touba']],
  ['Cuba', 'Havana', ['Santiago de Cuba', 'Camaguey', 'Holguin']], ['Venezuela', 'Caracas', ['Maracaibo', 'Valencia', 'Barquisimeto']],
  ['Ukraine', 'Kyiv', ['Kharkiv', 'Odesa', 'Lviv']], ['Romania', 'Bucharest', ['Cluj-Napoca', 'Timisoara', 'Iasi']],
  ['Bulgaria', 'Sofia', ['Plovdiv', 'Varna', 'Burgas']], ['Serbia', 'Belgrade', ['Novi Sad', 'Nis', 'Kragujevac']],
  ['Croatia', 'Zagreb', ['Split', 'Rijeka', 'Dubrovnik']], ['Iceland', 'Reykjavik', ['Akureyri', 'Kopavogur', 'Hafnarfjordur']],
  ['New Zealand', 'Wellington', ['Auckland', 'Christchurch', 'Hamilton']], ['Pakistan', 'Islamabad', ['Karachi', 'Lahore', 'Rawalpindi']],
  ['Bangladesh', 'Dhaka', ['Chittagong', 'Khulna', 'Sylhet']], ['Nepal', 'Kathmandu', ['Pokhara', 'Lalitpur', 'Biratnagar']],
  ['Mongolia', 'Ulaanbaatar', ['Erdenet', 'Darkhan', 'Choibalsan']], ['Kazakhstan', 'Astana', ['Almaty', 'Shymkent', 'Karaganda']],
  ['Uzbekistan', 'Tashkent', ['Samarkand', 'Bukhara', 'Namangan']], ['Malaysia', 'Kuala Lumpur', ['George Town', 'Johor Bahru', 'Ipoh']],
  ['Cambodia', 'Phnom Penh', ['Siem Reap', 'Battambang', 'Sihanoukville']], ['Laos', 'Vientiane', ['Luang Prabang', 'Pakse', 'Savannakhet']],
  ['Jordan', 'Amman', ['Zarqa', 'Irbid', 'Aqaba']], ['Lebanon', 'Beirut', ['Tripoli', 'Sidon', 'Tyre']],
  ['Tunisia', 'Tunis', ['Sfax', 'Sousse', 'Kairouan']], ['Algeria', 'Algiers', ['Oran', 'Constantine', 'Annaba']],
  ['Uganda', 'Kampala', ['Entebbe', 'Gulu', 'Jinja']], ['Zambia', 'Lusaka', ['Ndola', 'Kitwe', 'Livingstone']],
  ['Zimbabwe', 'Harare', ['Bulawayo', 'Mutare', 'Gweru']], ['Angola', 'Luanda', ['Huambo', 'Lobito', 'Benguela']],
  ['Ecuador', 'Quito', ['Guayaquil', 'Cuenca', 'Manta']], ['Uruguay', 'Montevideo', ['Salto', 'Paysandu', 'Punta del Este']],
  ['Paraguay', 'Asuncion', ['Ciudad del Este', 'Encarnacion', 'Luque']], ['Jamaica', 'Kingston', ['Montego Bay', 'Spanish Town', 'Ocho Rios']],
  ['Lithuania', 'Vilnius', ['Kaunas', 'Klaipeda', 'Siauliai']], ['Estonia', 'Tallinn', ['Tartu', 'Narva', 'Parnu']],
  ['Latvia', 'Riga', ['Daugavpils', 'Liepaja', 'Jelgava']], ['Slovakia', 'Bratislava', ['Kosice', 'Presov', 'Zilina']],
  ['Slovenia', 'Ljubljana', ['Maribor', 'Celje', 'Koper']],
];

function capitalTexts(country: string, options: string): string[] {
  return [
    `What is the capital city of ${country}? Answer with the city name only.`,
    `Which city serves as the national capital of ${country}?`,
    `I am planning a trip to ${country}. Which city is its capital?`,
    `${capitalize(country)} has many large cities. Which one of them is the capital?`,
    `Name the capital of ${country}: is it ${options}?`,
    `In a geography class, students must name the capital of ${country}. What is the correct answer?`,
  ];
}

export function capitalPrompt(rng: Rng, template: number, country: string, capital: string, others: readonly string[]): GeneratedPrompt {
  const distractors = distractorsFor(capital, others);
  return { template, text: capitalTexts(country, optionList(rng, [capital, ...distractors]))[template], answer: capital, distractors };
}

function capitals(rng: Rng): GeneratedPrompt {
  const [country, capital, others] = pick(rng, CAPITALS);
  return capitalPrompt(rng, rng.int(6), country, capital, others);
}

/** [event as a noun phrase, year]. */
const EVENTS: readonly [string, number][] = [
  ['the fall of the Berlin Wall', 1989], ['the first crewed Moon landing', 1969], ['the signing of the US Declaration of Independence', 1776],
  ['the sealing of Magna Carta', 1215], ['the Battle of Hastings', 1066], ['the sinking of the Titanic', 1912],
  ["the Wright brothers' first powered flight", 1903], ['the dissolution of the Soviet Union', 1991], ['Indian independence from Britain', 1947],
  ["the posting of Luther's Ninety-five Theses", 1517], ['the Battle of Waterloo', 1815], ['the end of the American Civil War', 1865],
  ["Napoleon's coronation as emperor", 1804], ['the Great Fire of London', 1666], ['the fall of Constantinople', 1453],
  ['the Chernobyl nuclear disaster', 1986], ['the first modern Olympic Games', 1896], ["Nelson Mandela's election as president", 1994],
  ['the signing of the Treaty of Versailles', 1919], ['the Wall Street Crash', 1929], ['the launch of Sputnik 1', 1957],
  ['the founding of the United Nations', 1945], ['the October Revolution in Russia', 1917], ['the publication of On the Origin of Species', 1859],
  ['the defeat of the Spanish Armada', 1588], ['the death of William Shakespeare', 1616], ['the Battle of Trafalgar', 1805],
  ["the start of Queen Victoria's reign", 1837], ['the opening of the Panama Canal', 1914], ['the opening of the Suez Canal', 1869],
  ['the attack on Pearl Harbor', 1941], ['the Cuban Missile Crisis', 1962], ['the construction of the Berlin Wall', 1961],
  ['the storming of the Bastille', 1789], ["Columbus's first voyage to the Americas", 1492], ['the outbreak of the First World War', 1914],
  ['the end of the First World War', 1918], ['the first ascent of Mount Everest', 1953], ['the assassination of John F. Kennedy', 1963],
  ['the reunification of Germany', 1990], ['the eruption of Vesuvius that buried Pompeii', 79], ['the coronation of Charlemagne as emperor', 800],
];

function history(rng: Rng): GeneratedPrompt {
  const template = rng.int(5);
  const [event, year] = pick(rng, EVENTS);
  const distractors = distractorsFor(String(year), pickDistinct(rng, [year + 1, year - 1, year + 10, year - 10, year + 2, year - 3], 3));
  const text = [
    `In which year did ${event} take place?`,
    `What year is usually given for ${event}? Give the year only.`,
    `A history quiz asks for the year of ${event}. What is the answer?`,
    `${capitalize(event)} happened in which year?`,
    `When did ${event} happen: ${optionList(rng, [String(year), ...distractors])}?`,
  ][template];
  return { template, text, answer: String(year), distractors };
}

/** [compound, formula, wrong formulas]. */
const COMPOUNDS: readonly [string, string, string[]][] = [
  ['water', 'H2O', ['H2O2', 'HO2', 'H3O']], ['carbon dioxide', 'CO2', ['CO', 'C2O', 'CO3']], ['carbon monoxide', 'CO', ['CO2', 'C2O', 'CO3']],
  ['table salt (sodium chloride)', 'NaCl', ['NaCl2', 'KCl', 'Na2Cl']], ['methane', 'CH4', ['C2H6', 'CH3', 'C4H']], ['ammonia', 'NH3', ['NH4', 'N2H4', 'NO3']],
  ['sulfuric acid', 'H2SO4', ['H2SO3', 'HSO4', 'H2S']], ['hydrochloric acid', 'HCl', ['HClO', 'H2Cl', 'NaCl']], ['nitric acid', 'HNO3', ['HNO2', 'NH3', 'H2NO3']],
  ['glucose', 'C6H12O6', ['C12H22O11', 'C6H6', 'C6H12O5']], ['sucrose (table sugar)', 'C12H22O11', ['C6H12O6', 'C12H24O12', 'C6H10O5']],
  ['ethanol', 'C2H5OH', ['CH3OH', 'C2H6', 'C2H4O2']], ['methanol', 'CH3OH', ['C2H5OH', 'CH4O2', 'CH2O']], ['ozone', 'O3', ['O2', 'CO3', 'O4']],
  ['hydrogen peroxide', 'H2O2', ['H2O', 'HO2', 'H2O3']], ['calcium carbonate', 'CaCO3', ['CaCO2', 'Ca2CO3', 'CaC2']],
  ['sodium bicarbonate (baking soda)', 'NaHCO3', ['Na2CO3', 'NaCO3', 'NaHCO2']], ['sodium hydroxide', 'NaOH', ['NaO', 'KOH', 'Na2OH']],
  ['potassium chloride', 'KCl', ['NaCl', 'PCl', 'K2Cl']], ['ethene (ethylene)', 'C2H4', ['C2H6', 'C2H2', 'CH2']], ['acetic acid', 'CH3COOH', ['HCOOH', 'CH3OH', 'C2H5OH']],
  ['propane', 'C3H8', ['C3H6', 'C4H10', 'C2H6']], ['butane', 'C4H10', ['C4H8', 'C3H8', 'C5H12']], ['benzene', 'C6H6', ['C6H12', 'C6H5OH', 'C5H5']],
  ['nitrous oxide', 'N2O', ['NO2', 'NO', 'N2O4']], ['sulfur dioxide', 'SO2', ['SO3', 'S2O', 'SO4']], ['magnesium oxide', 'MgO', ['MgO2', 'Mg2O', 'MnO']],
  ['iron(III) oxide (rust)', 'Fe2O3', ['FeO', 'Fe3O4', 'Fe2O']], ['silicon dioxide (quartz)', 'SiO2', ['SiO', 'Si2O', 'SO2']], ['calcium hydroxide', 'Ca(OH)2', ['CaOH', 'Ca(OH)3', 'CaO']],
];
/** [element, symbol, wrong symbols]. */
const ELEMENTS: readonly [string, string, string[]][] = [
  ['gold', 'Au', ['Ag', 'Go', 'Gd']], ['silver', 'Ag', ['Au', 'Si', 'Sv']], ['iron', 'Fe', ['Ir', 'I', 'F']], ['lead', 'Pb', ['Ld', 'Pd', 'Le']],
  ['sodium', 'Na', ['So', 'S', 'Sd']], ['tin', 'Sn', ['Ti', 'Tn', 'Sb']], ['mercury', 'Hg', ['Me', 'Mr', 'Hy']], ['copper', 'Cu', ['Co', 'Cp', 'Cr']],
  ['tungsten', 'W', ['Tu', 'Tg', 'Wo']], ['antimony', 'Sb', ['An', 'Sn', 'Am']], ['helium', 'He', ['H', 'Hl', 'Hm']], ['neon', 'Ne', ['N', 'Nn', 'Ni']],
  ['calcium', 'Ca', ['C', 'Cl', 'Cm']], ['chlorine', 'Cl', ['C', 'Ch', 'Cr']], ['zinc', 'Zn', ['Z', 'Zi', 'Sn']], ['nickel', 'Ni', ['N', 'Nk', 'Nc']],
  ['magnesium', 'Mg', ['Mn', 'Ma', 'Mm']], ['manganese', 'Mn', ['Mg', 'Ma', 'Mo']], ['phosphorus', 'P', ['Ph', 'Po', 'K']], ['sulfur', 'S', ['Su', 'Sf', 'Se']],
  ['silicon', 'Si', ['Sc', 'S', 'Sl']], ['fluorine', 'F', ['Fl', 'Fe', 'Fr']], ['argon', 'Ar', ['A', 'Ag', 'Rn']], ['uranium', 'U', ['Ur', 'Un', 'Y']],
  ['platinum', 'Pt', ['Pl', 'Pa', 'P']], ['bromine', 'Br', ['B', 'Bm', 'Bo']], ['potassium', 'K', ['P', 'Po', 'Pt']], ['hydrogen', 'H', ['He', 'Hy', 'Hd']],
];

function chemistry(rng: Rng): GeneratedPrompt {
  const template = rng.int(9);
  if (template <= 2 || template === 7) {
    const [name, formula, wrong] = pick(rng, COMPOUNDS);
    const text = [
      `What is the chemical formula of ${name}? Give the formula only.`,
      `In chemistry class, which formula correctly represents ${name}?`,
      `A chemist writes down the formula for ${name}. Which formula is it?`,
    ][template] ?? `How is ${name} written as a chemical formula? Reply with the formula.`;
    return { template, text, answer: formula, distractors: distractorsFor(formula, wrong) };
  }
  if (template === 3) {
    const [name, formula] = pick(rng, COMPOUNDS);
    const others = pickDistinct(rng, COMPOUNDS, 4).map((c) => c[0]);
    return { template, text: `Which common substance has the chemical formula ${formula}? Name the substance.`, answer: name, distractors: distractorsFor(name, others) };
  }
  const [el, sym, wrong] = pick(rng, ELEMENTS);
  if (template === 6) {
    const others = pickDistinct(rng, ELEMENTS, 4).map((e) => e[0]);
    return { template, text: `Which chemical element has the symbol ${sym} on the periodic table?`, answer: el, distractors: distractorsFor(el, others) };
  }
  const text =
    template === 4 ? `What is the chemical symbol for the element ${el}?` : template === 5 ? `On the periodic table, which symbol stands for ${el}?` : `Chemists abbreviate the element ${el} with which one- or two-letter symbol?`;
  return { template, text, answer: sym, distractors: distractorsFor(sym, wrong) };
}

const LANGS = ['French', 'Spanish', 'German', 'Italian'] as const;
/** [English, French, Spanish, German, Italian]. */
const WORDS: readonly [string, string, string, string, string][] = [
  ['dog', 'chien', 'perro', 'Hund', 'cane'], ['cat', 'chat', 'gato', 'Katze', 'gatto'], ['house', 'maison', 'casa', 'Haus', 'casa'],
  ['water', 'eau', 'agua', 'Wasser', 'acqua'], ['bread', 'pain', 'pan', 'Brot', 'pane'], ['book', 'livre', 'libro', 'Buch', 'libro'],
  ['friend', 'ami', 'amigo', 'Freund', 'amico'], ['apple', 'pomme', 'manzana', 'Apfel', 'mela'], ['tree', 'arbre', 'arbol', 'Baum', 'albero'],
  ['sun', 'soleil', 'sol', 'Sonne', 'sole'], ['moon', 'lune', 'luna', 'Mond', 'luna'], ['car', 'voiture', 'coche', 'Auto', 'macchina'],
  ['school', 'ecole', 'escuela', 'Schule', 'scuola'], ['red', 'rouge', 'rojo', 'rot', 'rosso'], ['green', 'vert', 'verde', 'grun', 'verde'],
  ['cheese', 'fromage', 'queso', 'Kase', 'formaggio'], ['milk', 'lait', 'leche', 'Milch', 'latte'], ['fish', 'poisson', 'pez', 'Fisch', 'pesce'],
  ['bird', 'oiseau', 'pajaro', 'Vogel', 'uccello'], ['horse', 'cheval', 'caballo', 'Pferd', 'cavallo'], ['window', 'fenetre', 'ventana', 'Fenster', 'finestra'],
  ['door', 'porte', 'puerta', 'Tur', 'porta'], ['city', 'ville', 'ciudad', 'Stadt', 'citta'], ['night', 'nuit', 'noche', 'Nacht', 'notte'],
  ['flower', 'fleur', 'flor', 'Blume', 'fiore'], ['sea', 'mer', 'mar', 'Meer', 'mare'], ['mountain', 'montagne', 'montana', 'Berg', 'montagna'],
  ['chair', 'chaise', 'silla', 'Stuhl', 'sedia'], ['kitchen', 'cuisine', 'cocina', 'Kuche', 'cucina'], ['brother', 'frere', 'hermano', 'Bruder', 'fratello'],
  ['sister', 'soeur', 'hermana', 'Schwester', 'sorella'], ['egg', 'oeuf', 'huevo', 'Ei', 'uovo'], ['key', 'cle', 'llave', 'Schlussel', 'chiave'],
  ['butterfly', 'papillon', 'mariposa', 'Schmetterling', 'farfalla'], ['summer', 'ete', 'verano', 'Sommer', 'estate'], ['winter', 'hiver', 'invierno', 'Winter', 'inverno'],
];

function translation(rng: Rng): GeneratedPrompt {
  const template = rng.int(5);
  const row = pick(rng, WORDS);
  const li = rng.int(4);
  const lang = LANGS[li];
  const foreign = row[li + 1];
  const en = row[0];
  if (template === 4) {
    const others = pickDistinct(rng, WORDS, 4).map((w) => w[0]);
    return { template, text: `What does the ${lang} word "${foreign}" mean in English? Give one English word.`, answer: en, distractors: distractorsFor(en, others) };
  }
  const otherLangs = [row[1], row[2], row[3], row[4]].filter((_, j) => j !== li);
  const sameLang = pickDistinct(rng, WORDS, 3).map((w) => w[li + 1]);
  const text = [
    `What is the ${lang} word for "${en}"? Reply with one word.`,
    `Translate the English word "${en}" into ${lang}, giving a single word.`,
    `How do you say "${en}" in ${lang}? Give just the word.`,
    `A traveller in a ${lang}-speaking country needs the word for "${en}". What is it?`,
  ][template];
  return { template, text, answer: foreign, distractors: distractorsFor(foreign, [...otherLangs, ...sameLang]) };
}

export const KNOWLEDGE_FAMILIES: PromptFamily[] = [
  { id: 'capitals', label: 'Capital cities', group: 'knowledge', templates: 6, generate: capitals },
  { id: 'history', label: 'Historical dates', group: 'knowledge', templates: 5, generate: history },
  { id: 'chemistry', label: 'Chemistry formulas and symbols', group: 'knowledge', templates: 9, generate: chemistry },
  { id: 'translation', label: 'Translating a word', group: 'knowledge', templates: 5, generate: translation },
];

