import { emailDomain, normaliseCompanyName, websiteDomain } from './matching-keys';

describe('matching keys', () => {
  it.each([
    ['https://www.acme.com/pricing', 'acme.com'],
    ['shop.acme.co.uk', 'acme.co.uk'],
    ['HTTP://WWW.GLOBEX.DE', 'globex.de'],
    ['', null],
    [null, null]
  ])('should take the registrable domain of website %j', (input, expected) => {
    expect(websiteDomain(input)).toBe(expected);
  });

  it.each([
    ['jane@sales.acme.com', 'acme.com'],
    ['someone@gmail.com', null],
    ['x@yandex.ru', null],
    ['no-at-sign', null]
  ])('should use email domain of %j unless it is personal', (input, expected) => {
    expect(emailDomain(input)).toBe(expected);
  });

  it('should treat configured extra domains as personal', () => {
    expect(emailDomain('a@corp-mail.example', ['corp-mail.example'])).toBeNull();
  });

  it.each([
    ['Acme, Inc.', 'acme'],
    ['ACME Inc', 'acme'],
    ['Globex GmbH', 'globex'],
    ['Société Générale S.A.', 'société générale'],
    ['株式会社トヨタ', 'トヨタ'],
    ['ООО Ромашка', 'ромашка'],
    ['Ромашка ООО', 'ромашка'],
    ['Inc', 'inc'],
    ['  ', null]
  ])('should normalise company %j to %j', (input, expected) => {
    expect(normaliseCompanyName(input)).toBe(expected);
  });
});
