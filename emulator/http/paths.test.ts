import { classifyPath, normalizeRequestUrl } from './paths';
import { unsupportedMessageFor } from './rest-resources';

describe('normalizeRequestUrl', () => {
  it.each([
    ['//services/data', '/services/data'],
    ['/services/data/', '/services/data'],
    ['/services/data', '/services/data'],
    ['//services//data//v62.0//sobjects/Lead/', '/services/data/v62.0/sobjects/Lead'],
    [
      '/services/data/v62.0/sobjects/Lead/updated/?start=a&end=b',
      '/services/data/v62.0/sobjects/Lead/updated?start=a&end=b'
    ],
    ['/', '/'],
    ['//', '/']
  ])('should turn %s into %s', (input, expected) => {
    expect(normalizeRequestUrl(input)).toBe(expected);
  });

  it('should leave the query string as sent when it contains slashes', () => {
    const url = "//services/data/v62.0/query?q=SELECT+Id+FROM+Account+WHERE+Website='http://x.test//a/'";
    expect(normalizeRequestUrl(url)).toBe(
      "/services/data/v62.0/query?q=SELECT+Id+FROM+Account+WHERE+Website='http://x.test//a/'"
    );
  });

  it('should classify a normalised sf CLI path as a REST call', () => {
    expect(classifyPath(normalizeRequestUrl('//services/data/v62.0/limits'))).toMatchObject({
      kind: 'rest',
      apiVersion: '62.0',
      apiPath: '/limits'
    });
    expect(classifyPath(normalizeRequestUrl('//services/data/')).kind).toBe('versions');
  });
});

describe('unsupportedMessageFor', () => {
  it.each([
    ['/services/data/v62.0/tooling/query?q=SELECT+Id+FROM+ApexClass', 'the Tooling API'],
    ['/services/data/v62.0/search?q=FIND+%7Bx%7D', 'SOSL search'],
    ['/services/data/v62.0/chatter/feeds', 'Chatter'],
    ['/services/async/62.0/job', 'Bulk API 1.0']
  ])('should name the resource of %s', (url, label) => {
    const message = unsupportedMessageFor(url);
    expect(message).toContain(label);
    expect(message).toMatch(/^The requested resource does not exist: the local org .* does not support/);
    expect(message).not.toContain('?q=');
  });

  it('should return null for paths that are not Salesforce resources', () => {
    expect(unsupportedMessageFor('/services/data/v62.0/no/such/thing')).toBeNull();
    expect(unsupportedMessageFor('/favicon.ico')).toBeNull();
  });
});
