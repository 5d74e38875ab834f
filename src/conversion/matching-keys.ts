/**
 * Keys used to match a lead to an existing Account: registrable domain (from Website, else from the email
 * unless it is a free-mail provider) and a normalised company name.
 */
import { getDomain } from 'tldts';

/** Free-mail providers: their domain says nothing about the lead's company. */
export const PERSONAL_EMAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.co.uk', 'yahoo.fr', 'ymail.com', 'hotmail.com', 'hotmail.co.uk',
  'outlook.com', 'live.com', 'msn.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com',
  'gmx.de', 'gmx.net', 'web.de', 'mail.ru', 'yandex.ru', 'yandex.com', 'qq.com', '163.com', '126.com', 'naver.com',
  'zoho.com', 'mail.com', 'fastmail.com', 'hey.com', 'uol.com.br', 'bol.com.br', 'libero.it', 'orange.fr', 'free.fr',
  't-online.de', 'rediffmail.com', 'seznam.cz', 'wp.pl', 'o2.pl', 'yahoo.co.jp', 'docomo.ne.jp'
]);

/** Registrable domain of a website or URL ("https://www.shop.acme.co.uk/x" -> "acme.co.uk"). */
export function websiteDomain(website: string | null | undefined): string | null {
  if (!website || !website.trim()) return null;
  const trimmed = website.trim().toLowerCase();
  const url = /^[a-z]+:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
  return getDomain(url) ?? null;
}

export function emailDomain(email: string | null | undefined, extraPersonal: Iterable<string> = []): string | null {
  const at = email?.lastIndexOf('@') ?? -1;
  if (!email || at < 0) return null;
  const domain = getDomain(email.slice(at + 1).trim().toLowerCase());
  if (!domain) return null;
  const personal = new Set([...PERSONAL_EMAIL_DOMAINS, ...[...extraPersonal].map((d) => d.toLowerCase())]);
  return personal.has(domain) ? null : domain;
}

const LEGAL_SUFFIXES = new Set([
  'inc', 'incorporated', 'llc', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company', 'plc', 'gmbh', 'ag', 'kg',
  'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'as', 'aps', 'kk', 'pty', 'lda', 'ltda', 'sl', 'sp', 'zoo',
  'ооо', 'зао', 'оао', 'пао', 'ао'
]);

/**
 * Normalised company name for matching: Unicode NFKC, case-folded, punctuation removed, legal-form
 * suffixes and prefixes dropped. Letters of every script are kept (so "株式会社トヨタ" and "Ренессанс" still match
 * themselves), only separators and punctuation go.
 */
export function normaliseCompanyName(name: string | null | undefined): string | null {
  if (!name) return null;
  const words = name
    .normalize('NFKC')
    .toLocaleLowerCase()
    .replace(/株式会社|有限会社|合同会社/g, ' ')
    // "S.A." and "Inc." lose their dots so the suffix is recognised as one word.
    .replace(/\./g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  // Legal forms trail in most languages ("Acme Inc") and lead in some ("ООО Ромашка").
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1]!)) words.pop();
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[0]!)) words.shift();
  const key = words.join(' ');
  return key.length > 0 ? key : null;
}
