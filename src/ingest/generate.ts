/**
 * Deterministic lead data for samples, tests and the benchmark: HubSpot-style CSV rows with
 * multilingual names, national phone formats, country names in several languages, and (optionally)
 * bad rows and duplicates at fixed positions. Seeded, so the same arguments give the same file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export const HUBSPOT_SAMPLE_COLUMNS = [
  'Record ID',
  'First Name',
  'Last Name',
  'Email',
  'Phone Number',
  'Company Name',
  'Website URL',
  'Job Title',
  'City',
  'State/Region',
  'Country/Region',
  'Product Interest',
  'Original Source',
  'First Conversion',
  'Number of Pageviews',
  'Number of Form Submissions',
  'Last Modified Date'
] as const;
export type SampleRow = Record<(typeof HUBSPOT_SAMPLE_COLUMNS)[number], string>;

interface Locale {
  country: string;
  countryLabel: string;
  phone: string;
  city: string;
  state: string;
  tld: string;
  people: [string, string][];
  companies: string[];
}

const LOCALES: Locale[] = [
  { country: 'RO', countryLabel: 'România', phone: '0712 034 5', city: 'Cluj-Napoca', state: 'CJ', tld: 'ro', people: [['Ștefan', 'Țurcanu'], ['Ioana', 'Mărginean'], ['Răzvan', 'Știrbu'], ['Oana', 'Pîrvu']], companies: ['Fabrica de Soft SRL', 'Înălțimi Tech SRL'] },
  { country: 'IR', countryLabel: 'Iran', phone: '0912 345 67', city: 'تهران', state: 'Tehran', tld: 'ir', people: [['علی', 'رضایی'], ['سارا', 'محمدی'], ['مریم', 'حسینی']], companies: ['پارس داده', 'Arian Systems'] },
  { country: 'RU', countryLabel: 'Россия', phone: '8 (912) 345-67-', city: 'Москва', state: 'MOW', tld: 'ru', people: [['Дмитрий', 'Иванов'], ['Ольга', 'Смирнова'], ['Сергей', 'Кузнецов']], companies: ['ООО Вектор', 'Северсталь Диджитал'] },
  { country: 'BR', countryLabel: 'Brasil', phone: '(11) 96123-45', city: 'São Paulo', state: 'SP', tld: 'com.br', people: [['João', 'Conceição'], ['Inês', 'Gonçalves'], ['Luís', 'Araújo']], companies: ['Soluções Ágeis Ltda', 'Nuvem Paulista'] },
  { country: 'PT', countryLabel: 'Portugal', phone: '912 345 6', city: 'Lisboa', state: 'Lisboa', tld: 'pt', people: [['Tomás', 'Simões'], ['Beatriz', 'Magalhães']], companies: ['Atlântico Dados Lda'] },
  { country: 'DE', countryLabel: 'Deutschland', phone: '01512 34567', city: 'München', state: 'BY', tld: 'de', people: [['Jürgen', 'Müller'], ['Anja', 'Weiß'], ['Björn', 'Schäfer']], companies: ['Müller & Söhne GmbH', 'Datenwerk AG'] },
  { country: 'FR', countryLabel: 'France', phone: '06 12 34 56 ', city: 'Lyon', state: 'ARA', tld: 'fr', people: [['Élodie', 'Lefèvre'], ['François', 'Dubois']], companies: ['Société Générale de Logiciels SAS'] },
  { country: 'US', countryLabel: 'United States', phone: '(201) 555-01', city: 'San Francisco', state: 'CA', tld: 'com', people: [['Emily', 'Johnson'], ['Michael', 'Smith'], ['Sarah', 'Williams'], ['David', 'Brown']], companies: ['Acme Analytics Inc.', 'Northwind Traders LLC', 'Globex Corporation'] },
  { country: 'GB', countryLabel: 'UK', phone: '07400 1234', city: 'London', state: 'LND', tld: 'co.uk', people: [['Oliver', 'Taylor'], ['Amelia', 'Davies']], companies: ['Brightside Ltd'] },
  { country: 'JP', countryLabel: 'Japan', phone: '090-1234-56', city: '東京', state: '13', tld: 'co.jp', people: [['太郎', '山田'], ['花子', '佐藤']], companies: ['山田商事株式会社'] }
];
const PRODUCTS = ['Platform', 'Analytics', 'Integrations', 'Services', ''];
const TITLES = ['CTO', 'Head of Data', 'VP Sales', 'Marketing Manager', 'Engineer', 'CEO'];
const CAMPAIGNS = ['Webinar 2026-Q4', 'Trade Show Berlin 2026', ''];

/** mulberry32: tiny seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

function phoneFor(locale: Locale, n: number): string {
  // Each prefix is a national example number without its last two digits.
  const candidate = `${locale.phone}${String(n % 100).padStart(2, '0')}`;
  const parsed = parsePhoneNumberFromString(candidate, locale.country as CountryCode);
  return parsed?.isValid() ? candidate : `${locale.phone}${EXAMPLE_ENDINGS[locale.country] ?? '00'}`;
}
const EXAMPLE_ENDINGS: Record<string, string> = { RO: '67', IR: '89', RU: '89', BR: '67', PT: '78', DE: '89', FR: '78', US: '23', GB: '56', JP: '78' };

/** One valid lead row number i (1-based). Ids and emails are unique per i. */
export function generateRow(i: number, rnd: () => number, uniquePeople = false): SampleRow {
  const locale = LOCALES[i % LOCALES.length]!;
  const [given, last] = locale.people[Math.floor(rnd() * locale.people.length)]!;
  // A middle initial keeps most Latin-script people distinct, so only the planted duplicates (and a few
  // genuine same-name-same-company coincidences) are merged.
  const first = /^\p{Script=Latin}/u.test(given) ? `${given} ${String.fromCharCode(65 + ((i * 7) % 26))}.` : given;
  const company = locale.companies[Math.floor(rnd() * locale.companies.length)]!;
  const domainBase = `${ascii(company).slice(0, 18) || `firma${i % 97}`}${uniquePeople ? `-${i}` : ''}`;
  const emailLocal = `${ascii(first) || 'user'}.${ascii(last) || 'lead'}${i}`;
  const day = 1 + (i % 28);
  return {
    'Record ID': String(100000 + i),
    'First Name': first,
    'Last Name': last,
    Email: `${emailLocal}@${domainBase}.${locale.tld}`,
    'Phone Number': phoneFor(locale, i),
    'Company Name': company,
    'Website URL': `https://www.${domainBase}.${locale.tld}/`,
    'Job Title': TITLES[i % TITLES.length]!,
    City: locale.city,
    'State/Region': locale.state,
    'Country/Region': locale.countryLabel,
    'Product Interest': PRODUCTS[i % PRODUCTS.length]!,
    'Original Source': i % 3 === 0 ? 'Organic Search' : i % 3 === 1 ? 'Paid Social' : 'Email Marketing',
    'First Conversion': CAMPAIGNS[i % CAMPAIGNS.length]!,
    'Number of Pageviews': String(Math.floor(rnd() * 20)),
    'Number of Form Submissions': String(Math.floor(rnd() * 3)),
    'Last Modified Date': `2026-10-${String(day).padStart(2, '0')}T09:${String(i % 60).padStart(2, '0')}:00Z`
  };
}

