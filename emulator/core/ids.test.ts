import { customKeyPrefix, fixedId, hasCanonicalSuffix, isValidIdFormat, keyPrefixOf, newId, to18 } from './ids';

describe('ids', () => {
  it.each([
    ['001A0000006Vm9r', '001A0000006Vm9rIAC'],
    ['005000000000001', '005000000000001AAA'],
    ['00Q000000000001', '00Q000000000001EAA'],
    ['a0Xb0000000aBcD', 'a0Xb0000000aBcDEAU']
  ])('should append the case-safe suffix when converting %s to 18 chars', (id15, id18) => {
    expect(to18(id15)).toBe(id18);
    expect(hasCanonicalSuffix(id18)).toBe(true);
  });

  it('should keep an 18-char id unchanged, even the team org id with its non-canonical suffix', () => {
    expect(to18('00D000000000001AAA')).toBe('00D000000000001AAA');
    expect(isValidIdFormat('00D000000000001AAA')).toBe(true);
    expect(hasCanonicalSuffix('00D000000000001AAA')).toBe(false);
  });

  it.each([['abc'], ['00Q00000000000!'], ['00Q0000000000012345'], [42], [null]])('should reject %p as an id', (value) => {
    expect(isValidIdFormat(value)).toBe(false);
  });

  it('should throw when asked to convert a malformed id', () => {
    expect(() => to18('nope')).toThrow('Malformed Salesforce id: nope');
  });

  it('should make unique, increasing 18-char ids with the key prefix', () => {
    const ids = Array.from({ length: 2000 }, () => newId('00Q'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^00Q[0-9A-Za-z]{15}$/);
      expect(hasCanonicalSuffix(id)).toBe(true);
    }
    const bodies = ids.map((id) => id.slice(3, 15));
    expect([...bodies].sort()).toEqual(bodies);
  });

  it('should build fixed seed ids like the admin user id', () => {
    expect(fixedId('005', 1)).toBe('005000000000001AAA');
    expect(keyPrefixOf(fixedId('01J', 3))).toBe('01J');
  });

  it('should give custom objects a stable a.. prefix and metadata types an m0 prefix, skipping taken ones', () => {
    const first = customKeyPrefix('Funnel_Stage_Change__c', new Set());
    expect(first).toMatch(/^a[0-9A-Za-z]{2}$/);
    expect(customKeyPrefix('Funnel_Stage_Change__c', new Set())).toBe(first);
    expect(customKeyPrefix('Funnel_Stage_Change__c', new Set([first]))).not.toBe(first);
    expect(customKeyPrefix('Scoring_Threshold__mdt', new Set())).toMatch(/^m0[0-9A-Za-z]$/);
  });
});
