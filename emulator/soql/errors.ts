/**
 * Salesforce-shaped SOQL errors. Salesforce points at the offending token with a caret block:
 *   "\nSELECT Foo FROM Lead\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' ..."
 * The parser gives no token positions, so we locate the token in the raw SOQL text ourselves.
 */
import { SalesforceApiError } from '../core/types';

/** Index (0-based) of `token` as a whole word in `soql`, searching from `from`; -1 when absent. */
export function findToken(soql: string, token: string, from = 0): number {
  const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(^|[^A-Za-z0-9_.])(${escaped})(?![A-Za-z0-9_])`, 'gi');
  re.lastIndex = from;
  const m = re.exec(soql);
  return m ? m.index + (m[1]?.length ?? 0) : -1;
}

/** Builds the caret block Salesforce prefixes to positional errors. */
export function caretMessage(soql: string, index: number, text: string): string {
  if (index < 0) return text;
  const before = soql.slice(0, index);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = soql.indexOf('\n', index);
  const line = soql.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const column = index - lineStart + 1;
  return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${text}`;
}

export function malformedQuery(message: string): SalesforceApiError {
  return new SalesforceApiError('MALFORMED_QUERY', message);
}

/** A valid SOQL construct the emulator does not implement: refused rather than answered wrongly. */
export function unsupported(soql: string, construct: string, token?: string): SalesforceApiError {
  const text = `${construct} is not supported by the leadflow emulator`;
  return malformedQuery(token ? caretMessage(soql, findToken(soql, token), text) : text);
}

export function noSuchColumn(soql: string, token: string, entity: string): SalesforceApiError {
  return new SalesforceApiError(
    'INVALID_FIELD',
    caretMessage(
      soql,
      findToken(soql, token),
      `No such column '${token.split('.').pop()}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
    )
  );
}

export function unknownRelationship(
  soql: string,
  token: string,
  relationship: string,
  where: 'field path' | 'FROM part of query call'
): SalesforceApiError {
  return new SalesforceApiError(
    where === 'field path' ? 'INVALID_FIELD' : 'INVALID_TYPE',
    caretMessage(
      soql,
      findToken(soql, token),
      `Didn't understand relationship '${relationship}' in ${where}. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
    )
  );
}

export function unknownObject(soql: string, name: string): SalesforceApiError {
  return new SalesforceApiError(
    'INVALID_TYPE',
    caretMessage(
      soql,
      findToken(soql, name),
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
    )
  );
}

/** Wrong literal type for a field, e.g. `Name = 5` or `CreatedDate = 2024-01-01`. */
export function badFilterValue(soql: string, token: string, message: string): SalesforceApiError {
  return new SalesforceApiError(
    'INVALID_QUERY_FILTER_OPERATOR',
    caretMessage(soql, findToken(soql, token), message)
  );
}

export function invalidLocator(): SalesforceApiError {
  return new SalesforceApiError('INVALID_QUERY_LOCATOR', 'invalid query locator');
}
