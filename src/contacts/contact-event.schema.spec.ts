import { parseContactMessage } from './contact-event.schema';

const contact = {
  cardholderId: 'ch-1',
  phoneNumber: '+447911123456',
  smsAlerts: true,
  locale: 'en-GB',
  version: 3,
};
const message = (value: string | null, key = 'ch-1') => ({
  key: Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
});

describe('parseContactMessage with hostile input', () => {
  it('projects a valid upsert and a tombstone', () => {
    expect(parseContactMessage(message(JSON.stringify(contact)))).toMatchObject({
      ok: true,
      upsert: { version: 3 },
    });
    expect(parseContactMessage(message(null))).toEqual({ ok: true, tombstone: 'ch-1' });
  });

  it('refuses what PostgreSQL cannot store, in the value and in a tombstone key', () => {
    const nul = JSON.stringify(contact).replace('"ch-1"', '"ch-\\u0000"');
    expect(parseContactMessage(message(nul))).toMatchObject({ ok: false, code: 'NUL_CHARACTER' });
    expect(parseContactMessage(message(null, 'ch-\u0000'))).toMatchObject({
      ok: false,
      code: 'NUL_CHARACTER',
    });
    // Bytes cannot carry a lone surrogate (they decode to U+FFFD); a JSON escape can.
    const surrogate = JSON.stringify(contact).replace('"ch-1"', '"ch-\\ud800"');
    expect(parseContactMessage(message(surrogate))).toMatchObject({ ok: false, code: 'LONE_SURROGATE' });
    expect(parseContactMessage(message(null, 'x'.repeat(65)))).toMatchObject({
      ok: false,
      code: 'INVALID_FIELD',
    });
    expect(parseContactMessage(message('x'.repeat(20_000)))).toMatchObject({ ok: false, code: 'TOO_LARGE' });
  });
});
