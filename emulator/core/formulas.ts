/**
 * Formula fields and validation rules, evaluated with formulon. Only same-record field references are
 * supported (no cross-object `Account.Name`, no `$User`/`$Setup` globals); loadSchema refuses such
 * formulas up front (checkFormula) so the emulator never silently computes a wrong value.
 */
import { extract, parse, type FormulonLiteral } from 'formulon';
import type { FieldDef, SObjectDef } from './types';

const NULL_LITERAL: FormulonLiteral = { type: 'literal', dataType: 'null', value: null, options: {} };

export class FormulaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormulaError';
  }
}

function numberOptions(field: FieldDef): Record<string, unknown> {
  // formulon rounds inputs to `scale`; a percent of scale 2 (12.50%) is 0.1250 inside formulas.
  const scale = field.type === 'percent' ? field.scale + 2 : field.scale;
  return { length: Math.max(1, (field.precision || 18) - field.scale), scale };
}

/** formulon literal for a stored field value; blanks follow "treat blank fields as blanks" (text blanks are ''). */
export function toFormulaLiteral(field: FieldDef, value: unknown): FormulonLiteral {
  switch (field.type) {
    case 'boolean':
      return { type: 'literal', dataType: 'checkbox', value: value === true, options: {} };
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      if (value === null || value === undefined || value === '') return NULL_LITERAL;
      const num = Number(value);
      // Percent fields hold 50 for 50%; formulas see 0.5.
      return { type: 'literal', dataType: 'number', value: field.type === 'percent' ? num / 100 : num, options: numberOptions(field) };
    }
    case 'date':
    case 'datetime': {
      if (value === null || value === undefined || value === '') return NULL_LITERAL;
      const asDate = value instanceof Date ? value : new Date(String(value));
      return { type: 'literal', dataType: field.type, value: asDate, options: {} };
    }
    case 'picklist':
      if (value === null || value === undefined) return NULL_LITERAL;
      return { type: 'literal', dataType: 'picklist', value: String(value), options: { values: field.picklistValues.map((p) => p.value) } };
    case 'multipicklist':
      return {
        type: 'literal',
        dataType: 'multipicklist',
        value: value === null || value === undefined || value === '' ? [] : String(value).split(';'),
        options: { values: field.picklistValues.map((p) => p.value) }
      };
    default: {
      const text = value === null || value === undefined ? '' : String(value);
      return { type: 'literal', dataType: 'text', value: text, options: { length: Math.max(text.length, 1) } };
    }
  }
}

/** A non-blank sample value of a field's type, used to prove a formula evaluates at load time. */
function sampleValue(field: FieldDef, variant: number): unknown {
  switch (field.type) {
    case 'boolean':
      return variant === 0;
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return variant === 0 ? 1 : 0;
    case 'date':
      return new Date('2024-01-15T00:00:00.000Z');
    case 'datetime':
      return new Date('2024-01-15T10:30:00.000Z');
    case 'picklist':
    case 'multipicklist':
      return field.picklistValues[0]?.value ?? 'x';
    default:
      return variant === 0 ? '1' : 'x';
  }
}

/**
 * formulon parses the formula text on every call (~0.5 ms), far too slow for bulk loads of 100k rows,
 * so identifiers are cached per formula and results are memoised per distinct input values. Formulas
 * that read the clock or random numbers are never memoised.
 */
