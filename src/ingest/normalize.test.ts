import {
  companyKey,
  normaliseCountry,
  normaliseEmail,
  normalisePhone,
  normaliseText,
  normaliseWebsite,
  personKey,
  splitFullName
} from './normalize';

describe('normaliseText', () => {
  it.each([
    ['  Ștefan  ', 'Ștefan'],
    // s + combining comma below (U+0326) composes to the precomposed Romanian letter U+0219
    ['S\u0326tefan Ț\u0326', 'Ștefan Ț\u0326'.normalize('NFC')],
    ['s\u0326', '\u0219'],
    ['Ioana\u00A0Popescu', 'Ioana Popescu'],
    ['محمد رضایی', 'محمد رضایی'],
    ['Дмитрий  Иванов', 'Дмитрий Иванов'],
    ['João Conceição', 'João Conceição'],
    ['山田太郎', '山田太郎']
  ])('should keep the script and compose %j to %j', (raw, expected) => {
    expect(normaliseText(raw)).toBe(expected);
  });
});

describe('splitFullName', () => {
  it.each([
    ['Ana Maria Ionescu', 'Ana Maria', 'Ionescu'],
    ['Ionescu, Ana', 'Ana', 'Ionescu'],
    ['Ludwig van Beethoven', 'Ludwig', 'van Beethoven'],
    ['Maria da Silva', 'Maria', 'da Silva'],
    ['Сергей Петров', 'Сергей', 'Петров'],
    ['علی رضایی', 'علی', 'رضایی'],
    ['山田太郎', null, '山田太郎'],
    ['Madonna', null, 'Madonna']
  ])('should split %j into first %j and last %j', (full, first, last) => {
    expect(splitFullName(full)).toEqual({ firstName: first, lastName: last });
  });
});

describe('normaliseEmail', () => {
  it.each([
    ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['mailto:bob@acme.io', 'bob@acme.io']
  ])('should lower-case %j', (raw, expected) => {
    expect(normaliseEmail(raw)).toEqual({ ok: true, value: expected });
  });
  it.each(['jane.doe', 'jane@', '@example.com', 'jane doe@example.com', 'jane@example'])(
    'should reject %j',
    (raw) => {
      expect(normaliseEmail(raw)).toEqual({ ok: false, reason: 'not a valid email address' });
    }
  );
});

describe('normalisePhone', () => {
  it.each([
    ['0722 123 456', 'RO', '+40722123456'],
    ['(415) 555-2671', 'US', '+14155552671'],
    ['+44 20 7946 0958', null, '+442079460958'],
    ['030 12345678', 'DE', '+493012345678'],
    ['8 (912) 345-67-89', 'RU', '+79123456789'],
    ['(11) 91234-5678', 'BR', '+5511912345678']
  ])('should format %j in %s as %s', (raw, country, expected) => {
    expect(normalisePhone(raw, country)).toEqual({ ok: true, value: expected });
  });
  it('should explain a national number without a country', () => {
    expect(normalisePhone('0722 123 456', null)).toMatchObject({ ok: false, reason: expect.stringContaining('without a country') });
  });
  it('should reject an impossible number', () => {
    expect(normalisePhone('123', 'US')).toMatchObject({ ok: false });
  });
});

describe('normaliseCountry', () => {
  it.each([
    ['de', 'DE'],
    ['DEU', 'DE'],
    ['Germany', 'DE'],
    ['Deutschland', 'DE'],
    ['United States', 'US'],
    ['USA', 'US'],
    ['U.S.A.', 'US'],
    ['UK', 'GB'],
    ['România', 'RO'],
    ['Россия', 'RU'],
    ['ایران', 'IR'],
    ['Brasil', 'BR'],
    ['Portugal', 'PT']
  ])('should map %j to %s', (raw, code) => {
    expect(normaliseCountry(raw)).toEqual({ ok: true, value: code });
  });
  it.each(['Atlantis', 'XX'])('should reject %j', (raw) => {
    expect(normaliseCountry(raw).ok).toBe(false);
  });
});

describe('normaliseWebsite', () => {
  it.each([
    ['https://www.shop.example.co.uk/about', 'example.co.uk'],
    ['WWW.Acme.com', 'acme.com'],
    ['http://blog.firma.ro', 'firma.ro'],
    ['acme.com.br', 'acme.com.br']
  ])('should reduce %j to %s', (raw, domain) => {
    expect(normaliseWebsite(raw)).toEqual({ ok: true, value: domain });
  });
  it.each(['not a website', 'localhost'])('should reject %j', (raw) => {
    expect(normaliseWebsite(raw).ok).toBe(false);
  });
});

describe('match keys', () => {
  it('should ignore legal forms and punctuation in company names', () => {
    expect(companyKey('ACME, Inc.')).toBe(companyKey('Acme'));
    expect(companyKey('Firma S.R.L.')).toBe(companyKey('firma'));
  });
  it('should ignore diacritics and case in person names', () => {
    expect(personKey('Ștefan', 'Popescu')).toBe(personKey('stefan', 'POPESCU'));
    expect(personKey('Дмитрий', 'Иванов')).toBe(personKey('дмитрий', 'иванов'));
  });
});