/**
 * Ways a row is broken on purpose, each with the field the reject file must name. Email, product interest, last
 * name and company make the row a reject; a bad country or phone only drops that value with a warning line and
 * the lead is kept (docs/ingest.md, onInvalidOptional).
 */
export const BAD_ROW_KINDS = [
  { field: 'email', apply: (r: SampleRow) => ({ ...r, Email: `=HYPERLINK("http://evil.example","click")` }) },
  { field: 'country', apply: (r: SampleRow) => ({ ...r, 'Country/Region': 'Atlantis' }) },
  { field: 'productInterest', apply: (r: SampleRow) => ({ ...r, 'Product Interest': 'Toasters' }) },
  { field: 'lastName', apply: (r: SampleRow) => ({ ...r, 'First Name': '', 'Last Name': '' }) },
  { field: 'phone', apply: (r: SampleRow) => ({ ...r, 'Phone Number': '12' }) },
  { field: 'company', apply: (r: SampleRow) => ({ ...r, 'Company Name': '' }) }
] as const;

export interface GenerateOptions {
  rows: number;
  seed?: number;
  /** Every n-th row is broken (0 = none). */
  badEvery?: number;
  /** Every n-th row repeats an earlier person with a new record id (0 = none). */
  duplicateEvery?: number;
  /** Give every row its own company domain, so no two rows are the same person (benchmarks). */
  uniquePeople?: boolean;
}

/** Streams rows; bad rows and duplicates sit at fixed positions so tests can count them. */
export function* generateRows(opts: GenerateOptions): Generator<SampleRow> {
  const rnd = prng(opts.seed ?? 42);
  let previousValid: SampleRow | null = null;
  for (let i = 1; i <= opts.rows; i++) {
    let row = generateRow(i, rnd, opts.uniquePeople);
    if (opts.badEvery && i % opts.badEvery === 0) {
      row = BAD_ROW_KINDS[(i / opts.badEvery) % BAD_ROW_KINDS.length]!.apply(row);
      yield row;
      continue;
    }
    if (opts.duplicateEvery && i % opts.duplicateEvery === 0 && previousValid) {
      // Same person (email, name, company) as the previous valid row: new record id, newer title.
      const p: SampleRow = previousValid;
      row = { ...p, 'Record ID': row['Record ID'], 'Job Title': 'Director (updated)', 'Last Modified Date': '2026-11-01T12:00:00Z' };
    }
    previousValid = row;
    yield row;
  }
}

/** Writes generated rows to a CSV file with HubSpot export headers, streaming (constant memory). */
export async function writeSampleCsv(file: string, opts: GenerateOptions): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  const csv = stringify({ header: true, columns: [...HUBSPOT_SAMPLE_COLUMNS] });
  csv.pipe(out);
  const done = new Promise<void>((resolve, reject) => out.on('finish', resolve).on('error', reject));
  for (const row of generateRows(opts)) {
    if (!csv.write(HUBSPOT_SAMPLE_COLUMNS.map((c) => row[c]))) await new Promise((r) => csv.once('drain', r));
  }
  csv.end();
  await done;
}
