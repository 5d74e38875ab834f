import path from 'node:path';
import { evaluateFormula } from './formulas';
import { loadSchema, type LoadedSchema } from './schema';
import type { SObjectDef } from './types';

const fixtures = path.join(__dirname, '__fixtures__', 'basic');
let lead: SObjectDef;

beforeAll(async () => {
  const schema: LoadedSchema = await loadSchema({ forceAppDir: fixtures });
  lead = schema.get('Lead') as SObjectDef;
});

describe('evaluateFormula with the clock pinned', () => {
  // A deadline check like SAL_SLA_Breached__c: memoised per pinned instant, so many rows of one save share
  // a result, but never served across instants.
  const formula = 'IF(CreatedDate < NOW(), 1, 0)';
  const row = { createddate: '2025-01-10T09:00:30.000Z' };

  it('should give the result for each pinned instant, before and after the deadline passes', () => {
    const before = new Date('2025-01-10T09:00:00.000Z');
    const after = new Date('2025-01-10T09:01:00.000Z');
    expect(evaluateFormula(lead, formula, row, { now: before })).toBe(0);
    expect(evaluateFormula(lead, formula, row, { now: before })).toBe(0);
    expect(evaluateFormula(lead, formula, row, { now: after })).toBe(1);
    expect(evaluateFormula(lead, formula, row, { now: before })).toBe(0);
  });

  it('should keep inputs apart within one instant', () => {
    const now = new Date('2025-01-10T09:00:45.000Z');
    expect(evaluateFormula(lead, formula, { createddate: '2025-01-10T09:00:30.000Z' }, { now })).toBe(1);
    expect(evaluateFormula(lead, formula, { createddate: '2025-01-10T09:00:50.000Z' }, { now })).toBe(0);
  });
});

describe('text literals with backslash escapes (Salesforce formula syntax)', () => {
  // A REGEX pattern needs \\. for a literal dot; formulon alone refuses any backslash in a string.
  const dotted = 'REGEX(Company, "(Account|Contact)\\\\.[A-Za-z]+")';

  it('should read \\\\ as one backslash in a REGEX pattern', () => {
    expect(evaluateFormula(lead, dotted, { company: 'Contact.Region' })).toBe(true);
    expect(evaluateFormula(lead, dotted, { company: 'ContactXRegion' })).toBe(false);
  });

  it('should read escaped quotes and keep unescaped literals as they are', () => {
    expect(evaluateFormula(lead, 'Company = "Say \\"hi\\""', { company: 'Say "hi"' })).toBe(true);
    expect(evaluateFormula(lead, "LEN('it\\'s') + LEN(\"a\\\\b\")", {})).toBe(7);
    expect(evaluateFormula(lead, 'Company & "-x"', { company: 'Acme' })).toBe('Acme-x');
  });

  it('should refuse an unknown escape sequence with a message', () => {
    expect(() => evaluateFormula(lead, 'LEN("a\\qb")', {})).toThrow('unknown escape sequence \\q in a text literal');
  });
});
