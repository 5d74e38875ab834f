/** Parsing with @jetstreamapp/soql-parser-js, mapping its syntax errors to Salesforce's MALFORMED_QUERY. */
import { parseQuery, type Query } from '@jetstreamapp/soql-parser-js';
import { caretMessage, findToken, malformedQuery } from './errors';

export function parseSoql(soql: string): Query {
  if (!soql.trim()) throw malformedQuery('A SOQL query is required (empty q parameter)');
  try {
    return parseQuery(soql);
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    // Chevrotain: "... but found --> 'Lead' <--" or "... but found: ':'"
    const found = /but found(?: -->|:) '([^']*)'/.exec(text)?.[1];
    if (found === undefined) throw malformedQuery(`unexpected token in query: ${text.split('\n')[0]}`);
    if (found === '') return endOfInput(soql);
    throw malformedQuery(caretMessage(soql, findUnexpected(soql, found), `unexpected token: '${found}'`));
  }
}

function endOfInput(soql: string): never {
  throw malformedQuery(caretMessage(soql, soql.trimEnd().length, "unexpected token: '<EOF>'"));
}

/** Position of the unexpected token: the last whole-word match is the most likely culprit after a keyword typo. */
function findUnexpected(soql: string, token: string): number {
  if (/^\W+$/.test(token)) return soql.indexOf(token);
  let at = findToken(soql, token);
  for (let next = at; next !== -1; next = findToken(soql, token, next + 1)) at = next;
  return at;
}
