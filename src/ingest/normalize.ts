/**
 * Pure normalisers for lead fields. Names keep their script and diacritics (only trimmed, whitespace
 * collapsed and put in Unicode NFC so that e.g. Romanian "ș" typed as s + combining comma compares equal
 * to the precomposed letter). Each normaliser returns `{ ok, value }` or `{ ok: false, reason }`.
 */
import countries from 'i18n-iso-countries';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { getDomain } from 'tldts';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import en from 'i18n-iso-countries/langs/en.json';
import de from 'i18n-iso-countries/langs/de.json';
import fr from 'i18n-iso-countries/langs/fr.json';
import es from 'i18n-iso-countries/langs/es.json';
import pt from 'i18n-iso-countries/langs/pt.json';
import it from 'i18n-iso-countries/langs/it.json';
import nl from 'i18n-iso-countries/langs/nl.json';
import ro from 'i18n-iso-countries/langs/ro.json';
import ru from 'i18n-iso-countries/langs/ru.json';
import fa from 'i18n-iso-countries/langs/fa.json';

const COUNTRY_LOCALES = [en, de, fr, es, pt, it, nl, ro, ru, fa];
for (const locale of COUNTRY_LOCALES) countries.registerLocale(locale);

export type Normalised<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Normalised<T> => ({ ok: true, value });
const fail = <T>(reason: string): Normalised<T> => ({ ok: false, reason });

/** Trim, collapse inner whitespace (incl. NBSP) and compose to NFC. Never changes letters or case. */
export function normaliseText(raw: string): string {
  return raw.normalize('NFC').replace(/[\s\u00A0\u200B]+/g, ' ').trim();
}

/** Surname particles kept with the last name ("Ludwig van Beethoven" -> last "van Beethoven"). */
const PARTICLES = new Set(['van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'dos', 'das', 'du', 'la', 'le', 'bin', 'ibn', 'al', 'el', 'ter', 'ten']);

/**
 * Splits a full name into first and last name. "Last, First" is honoured; otherwise the last word
 * (plus any preceding particles) is the last name. A single word (or a name written without spaces,
 * as in Chinese or Japanese) becomes the last name, which Salesforce requires.
 */
export function splitFullName(raw: string): { firstName: string | null; lastName: string } {
  const full = normaliseText(raw);
  if (full.includes(',')) {
    const [last, ...rest] = full.split(',');
    const first = normaliseText(rest.join(' '));
    return { firstName: first === '' ? null : first, lastName: normaliseText(last ?? '') };
  }
  const words = full.split(' ');
  if (words.length === 1) return { firstName: null, lastName: full };
  let lastStart = words.length - 1;
  while (lastStart > 1 && PARTICLES.has(words[lastStart - 1]!.toLowerCase())) lastStart--;
  return { firstName: words.slice(0, lastStart).join(' '), lastName: words.slice(lastStart).join(' ') };
}

const emailSchema = z.email();

/** Lower-cased, trimmed, NFC; validated for syntax (the domain part must have a dot). */
export function normaliseEmail(raw: string): Normalised<string> {
  const email = normaliseText(raw).toLowerCase().replace(/^mailto:/, '');
  if (!emailSchema.safeParse(email).success) return fail('not a valid email address');
  return ok(email);
}

/**
 * Country names repeat on almost every row of a file, and resolving one through i18n-iso-countries' name lists
 * in every locale was a tenth of ingest's CPU on the benchmark file: results are kept per raw value.
 */
const countryCache = new LRUCache<string, Normalised<string>>({ max: 5_000 });

/**
 * ISO 3166-1 alpha-2 code from an alpha-2/alpha-3 code or a country name in English, German, French,
 * Spanish, Portuguese, Italian, Dutch, Romanian, Russian or Persian (official and common names).
 */
export function normaliseCountry(raw: string): Normalised<string> {
  const hit = countryCache.get(raw);
  if (hit) return hit;
  const result = resolveCountry(raw);
  countryCache.set(raw, result);
  return result;
}

function resolveCountry(raw: string): Normalised<string> {
  const text = normaliseText(raw);
  const upper = text.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) {
    if (upper === 'UK') return ok('GB');
    return countries.isValid(upper) ? ok(upper) : fail('unknown ISO country code');
  }
  if (/^[A-Z]{3}$/.test(upper)) {
    const a2 = countries.alpha3ToAlpha2(upper);
    if (a2) return ok(a2);
  }
  for (const locale of COUNTRY_LOCALES) {
    const code = countries.getAlpha2Code(text, locale.locale);
    if (code) return ok(code);
  }
  const alias = COUNTRY_ALIASES[text.toLowerCase().replace(/\./g, '')];
  return alias ? ok(alias) : fail('unknown country');
}
const COUNTRY_ALIASES: Record<string, string> = {
  usa: 'US',
  us: 'US',
  'united states of america': 'US',
  america: 'US',
  uk: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'great britain': 'GB',
  holland: 'NL',
  'south korea': 'KR',
  korea: 'KR',
  russia: 'RU',
  iran: 'IR',
  uae: 'AE'
};

/** E.164 via libphonenumber-js, parsing national numbers with the lead's country (or the source default). */
export function normalisePhone(raw: string, country: string | null | undefined): Normalised<string> {
  const text = normaliseText(raw);
  const region = country && /^[A-Z]{2}$/.test(country) ? (country as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(text, region);
  if (!parsed) {
    return fail(region || text.startsWith('+') ? 'not a phone number' : 'national number without a country; add the country or an international +prefix');
  }
  if (!parsed.isValid()) return fail(`not a valid phone number${region ? ` for ${region}` : ''}`);
  return ok(parsed.number);
}

/** Registrable domain (eTLD+1) of a website or URL: "https://www.shop.example.co.uk/x" -> "example.co.uk". */
export function normaliseWebsite(raw: string): Normalised<string> {
  const text = normaliseText(raw).toLowerCase();
  const domain = getDomain(text);
  if (!domain) return fail('not a website address with a public domain');
  return ok(domain);
}

/** Domain of an email address, unless it is a free-mail provider (then it says nothing about the company). */
export function companyDomainFromEmail(email: string): string | null {
  const host = email.split('@')[1];
  if (!host) return null;
  const domain = getDomain(host);
  return domain && !FREEMAIL.has(domain) ? domain : null;
}
const FREEMAIL = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'icloud.com', 'me.com',
  'aol.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.ru', 'yandex.ru', 'ya.ru', 'yandex.com', 'inbox.ru', 'bk.ru', 'mail.com', 'yahoo.co.uk', 'hotmail.co.uk', 'outlook.de', 't-online.de', 'orange.fr', 'free.fr', 'uol.com.br', 'bol.com.br', 'proton.me', 'protonmail.com', 'qq.com', '163.com'
]);

const COMPANY_SUFFIXES = /\b(inc|incorporated|llc|ltd|limited|gmbh|ag|sa|sas|sarl|srl|s\.r\.l|spa|bv|nv|plc|corp|corporation|co|company|oy|ab|as|kg|ooo|ооо|зао|оао)\b\.?/giu;

/** Key for comparing company names: NFC, case-folded, punctuation and legal-form suffixes removed. */
export function companyKey(raw: string): string {
  return normaliseText(raw)
    .toLocaleLowerCase('und')
    .replace(COMPANY_SUFFIXES, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Key for comparing person names: NFC, case-folded, without diacritics or punctuation. */
export function personKey(first: string | null | undefined, last: string): string {
  return normaliseText(`${first ?? ''} ${last}`)
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLocaleLowerCase('und')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
