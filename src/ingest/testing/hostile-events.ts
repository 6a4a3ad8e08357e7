import fc from 'fast-check';

// Generators for hostile transaction events: a PAN in every field and encoding, odd Unicode, NULs, huge
// fields, deep nesting, wrong types. Shared by the unit properties and `npm run fuzz`.

/** Runs per property: FUZZ_RUNS (npm run fuzz), else 300. A fixed seed on CI, so a failure reproduces. */
export function configureFuzz(): number {
  const numRuns = Number(process.env.FUZZ_RUNS ?? 300);
  fc.configureGlobal({ numRuns, ...(process.env.CI === 'true' ? { seed: 20261201 } : {}) });
  return numRuns;
}

export const baseEvent = () => ({
  eventId: 'evt-1',
  transactionId: `txn-${Math.random().toString(36).slice(2)}`,
  cardholderId: 'ch-1',
  cardId: 'card-tok-1',
  cardLast4: '4242',
  amountMinor: 1250,
  currency: 'EUR',
  merchantName: 'ACME STORE',
  merchantCity: 'Berlin',
  channel: 'POS',
  authorisedAt: '2026-11-22T14:03:00+01:00',
});

function luhnDigit(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) d *= 2;
    sum += d > 9 ? d - 9 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A Luhn-valid PAN of 13-19 digits (the oracle looks for exactly these digits in every output). */
export const panArb = fc
  .integer({ min: 13, max: 19 })
  .chain((len) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: len - 2, maxLength: len - 2 }))
  .map((ds) => {
    const body = `4${ds.join('')}`;
    return body + luhnDigit(body);
  });

// Zero code points of decimal digit scripts (fullwidth, Arabic-Indic, Devanagari, Bengali, Thai, mathematical
// bold, Myanmar, N'Ko): a digit d of script z is String.fromCodePoint(z + d).
export const DIGIT_ZEROS = [0x30, 0xff10, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50, 0x1d7ce, 0x1040, 0x7c0];
const SEPARATORS = [' ', '-', '.', '/', ' - ', '\u00a0', '\u2007', '\u3000', '\u2013', '\u2212', '_', ', '];
const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u0301', '\u202e'];

export interface EncodedPan {
  pan: string;
  /** As the string value should read after JSON decoding. */
  text: string;
  /** Digits written as JSON \u escapes in the raw value. */
  jsonEscape: boolean;
}

const grouped = (digits: string[], sep: () => string, shape: number[]): string => {
  let out = '';
  let at = 0;
  for (const [i, n] of shape.entries()) {
    out += (i > 0 ? sep() : '') + digits.slice(at, at + n).join('');
    at += n;
  }
  return out;
};

const shapeFor = (len: number): number[] => {
  const shape: number[] = [];
  for (let left = len; left > 0; left -= 4) shape.push(Math.min(4, left));
  return shape;
};

export const encodedPanArb: fc.Arbitrary<EncodedPan> = fc
  .record({
    pan: panArb,
    zero: fc.constantFrom(...DIGIT_ZEROS),
    layout: fc.constantFrom('run', 'grouped', 'each', 'mixed'),
    sepIndex: fc.array(fc.nat(SEPARATORS.length - 1), { minLength: 19, maxLength: 19 }),
    invisible: fc.option(fc.constantFrom(...INVISIBLES)),
    jsonEscape: fc.boolean(),
  })
  .map(({ pan, zero, layout, sepIndex, invisible, jsonEscape }) => {
    let k = 0;
    const sep = () => SEPARATORS[layout === 'mixed' ? sepIndex[k++ % 19] : sepIndex[0]];
    const digits = [...pan].map((d) => String.fromCodePoint(zero + Number(d)) + (invisible ?? ''));
    const text =
      layout === 'run'
        ? digits.join('')
        : layout === 'each'
          ? digits.join(sep())
          : grouped(digits, sep, pan.length === 15 ? [4, 6, 5] : shapeFor(pan.length));
    return { pan, text, jsonEscape };
  });

/** Where the PAN goes: a contract field, an unknown field, a key, deep inside, or a number. */
export const PLACES = [
  'merchantName',
  'merchantCity',
  'eventId',
  'cardId',
  'extra',
  'key',
  'deep',
  'number',
] as const;
export type Place = (typeof PLACES)[number];

const escapeAll = (s: string) =>
  [...s].map((c) => (c.length === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');

/** The raw Kafka value carrying `enc` at `place` (JSON escapes written into the raw text when asked). */
export function eventWithPan(enc: EncodedPan, place: Place, wrap: string): string {
  const event: Record<string, unknown> = baseEvent();
  const marker = '@@PAN@@';
  const inText = wrap.replace('%', marker).slice(0, 60);
  // Only a PAN a double holds exactly (up to 2^53) survives as a JSON number.
  if (place === 'number' && Number.isSafeInteger(Number(enc.pan))) {
    // Only a plain run can be a JSON number; written with an exponent it escapes a raw-text search.
    return JSON.stringify({ ...event, extra: 0 }).replace(
      '"extra":0',
      `"extra":${enc.pan[0]}.${enc.pan.slice(1)}e${enc.pan.length - 1}`,
    );
  }
  if (place === 'key') event[inText] = 1;
  else if (place === 'number') event.extra = inText;
  else if (place === 'deep') event.extra = { a: [{ b: { c: inText } }] };
  else event[place] = inText;
  const raw = JSON.stringify(event);
  const written = enc.jsonEscape ? escapeAll(enc.text) : JSON.stringify(enc.text).slice(1, -1);
  return raw.replace(marker, written);
}

/** Strings from every corner of Unicode: lone surrogates, NUL, controls, format characters, astral. */
export const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u001b', '\n', '\u200b', '\u202e', 'a', '4', ' '),
    maxLength: 30,
  }),
  fc.constant('x'.repeat(100_000)),
  fc.constant(''),
);

const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);

export const FIELDS = Object.keys(baseEvent());

/** Text around a PAN: no digits next to it (a PAN glued to other digits is a longer number, not a PAN). */
export const wrapArb = fc.constantFrom(
  '%',
  'SHOP % LTD',
  'ref:%',
  'x % y',
  '% / refund',
  'Ω%Ω',
  '商户%',
  '(%)',
);

/** A raw value: a valid event with some fields replaced by odd strings or wrong types, or deep nesting, or junk. */
export const hostileValueArb: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      changes: fc.array(
        fc.tuple(fc.constantFrom(...FIELDS, 'unknownField'), fc.oneof(oddString, wrongType)),
        { maxLength: 4 },
      ),
      drop: fc.subarray(FIELDS, { maxLength: 2 }),
    })
    .map(({ changes, drop }) => {
      const event: Record<string, unknown> = baseEvent();
      for (const [k, v] of changes) event[k] = v;
      for (const k of drop) delete event[k];
      return JSON.stringify(event);
    }),
  fc.integer({ min: 1, max: 5000 }).map((depth) => {
    const event = JSON.stringify(baseEvent());
    return `${event.slice(0, -1)},"nested":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
);
