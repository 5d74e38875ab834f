import { decodeDateLiteral, decodeDateTimeLiteral, decodeStringLiteral } from './literals';

describe('decodeStringLiteral', () => {
  it.each([
    ['plain', "'abc'", false, 'abc'],
    ['escaped quote', "'O\\'Brien'", false, "O'Brien"],
    ['escaped double quote', '\'say \\"hi\\"\'', false, 'say "hi"'],
    ['escaped backslash', "'C:\\\\dir'", false, 'C:\\dir'],
    ['newline, tab, return', "'a\\nb\\tc\\rd'", false, 'a\nb\tc\rd'],
    ['unicode escape', "'caf\\u00e9'", false, 'café'],
    ['\\% and \\_ outside LIKE are plain', "'50\\%_off\\_'", false, '50%_off_'],
    ['\\% and \\_ in LIKE stay escaped', "'50\\%\\_'", true, '50\\%\\_'],
    ['backslash in LIKE is re-escaped', "'C:\\\\%'", true, 'C:\\\\%'],
    ['wildcards in LIKE pass through', "'a%b_c'", true, 'a%b_c']
  ])('should decode %s', (_name, raw, forLike, expected) => {
    expect(decodeStringLiteral(raw, forLike)).toBe(expected);
  });

  it('should refuse an unknown escape', () => {
    expect(decodeStringLiteral("'bad\\q'", false)).toBeNull();
  });
});

describe('date and datetime literals', () => {
  it.each([
    ['2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T00:00:00.123Z', '2024-01-01T00:00:00.123Z'],
    ['2024-01-01T02:00:00+02:00', '2024-01-01T00:00:00.000Z'],
    ['2024-01-01T00:00:00-0530', '2024-01-01T05:30:00.000Z'],
    ['2024-01-01', null],
    ['2024-13-01T00:00:00Z', null]
  ])('should normalise datetime %s', (raw, expected) => {
    expect(decodeDateTimeLiteral(raw)).toBe(expected);
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2023-02-29', null],
    ['2024-01-01T00:00:00Z', null]
  ])('should validate date %s', (raw, expected) => {
    expect(decodeDateLiteral(raw)).toBe(expected);
  });
});
