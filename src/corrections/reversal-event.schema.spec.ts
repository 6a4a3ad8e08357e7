import fc from 'fast-check';
import { KafkaMessage } from 'kafkajs';
import { containsCardNumber } from '../common/card-number';
import { deadLetterRecord } from '../kafka/dead-letter.record';
import { configureFuzz, encodedPanArb, oddString, wrapArb } from '../ingest/testing/hostile-events';
import { parseReversalEvent } from './reversal-event.schema';
import { baseReversal } from './testing/reversal-events';

const numRuns = configureFuzz();
const timeout = Math.max(20_000, numRuns * 20);
const FIELDS = Object.keys(baseReversal());
const CODES = [
  'INVALID_JSON',
  'MISSING_FIELD',
  'INVALID_FIELD',
  'CARD_NUMBER_DETECTED',
  'NOT_AN_OBJECT',
  'TOO_LARGE',
  'TOO_DEEP',
  'NUL_CHARACTER',
  'LONE_SURROGATE',
  'CONTROL_CHARACTER',
];
const parse = (v: unknown) => parseReversalEvent(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));

describe('reversal events: the transactions rules, on card.transactions.reversed', () => {
  it('accepts a valid reversal and ignores unknown fields', () => {
    const out = parse(baseReversal({ kind: 'PARTIAL_REFUND', extra: { any: 1 } }));
    expect(out).toMatchObject({ ok: true, event: { reversalId: 'rev-1', kind: 'PARTIAL_REFUND' } });
  });

  it.each([
    [{ reversalId: undefined }, 'MISSING_FIELD', 'reversalId: is required'],
    [{ kind: undefined }, 'MISSING_FIELD', 'kind: is required'],
    [{ transactionId: '' }, 'INVALID_FIELD', 'transactionId'],
    [{ kind: 'CHARGEBACK' }, 'INVALID_FIELD', 'kind'],
    [{ amountMinor: 0 }, 'INVALID_FIELD', 'amountMinor'],
    [{ amountMinor: 12.5 }, 'INVALID_FIELD', 'amountMinor'],
    [{ currency: 'XYZ' }, 'INVALID_FIELD', 'currency'],
    [{ cardLast4: '42a2' }, 'INVALID_FIELD', 'cardLast4'],
    [{ reversedAt: '2026-11-22 14:09' }, 'INVALID_FIELD', 'reversedAt'],
    [{ merchantName: 'A\u0000B' }, 'NUL_CHARACTER', 'merchantName'],
    [{ merchantName: 'A\ud800B' }, 'LONE_SURROGATE', 'merchantName'],
    [{ merchantCity: 'line\nbreak' }, 'CONTROL_CHARACTER', 'merchantCity'],
    [{ reversalId: 'x'.repeat(65) }, 'INVALID_FIELD', 'reversalId'],
  ])('%j is dead-lettered as %s naming the field', (over, code, detail) => {
    const out = parse(baseReversal(over));
    expect(out).toMatchObject({ ok: false, code });
    expect(!out.ok && out.detail).toContain(detail);
  });

  it('refuses oversized, deep and non-object values', () => {
    expect(parse(baseReversal({ merchantName: 'x'.repeat(70_000) }))).toMatchObject({ code: 'TOO_LARGE' });
    expect(parse(`{"a":${'['.repeat(40)}${']'.repeat(40)}}`)).toMatchObject({ code: 'TOO_DEEP' });
    expect(parse('[1,2]')).toMatchObject({ code: 'NOT_AN_OBJECT' });
    expect(parse('{not json')).toMatchObject({ code: 'INVALID_JSON' });
  });

  it('withholds merchant fields that make a card number only when joined', () => {
    const out = parse(baseReversal({ merchantName: 'SHOP 4111 1111 1111', merchantCity: '1111' }));
    expect(out).toMatchObject({
      ok: false,
      code: 'CARD_NUMBER_DETECTED',
      withhold: ['merchantName', 'merchantCity'],
    });
  });

  it(
    'a card number in any field, however written, is dead-lettered and never readable in the DLQ copy',
    () => {
      fc.assert(
        fc.property(encodedPanArb, fc.constantFrom(...FIELDS, 'extra'), wrapArb, (enc, field, wrap) => {
          const raw = JSON.stringify(baseReversal({ [field]: wrap.replace('%', enc.text) }));
          const message = { key: null, value: Buffer.from(raw), offset: '1' } as KafkaMessage;
          const out = parseReversalEvent(message.value);
          expect(out).toMatchObject({ ok: false, code: 'CARD_NUMBER_DETECTED' });
          if (out.ok) return;
          const record = deadLetterRecord({
            message,
            topic: 't',
            partition: 0,
            code: out.code,
            detail: out.detail,
          });
          const texts = [String(record.value ?? ''), ...Object.values(record.headers ?? {}).map(String)];
          for (const t of texts) expect(t.includes(enc.pan)).toBe(false);
        }),
      );
    },
    timeout,
  );

  it(
    'hostile values never throw: each is a valid reversal with clean text or a known DLQ reason',
    () => {
      const value = fc.oneof(
        fc
          .array(
            fc.tuple(fc.constantFrom(...FIELDS, 'other'), fc.oneof(oddString, fc.jsonValue({ maxDepth: 2 }))),
            {
              maxLength: 4,
            },
          )
          .map((changes) => JSON.stringify(baseReversal(Object.fromEntries(changes)))),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      );
      fc.assert(
        fc.property(value, (raw) => {
          const out = parseReversalEvent(Buffer.from(raw));
          if (!out.ok) return expect(CODES).toContain(out.code);
          const text = JSON.stringify(out.event);
          expect(containsCardNumber(text)).toBe(false);
          expect(/[\u0000-\u001f\u007f-\u009f]/.test(Object.values(out.event).join(''))).toBe(false);
          expect(out.event.amountMinor).toBeGreaterThan(0);
        }),
      );
    },
    timeout,
  );
});
