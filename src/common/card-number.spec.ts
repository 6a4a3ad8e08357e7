import { containsCardNumber, luhnValid, maskCardNumbers } from './card-number';

describe('card numbers', () => {
  it('checks Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('finds a PAN inside text, also when typed with spaces or dashes', () => {
    expect(containsCardNumber('ACME 4111111111111111 LTD')).toBe(true);
    expect(containsCardNumber('ref 4111-1111-1111-1111')).toBe(true);
    expect(containsCardNumber('ref 4111 1111 1111 1111')).toBe(true);
  });

  it('finds Amex and 19-digit groupings', () => {
    expect(containsCardNumber('amex 3782 822463 10005')).toBe(true);
    expect(containsCardNumber('long 6011-0000-0000-0000-004')).toBe(
      containsCardNumber('6011000000000000004'),
    );
  });

  it('does not take identifiers with digit-only dash groups for card numbers', () => {
    // A UUID whose groups happen to be all digits: the 16 digits of "73819562-5037-4003" are Luhn-valid.
    expect(luhnValid('7381956250374003')).toBe(true);
    expect(containsCardNumber('txn-73819562-5037-4003-8abc-0123456789ab')).toBe(false);
    expect(containsCardNumber('id 12345678-1234-1234-1234-123456789012')).toBe(false);
    expect(containsCardNumber('2026-11-22T14:03:00+01:00')).toBe(false);
  });

  it('does not take a UUID whose middle groups read as a dashed 4-4-4-4 number for a card number', () => {
    // Dead-lettered in the ingest crash test: "8622-4327-9702-3286" is Luhn-valid and, followed by a
    // letter, matched the 4-4-4-4 grouping.
    const seen = 'txn-42d30afc-8622-4327-9702-3286ca8edd6f';
    expect(luhnValid('8622432797023286')).toBe(true);
    expect(containsCardNumber(seen)).toBe(false);
    expect(maskCardNumbers(`{"transactionId":"${seen}"}`)).toBe(`{"transactionId":"${seen}"}`);
    // Every UUID of that shape: 15 random digits, a Luhn check digit, random hex around them.
    const hex = (n: number) =>
      Array.from({ length: n }, () => 'abcdef'[Math.floor(Math.random() * 6)]).join('');
    for (let i = 0; i < 500; i++) {
      const body = Array.from({ length: 15 }, () => String(Math.floor(Math.random() * 10))).join('');
      const check = [...'0123456789'].find((d) => luhnValid(body + d))!;
      const d = body + check;
      const uuid = `${hex(8)}-${d.slice(0, 4)}-${d.slice(4, 8)}-${d.slice(8, 12)}-${d.slice(12)}${hex(8)}`;
      expect(containsCardNumber(`{"eventId":"evt-${uuid}","transactionId":"txn-${uuid}"}`)).toBe(false);
    }
  });

  it('still finds a dashed card number next to a UUID, or in a string that only looks like one', () => {
    expect(containsCardNumber('ref 4111-1111-1111-1111 id 42d30afc-8622-4327-9702-3286ca8edd6f')).toBe(true);
    expect(containsCardNumber('42d30afc-4111-1111-1111-1111')).toBe(true);
    expect(containsCardNumber('4111-1111-1111-1111ca8edd6f')).toBe(true);
  });

  it('ignores digit runs that are not Luhn-valid or have the wrong length', () => {
    expect(containsCardNumber('order 4111111111111112')).toBe(false);
    expect(containsCardNumber('txn 123456789012')).toBe(false);
    expect(containsCardNumber('12345678901234567890')).toBe(false);
  });

  it('masks all but the last four digits and keeps the rest of the text', () => {
    expect(maskCardNumbers('{"merchantName":"SHOP 4111111111111111"}')).toBe(
      '{"merchantName":"SHOP ************1111"}',
    );
    expect(maskCardNumbers('a 5500 0000 0000 0004 b')).toBe('a ************0004 b');
  });
});

describe('card numbers however written', () => {
  const fullwidth = (s: string) =>
    [...s].map((c) => (/\d/.test(c) ? String.fromCharCode(0xff10 + Number(c)) : c)).join('');
  it.each([
    [
      'JSON escapes',
      '"\\u0034\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031\\u0031"',
    ],
    ['fullwidth digits', fullwidth('4111 1111 1111 1111')],
    ['Arabic-Indic digits', '٤١١١١١١١١١١١١١١١'],
    ['zero-width characters between digits', [...'4111111111111111'].join('\u200b')],
    ['mixed and odd separators', '4111 1111-1111.1111'],
    ['no-break spaces', '4111\u00a01111\u00a01111\u00a01111'],
    ['every digit apart', [...'4111111111111111'].join(' ')],
    ['a digit group after it', 'SHOP 4111111111111111 1'],
    ['grouped with a trailing group', 'ref 4111 1111 1111 1111 9'],
  ])('finds a PAN written with %s', (_, text) => {
    expect(containsCardNumber(text)).toBe(true);
    expect(containsCardNumber(maskCardNumbers(text))).toBe(false);
    expect(maskCardNumbers(text)).toContain('1111');
  });

  it('keeps the text as written when the PAN is plain, and returns the decoded form otherwise', () => {
    expect(maskCardNumbers('a 4111-1111 1111.1111 b')).toBe('a ************1111 b');
    expect(maskCardNumbers(fullwidth('x 4111111111111111'))).toBe('x ************1111');
    expect(maskCardNumbers('no card here: ９９')).toBe('no card here: ９９');
  });
});
