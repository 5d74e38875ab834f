/**
 * Shared matching vectors (force-app/main/default/staticresources/MatchingVectors.json), the same file Apex
 * MatchingVectorsTest runs, plus two guards against drift between the two sides: the generated
 * PublicSuffixList static resource must equal a fresh generation from node_modules/tldts, and the PSL algorithm
 * RegistrableDomain.cls applies to that resource must agree with tldts for a host under every rule.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getDomain } from 'tldts';
import { z } from 'zod';
import { PSL_RESOURCE, renderResource } from '../../scripts/generate-psl-resource';
import { decideMatch } from './matching';
import { emailDomain, PERSONAL_EMAIL_DOMAINS, websiteDomain } from './matching-keys';

const VECTORS = path.resolve(__dirname, '../../force-app/main/default/staticresources/MatchingVectors.json');
const domainCase = z.object({ name: z.string(), input: z.string().nullable(), expected: z.string().nullable() });
const vectorFile = z.object({
  personalEmailDomains: z.array(z.string()),
  website: z.array(domainCase).min(20),
  email: z.array(domainCase).min(8),
  matches: z
    .array(
      z.object({
        name: z.string(),
        lead: z.object({ Website: z.string().nullable(), Email: z.string().nullable(), Company: z.string().nullable() }),
        accounts: z.array(z.object({ Id: z.string(), Name: z.string(), Website_Domain__c: z.string().nullable() })),
        contacts: z.array(z.object({ Id: z.string(), AccountId: z.string().nullable(), Email: z.string().nullable() })),
        expected: z.object({
          domain: z.string().nullable(),
          accountId: z.string().nullable(),
          matchedBy: z.enum(['domain', 'name']).nullable(),
          ambiguous: z.array(z.string()),
          contactId: z.string().nullable(),
          duplicateContactIds: z.array(z.string())
        })
      })
    )
    .min(8)
});
const vectors = vectorFile.parse(JSON.parse(readFileSync(VECTORS, 'utf8')));

describe('shared matching vectors', () => {
  it.each(vectors.website.map((v) => [v.name, v.input, v.expected] as const))(
    'website %s: %j -> %j',
    (_name, input, expected) => {
      expect(websiteDomain(input)).toBe(expected);
    }
  );

  it.each(vectors.email.map((v) => [v.name, v.input, v.expected] as const))('email %s: %j -> %j', (_name, input, expected) => {
    expect(emailDomain(input)).toBe(expected);
  });

  it('should list exactly the free-mail domains the service skips (Apex asserts the same list)', () => {
    expect([...PERSONAL_EMAIL_DOMAINS].sort()).toEqual(vectors.personalEmailDomains);
  });

  it.each(vectors.matches.map((v) => [v.name, v] as const))('match %s', (_name, v) => {
    const { nameKey: _nameKey, ...decision } = decideMatch(v.lead, v.accounts, v.contacts);
    expect(decision).toEqual(v.expected);
  });
});

describe('PublicSuffixList static resource', () => {
  it('should be what npm run generate:psl makes from node_modules/tldts today', () => {
    const fresh = path.join(mkdtempSync(path.join(tmpdir(), 'psl-')), 'PublicSuffixList.txt');
    writeFileSync(fresh, renderResource());
    // On failure: run `npm run generate:psl` and commit the resource (tldts was upgraded).
    expect(readFileSync(PSL_RESOURCE, 'utf8') === readFileSync(fresh, 'utf8')).toBe(true);
  });

  // A line-by-line port of RegistrableDomain.publicSuffixSize over the resource, so the Apex algorithm is checked
  // against tldts for every rule (Apex itself runs the vectors above in MatchingVectorsTest).
  const rules = new Set(
    readFileSync(PSL_RESOURCE, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('//'))
  );
  function apexDomain(host: string): string | null {
    const labels = host.split('.');
    let suffixSize = 1;
    let tail: string | null = null;
    let exception = false;
    for (let i = labels.length - 1; i >= 0 && !exception; i--) {
      const candidate: string = tail === null ? labels[i]! : `${labels[i]}.${tail}`;
      if (rules.has(`!${candidate}`)) {
        suffixSize = labels.length - i - 1;
        exception = true;
      } else if (rules.has(candidate) || (tail !== null && rules.has(`*.${tail}`))) {
        suffixSize = labels.length - i;
      }
      tail = candidate;
    }
    return suffixSize >= labels.length ? null : labels.slice(labels.length - suffixSize - 1).join('.');
  }

  it('should give the same registrable domain as tldts for hosts under every rule', () => {
    const disagreements: string[] = [];
    let checked = 0;
    for (const rule of rules) {
      const base = rule.replace(/^!/, '').replace(/\*/g, 'w1');
      for (const host of [base, `acme.${base}`, `www.acme.${base}`]) {
        checked += 1;
        const expected = getDomain(host);
        const actual = apexDomain(host);
        if (expected !== actual) disagreements.push(`${host}: tldts ${expected}, Apex algorithm ${actual}`);
      }
    }
    expect(checked).toBeGreaterThan(20_000);
    expect(disagreements).toEqual([]);
  });
});
