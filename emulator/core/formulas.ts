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
/** Clock and random functions pinClock does not pin: their formulas are never memoised. */
const UNPINNED = /\b(TIMENOW|RAND)\s*\(/i;
/** For a clock-reading formula: the pinned text its cached results belong to. */
const pinnedFormula = new Map<string, string>();

/** The memo of a formula; for a pinned clock formula, dropped when the pinned instant moves on. */
function cacheFor(bound: string, formula: string): Map<string, unknown> | undefined {
  if (formula !== bound && pinnedFormula.get(bound) !== formula) {
    resultCache.delete(bound);
    return undefined;
  }
  return resultCache.get(bound);
}

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

/** A formula identifier bound to a field: its current value, or (PRIORVALUE) its value before the save. */
interface Binding {
  field: FieldDef;
  prior: boolean;
}

/** PRIORVALUE(Field) is rewritten to this identifier, so formulon sees an ordinary variable. */
const PRIOR_PREFIX = 'PriorValueOf__';

/**
 * formulon's grammar has no backslash escapes in string literals; Salesforce's has (\\ \" \' \n \r \t \b \f),
 * and REGEX patterns need them ("Account\\.Name"). Such a literal is replaced by an identifier carrying its
 * unescaped text in hex, bound to that text when the formula runs (run()).
 */
const ESCAPED_TEXT_PREFIX = 'EscapedText__';
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

function bindEscapedStrings(formula: string): string {
  if (!formula.includes('\\')) return formula;
  let out = '';
  for (let i = 0; i < formula.length; i++) {
    const quote = formula[i]!;
    if (quote !== '"' && quote !== "'") {
      out += quote;
      continue;
    }
    let text = '';
    let escaped = false;
    let j = i + 1;
    for (; j < formula.length && formula[j] !== quote; j++) {
      if (formula[j] === '\\') {
        const next = formula[j + 1] ?? '';
        const value = ESCAPES[next];
        if (value === undefined) throw new FormulaError(`unknown escape sequence \\${next} in a text literal`);
        text += value;
        escaped = true;
        j++;
      } else {
        text += formula[j];
      }
    }
    if (j >= formula.length) throw new FormulaError('a text literal is not closed');
    out += escaped ? `${ESCAPED_TEXT_PREFIX}${Buffer.from(text, 'utf8').toString('hex')}` : formula.slice(i, j + 1);
    i = j;
  }
  return out;
}

const ESCAPED_TEXT = new RegExp(`\\b${ESCAPED_TEXT_PREFIX}([0-9a-f]*)`, 'g');

function escapedTextVariables(formula: string, variables: Record<string, FormulonLiteral>): Record<string, FormulonLiteral> {
  if (!formula.includes(ESCAPED_TEXT_PREFIX)) return variables;
  const all = { ...variables };
  for (const [name, hex] of formula.matchAll(ESCAPED_TEXT)) {
    const value = Buffer.from(hex ?? '', 'hex').toString('utf8');
    all[name] = { type: 'literal', dataType: 'text', value, options: { length: value.length } } as FormulonLiteral;
  }
  return all;
}

function resolveIdentifiers(object: SObjectDef, formula: string): Map<string, Binding> {
  const names = identifiersOf(formula);
  const resolved = new Map<string, Binding>();
  for (const name of names) {
    if (name.startsWith(ESCAPED_TEXT_PREFIX)) continue;
    const prior = name.startsWith(PRIOR_PREFIX);
    const fieldName = prior ? name.slice(PRIOR_PREFIX.length) : name;
    const field = object.fieldMap.get(fieldName.toLowerCase());
    if (!field) {
      const why = name.includes('.') || name.startsWith('$')
        ? `cross-object and global references (${name}) are not supported by the emulator`
        : `field ${fieldName} does not exist on ${object.name}`;
      throw new FormulaError(why);
    }
    resolved.set(name, { field, prior });
  }
  return resolved;
}

function run(formula: string, variables: Record<string, FormulonLiteral>): FormulonLiteral {
  let result;
  try {
    result = parse(formula, escapedTextVariables(formula, variables));
  } catch (error) {
    throw new FormulaError((error as Error).message);
  }
  if (result.type === 'error') throw new FormulaError(`${result.errorType}: ${result.message}`);
  return result;
}

/** Where a formula runs: validation rules may use ISNEW(), ISCHANGED() and PRIORVALUE(); formula fields may not. */
export type FormulaKind = 'field' | 'validationRule';

/**
 * The save being evaluated: `previous` is the stored row before an update (undefined on insert).
 * Only used by validation rules (ISNEW/ISCHANGED/PRIORVALUE).
 */
export interface SaveContext {
  previous?: Record<string, unknown>;
}

const RECORD_CONTEXT_FUNCTIONS = /\b(ISNEW|ISCHANGED|PRIORVALUE)\s*\(\s*([A-Za-z][A-Za-z0-9_]*)?\s*\)/gi;

/**
 * formulon has no record context, so ISNEW() and ISCHANGED(F) become TRUE/FALSE literals for this
 * save and PRIORVALUE(F) a variable holding F's previous value (its current value on insert, as in
 * Salesforce). With no row (load-time check) ISNEW is TRUE and ISCHANGED FALSE.
 */
function bindSaveContext(object: SObjectDef, formula: string, row?: Record<string, unknown>, context?: SaveContext): string {
  return formula.replace(RECORD_CONTEXT_FUNCTIONS, (whole, fn: string, arg: string | undefined) => {
    const name = fn.toUpperCase();
    if (name === 'ISNEW') {
      if (arg) throw new FormulaError('ISNEW() takes no argument');
      return context?.previous ? 'FALSE' : 'TRUE';
    }
    if (!arg) throw new FormulaError(`${name}() needs a field`);
    const field = object.fieldMap.get(arg.toLowerCase());
    if (!field) throw new FormulaError(`field ${arg} does not exist on ${object.name}`);
    if (name === 'PRIORVALUE') return `${PRIOR_PREFIX}${field.name}`;
    const previous = context?.previous;
    if (!previous || !row) return 'FALSE';
    return (previous[field.column] ?? null) === (row[field.column] ?? null) ? 'FALSE' : 'TRUE';
  });
}

/**
 * `$Permission.<CustomPermission>` is true when the running user holds that custom permission. The emulator
 * models no permission set assignments, so no user holds one: it is FALSE (as for a Salesforce admin who was
 * not assigned the permission). Without this, a package using a bypass permission could not load.
 */
const CUSTOM_PERMISSION = /\$Permission\.[A-Za-z][A-Za-z0-9_]*/g;

function prepare(object: SObjectDef, rawSource: string, kind: FormulaKind, row?: Record<string, unknown>, context?: SaveContext): string {
  const unescaped = bindEscapedStrings(rawSource);
  const source = unescaped.includes('$Permission.') ? unescaped.replace(CUSTOM_PERMISSION, 'FALSE') : unescaped;
  if (kind !== 'validationRule') return source;
  RECORD_CONTEXT_FUNCTIONS.lastIndex = 0;
  return RECORD_CONTEXT_FUNCTIONS.test(source) ? bindSaveContext(object, source, row, context) : source;
}

/**
 * Proves a formula parses and evaluates with sample values for every referenced field (two sample
 * sets, so e.g. VALUE(Text__c) or 1/Number__c is not refused for one unlucky sample). Throws FormulaError.
 */
export function checkFormula(object: SObjectDef, source: string, kind: FormulaKind = 'field'): void {
  const formula = prepare(object, source, kind);
  const bindings = resolveIdentifiers(object, formula);
  let firstError: Error | undefined;
  for (const variant of [0, 1]) {
    const variables: Record<string, FormulonLiteral> = {};
    for (const [name, { field }] of bindings) variables[name] = toFormulaLiteral(field, sampleValue(field, variant));
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

export interface EvaluateOptions {
  /** Pins TODAY()/NOW() to the emulator's clock. */
  now?: Date;
  kind?: FormulaKind;
  context?: SaveContext;
}

/**
 * Evaluates a formula against a record (keys: lowercase field names). Returns the raw formulon value,
 * or null when blank inputs make it undefined.
 */
export function evaluateFormula(object: SObjectDef, source: string, row: Record<string, unknown>, opts: EvaluateOptions = {}): unknown {
  const bound = prepare(object, source, opts.kind ?? 'field', row, opts.context);
  const volatile = VOLATILE.test(bound);
  const formula = opts.now && volatile ? pinClock(bound, opts.now) : bound;
  const bindings = resolveIdentifiers(object, bound);
  const variables: Record<string, FormulonLiteral> = {};
  let hasBlankInput = false;
  for (const [name, { field, prior }] of bindings) {
    const values = prior && opts.context?.previous ? opts.context.previous : row;
    const literal = toFormulaLiteral(field, values[field.column]);
    if (literal.dataType === 'null') hasBlankInput = true;
    variables[name] = literal;
  }
  // Memoised per (bound formula, input values): the bound text already carries ISNEW/ISCHANGED results.
  // A formula reading the clock is memoised too once the clock is pinned (to the second, so a save call's
  // rows share it), for that pinned instant only; RAND() and the wall clock never are.
  const memoisable = !volatile || (opts.now !== undefined && !UNPINNED.test(bound));
  const cacheKey = memoisable ? JSON.stringify(Object.values(variables).map((v) => [v.dataType, v.value])) : '';
  let cache = memoisable ? cacheFor(bound, formula) : undefined;
  if (cache?.has(cacheKey)) return cache.get(cacheKey);
  let value: unknown;
  try {
    value = run(formula, variables).value;
  } catch (error) {
    // Arithmetic on a blank number is blank in Salesforce ("treat blank fields as blanks").
    if (!hasBlankInput) throw error;
    value = null;
  }
  if (memoisable) {
    if (!cache || cache.size >= MAX_CACHED_RESULTS_PER_FORMULA) {
      cache = new Map();
      resultCache.set(bound, cache);
      if (formula !== bound) pinnedFormula.set(bound, formula);
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
