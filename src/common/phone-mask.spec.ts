import fc from 'fast-check';
import { maskPhone, scrubPhoneNumbers } from './phone-mask';

describe('maskPhone', () => {
  it('keeps country code and last three digits', () => {
    expect(maskPhone('+447911123456')).toBe('+44*******456');
    expect(maskPhone('+8613800138000')).toBe('+86********000');
  });
  it('hides short values entirely and passes null through', () => {
    expect(maskPhone('+1234')).toBe('*****');
    expect(maskPhone(null)).toBeNull();
  });
});

/** Every window of 7 consecutive digits of `digits` that survives in `text`, separators ignored. */
const joinGroups = (text: string) => text.replace(/(?<=[\d*])[ ().-]+(?=[\d*])/g, '');

function survivingWindows(text: string, digits: string): string[] {
  const joined = joinGroups(text);
  const windows: string[] = [];
  for (let i = 0; i + 7 <= digits.length; i++) {
    if (joined.includes(digits.slice(i, i + 7))) windows.push(digits.slice(i, i + 7));
  }
  return windows;
}

// A national or international number written the ways vendors and people write them.
const phone = fc
  .record({
    country: fc.constantFrom('1', '44', '86', '353', '49'),
    national: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 11 }),
    style: fc.constantFrom('e164', 'digits', 'spaced', 'dashed', 'dotted', 'bracketed', 'national', 'url'),
  })
  .filter(({ country, national }) => country.length + national.length <= 15 && /^[1-9]/.test(national))
  .map(({ country, national, style }) => {
    const digits = country + national;
    const [a, b, c] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
    const written: Record<string, string> = {
      e164: `+${digits}`,
      digits,
      spaced: `+${country} ${a} ${b} ${c}`.trim(),
      dashed: `${country}-${a}-${b}-${c}`.replace(/-$/, ''),
      dotted: `${a}.${b}.${c}`.replace(/\.$/, ''),
      bracketed: `+${country} (${a}) ${b}-${c}`.replace(/-$/, ''),
      national: `0${national}`,
      url: `To=%2B${digits}`,
    };
    return { text: written[style], digits: style === 'dotted' || style === 'national' ? national : digits };
  })
  .filter(({ digits }) => digits.length >= 7);

// Provider texts around the number, with no digits of their own next to it.
const template = fc.constantFrom(
  (n: string) => `The 'To' number ${n} is not a valid phone number.`,
  (n: string) =>
    `The 'To' phone number: ${n}, is not currently reachable using the 'From' phone number: +15005550006 via SMS.`,
  (n: string) => `To number: ${n}, is not a mobile number`,
  (n: string) => `{"to":"${n}","status":"6","error-text":"Unroutable message - rejected"}`,
  (n: string) => `Invalid destination address ${n}`,
  (n: string) => `Error: failed\n    at send (${n})`,
  (n: string) => `${n}`,
);

describe('scrubPhoneNumbers', () => {
  it('masks the numbers in real provider texts and keeps the last three digits', () => {
    expect(scrubPhoneNumbers("The 'To' number +15005550001 is not a valid phone number.")).toBe(
      "The 'To' number +********001 is not a valid phone number.",
    );
    expect(
      scrubPhoneNumbers(
        "The 'To' phone number: +447400123456, is not currently reachable using the 'From' phone number: +15005550006 via SMS.",
      ),
    ).toBe(
      "The 'To' phone number: +*********456, is not currently reachable using the 'From' phone number: +********006 via SMS.",
    );
    expect(scrubPhoneNumbers('call +1 (500) 555-0001 or 07400 123456')).toBe(
      'call +* (***) ***-*001 or ***** ***456',
    );
    expect(scrubPhoneNumbers('GET /Messages.json?To=%2B447400123456&PageSize=50')).toBe(
      'GET /Messages.json?To=%2B*********456&PageSize=50',
    );
    expect(scrubPhoneNumbers('"msisdn":"447400123456"')).toBe('"msisdn":"*********456"');
    expect(scrubPhoneNumbers('line one\\n447400123456')).toBe('line one\\n*********456');
  });

  it('leaves codes, ids, times, dates, addresses and amounts alone', () => {
    const untouched = [
      'twilio 21211: see https://www.twilio.com/docs/errors/21211 (HTTP 400)',
      'SM0123456789abcdef0123456789abcdef accepted; vonage 0C000000217B7F02; smpp ESME_RINVDSTADR',
      'deadline 2026-12-01T20:07:40.123Z passed; last error 30003',
      'at 2026-12-01 20:07:40, on 01.12.2026, from 192.168.100.200:5432',
      'remaining-balance 15.53590000, price 0.03330000, network 23410, amountMinor 1999',
      'txn-12345678 card-1234567 id 7f9c2ba4-1234-5678-9abc-123456789012',
      'card ending 4242 was used for EUR 42.50 at CAFE, Paris',
      '4111111111111111 is the card masker’s, not a phone number',
    ];
    for (const text of untouched) expect(scrubPhoneNumbers(text)).toBe(text);
  });

  it('splits runs longer than a phone number at spaces, and masks the numbers in them', () => {
    expect(scrubPhoneNumbers('on 2026-12-01 447400123456')).toBe('on 2026-12-01 *********456');
    expect(scrubPhoneNumbers('+447400123456 2026')).toBe('+*********456 2026');
    expect(scrubPhoneNumbers('numbers 447400123456 447400123457')).toBe('numbers *********456 *********457');
  });

  it('property: no 7 consecutive digits of a quoted number survive, in any formatting', () => {
    fc.assert(
      fc.property(phone, template, ({ text, digits }, wrap) => {
        const out = scrubPhoneNumbers(wrap(text));
        expect(survivingWindows(out, digits)).toEqual([]);
        expect(joinGroups(out)).toContain(`***${digits.slice(-3)}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: only digits change, each to "*", and scrubbing twice changes nothing more', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789 +-.()%2Bab_\\n:'), maxLength: 80 }),
        (text) => {
          const out = scrubPhoneNumbers(text);
          expect(out).toHaveLength(text.length);
          for (let i = 0; i < text.length; i++) {
            if (out[i] !== text[i]) expect([/\d/.test(text[i]), out[i]]).toEqual([true, '*']);
          }
          expect(scrubPhoneNumbers(out)).toBe(out);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: UUIDs, ISO times and Twilio SIDs are never changed', () => {
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
    const iso = fc
      .integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(fc.uuid(), iso, hex, (uuid, time, sid) => {
        const text = `alert ${uuid} at ${time} as SM${sid}`;
        expect(scrubPhoneNumbers(text)).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });
});
