import { parseTransactionEvent } from './transaction-event.schema';

const validEvent = {
  eventId: 'evt-1',
  transactionId: 'txn-1',
  cardholderId: 'ch-1',
  cardId: 'card-tok-1',
  cardLast4: '1234',
  amountMinor: 1250,
  currency: 'EUR',
  merchantName: 'ACME STORE',
  merchantCity: 'Berlin',
  channel: 'POS',
  authorisedAt: '2026-11-22T14:03:00+01:00',
};
const parse = (v: unknown) =>
  parseTransactionEvent(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

describe('parseTransactionEvent', () => {
  it('accepts a valid event and ignores unknown fields', () => {
    const outcome = parse({ ...validEvent, somethingNew: true });
    expect(outcome).toEqual({ ok: true, event: validEvent });
  });

  it('rejects text that is not JSON', () => {
    expect(parse('{"eventId": ')).toMatchObject({ ok: false, code: 'INVALID_JSON' });
  });

  it('names a missing field', () => {
    const { merchantName: _, ...rest } = validEvent;
    expect(parse(rest)).toEqual({ ok: false, code: 'MISSING_FIELD', detail: 'merchantName: is required' });
  });

  it('names a field of the wrong type or breaking a rule', () => {
    expect(parse({ ...validEvent, amountMinor: '12.50' })).toMatchObject({
      ok: false,
      code: 'INVALID_FIELD',
      detail: expect.stringContaining('amountMinor'),
    });
    expect(parse({ ...validEvent, cardLast4: '12345' })).toMatchObject({
      code: 'INVALID_FIELD',
      detail: 'cardLast4: must be exactly 4 digits',
    });
    expect(parse({ ...validEvent, currency: 'XYZ' })).toMatchObject({ code: 'INVALID_FIELD' });
    expect(parse({ ...validEvent, authorisedAt: '2026-11-22T14:03:00' })).toMatchObject({
      code: 'INVALID_FIELD',
    });
    expect(parse({ ...validEvent, channel: 'PIGEON' })).toMatchObject({ code: 'INVALID_FIELD' });
  });

  it('rejects a full card number anywhere in the value', () => {
    expect(parse({ ...validEvent, merchantName: 'SHOP 4111111111111111' })).toMatchObject({
      ok: false,
      code: 'CARD_NUMBER_DETECTED',
    });
    expect(parse({ ...validEvent, extra: { pan: '5500000000000004' } })).toMatchObject({
      code: 'CARD_NUMBER_DETECTED',
    });
  });

  it('rejects JSON that is not an object', () => {
    expect(parse('[1,2]')).toMatchObject({ code: 'NOT_AN_OBJECT' });
    expect(parse('null')).toMatchObject({ code: 'NOT_AN_OBJECT' });
  });

  it('refuses text PostgreSQL cannot store or would change, naming the field', () => {
    expect(
      parse('{"merchantName":"NUL\\u0000"}'.replace('{', `{${JSON.stringify(validEvent).slice(1, -1)},`)),
    ).toEqual({
      ok: false,
      code: 'NUL_CHARACTER',
      detail: 'merchantName: contains U+0000 (NUL), which PostgreSQL cannot store',
    });
    expect(parse({ ...validEvent, merchantCity: 'x\ud800' })).toMatchObject({
      code: 'LONE_SURROGATE',
      detail: expect.stringMatching(/^merchantCity/),
    });
    expect(parse({ ...validEvent, merchantName: 'SHOP\nCALL +44 000' })).toMatchObject({
      code: 'CONTROL_CHARACTER',
    });
    expect(parse({ ...validEvent, merchantName: 'CAFÉ 😀 北京 مقهى' })).toMatchObject({ ok: true });
  });

  it('finds a card number in decoded form, in keys and in numbers', () => {
    const raw = JSON.stringify(validEvent);
    expect(parse(raw.replace('"ACME STORE"', '"\\u0034111111111111111"'))).toMatchObject({
      code: 'CARD_NUMBER_DETECTED',
    });
    expect(parse({ ...validEvent, '4111 1111 1111 1111': true })).toMatchObject({
      code: 'CARD_NUMBER_DETECTED',
    });
    expect(parse(raw.replace('"amountMinor":1250', '"amountMinor":4.111111111111111e15'))).toMatchObject({
      code: 'CARD_NUMBER_DETECTED',
      detail: 'amountMinor: contains a full card number',
    });
  });

  it('refuses values too large or nested too deep before walking them', () => {
    expect(parse({ ...validEvent, blob: 'x'.repeat(70_000) })).toMatchObject({ code: 'TOO_LARGE' });
    const deep = `${JSON.stringify(validEvent).slice(0, -1)},"n":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expect(parse(deep)).toMatchObject({ code: 'TOO_DEEP' });
  });
});
