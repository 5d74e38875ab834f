import { classifyResolveInput } from './resolve';

describe('classifyResolveInput', () => {
  it.each([
    ['00Q000000000001', 'leadId'],
    ['00Q000000000001AAA', 'leadId'],
    ['003000000000001AAA', 'contactId'],
    ['ana.pop@firma.ro', 'email'],
    ['hubspot:1201', 'externalId'],
    ['00Q-not-an-id', 'externalId'],
    ["o'brien@example.com", 'email']
  ])('should read %s as %s', (input, kind) => {
    expect(classifyResolveInput(input)).toBe(kind);
  });
});