const identifierCache = new Map<string, string[]>();
const resultCache = new Map<string, Map<string, unknown>>();
const MAX_CACHED_RESULTS_PER_FORMULA = 20000;
const VOLATILE = /\b(TODAY|NOW|TIMENOW|RAND)\s*\(/i;

function identifiersOf(formula: string): string[] {
  let names = identifierCache.get(formula);
  if (!names) {
    try {
      names = extract(formula);
    } catch (error) {
      throw new FormulaError(`cannot be parsed: ${(error as Error).message}`);
    }
    identifierCache.set(formula, names);
  }
  return names;
}

function resolveIdentifiers(object: SObjectDef, formula: string): Map<string, FieldDef> {
  const names = identifiersOf(formula);
  const resolved = new Map<string, FieldDef>();
  for (const name of names) {
    const field = object.fieldMap.get(name.toLowerCase());
    if (!field) {
      const why = name.includes('.') || name.startsWith('$')
        ? `cross-object and global references (${name}) are not supported by the emulator`
        : `field ${name} does not exist on ${object.name}`;
      throw new FormulaError(why);
    }
    resolved.set(name, field);
  }
  return resolved;
}

function run(formula: string, variables: Record<string, FormulonLiteral>): FormulonLiteral {
  let result;
  try {
    result = parse(formula, variables);
  } catch (error) {
    throw new FormulaError((error as Error).message);
  }
  if (result.type === 'error') throw new FormulaError(`${result.errorType}: ${result.message}`);
  return result;
}

/**
 * Proves a formula parses and evaluates with sample values for every referenced field (two sample
 * sets, so e.g. VALUE(Text__c) or 1/Number__c is not refused for one unlucky sample). Throws FormulaError.
 */
export function checkFormula(object: SObjectDef, formula: string): void {
  const fields = resolveIdentifiers(object, formula);
  let firstError: Error | undefined;
  for (const variant of [0, 1]) {
    const variables: Record<string, FormulonLiteral> = {};
    for (const [name, field] of fields) variables[name] = toFormulaLiteral(field, sampleValue(field, variant));
    try {
      run(formula, variables);
      return;
    } catch (error) {
      firstError ??= error as Error;
    }
  }
  throw firstError ?? new FormulaError('cannot be evaluated');
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * formulon reads the wall clock for TODAY()/NOW(); the emulator's clock is injectable, so those
 * calls are rewritten to literals of `now` (UTC) before evaluation.
 */
export function pinClock(formula: string, now: Date): string {
  const date = `DATE(${now.getUTCFullYear()}, ${now.getUTCMonth() + 1}, ${now.getUTCDate()})`;
  const dateTime = `DATETIMEVALUE("${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}")`;
  return formula.replace(/\bTODAY\s*\(\s*\)/gi, date).replace(/\bNOW\s*\(\s*\)/gi, dateTime);
}

/**
 * Evaluates a formula against a record (keys: lowercase field names). Returns the raw formulon value,
 * or null when blank inputs make it undefined. `now` pins TODAY()/NOW() to the emulator's clock.
 */
export function evaluateFormula(object: SObjectDef, source: string, row: Record<string, unknown>, now?: Date): unknown {
  const formula = now && VOLATILE.test(source) ? pinClock(source, now) : source;
  const fields = resolveIdentifiers(object, source);
  const variables: Record<string, FormulonLiteral> = {};
  let hasBlankInput = false;
  for (const [name, field] of fields) {
    const literal = toFormulaLiteral(field, row[field.column]);
    if (literal.dataType === 'null') hasBlankInput = true;
    variables[name] = literal;
  }
  const volatile = VOLATILE.test(source);
  const cacheKey = volatile ? '' : JSON.stringify(Object.values(variables).map((v) => [v.dataType, v.value]));
  let cache = resultCache.get(source);
  if (!volatile && cache?.has(cacheKey)) return cache.get(cacheKey);
  let value: unknown;
  try {
    value = run(formula, variables).value;
  } catch (error) {
    // Arithmetic on a blank number is blank in Salesforce ("treat blank fields as blanks").
    if (!hasBlankInput) throw error;
    value = null;
  }
  if (!volatile) {
    if (!cache || cache.size >= MAX_CACHED_RESULTS_PER_FORMULA) {
      cache = new Map();
      resultCache.set(source, cache);
    }
    cache.set(cacheKey, value);
  }
  return value;
}

/** Converts a formula result to the storage value of the formula field's return type. */
export function formulaResultFor(field: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return field.type === 'boolean' ? false : null;
  switch (field.type) {
    case 'boolean':
      return value === true;
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const num = Number(value);
      if (!Number.isFinite(num)) return null;
      const scaled = field.type === 'percent' ? num * 100 : num;
      const factor = 10 ** field.scale;
      return Math.round(scaled * factor) / factor;
    }
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
    case 'datetime':
      return value instanceof Date ? value.toISOString() : String(value);
    default:
      return value instanceof Date ? value.toISOString() : String(value);
  }
}
