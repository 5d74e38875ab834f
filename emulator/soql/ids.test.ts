import { toId18 } from './ids';

describe('toId18', () => {
  it.each([
    ['a 15-char id gets its case-safe suffix', '001000000000001', '001000000000001AAA'],
    ['upper-case letters set suffix bits', '00Q000000000001', '00Q000000000001EAA'],
    ['an 18-char id is kept', '00Q000000000001EAA', '00Q000000000001EAA'],
    [
      'an all-lower-case 18-char id has its case restored from the suffix',
      '00q000000000001eaa',
      '00Q000000000001EAA'
    ],
    ['mixed case 15-char id', 'a01AbCdEfGhIjKl', 'a01AbCdEfGhIjKlIVK'],
    ['too short', '00Q123', null],
    ['bad characters', "00Q00000000000'", null]
  ])('should handle %s', (_name, input, expected) => {
    expect(toId18(input)).toBe(expected);
  });
});
