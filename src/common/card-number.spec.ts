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
