import fc from 'fast-check';
import { KafkaMessage } from 'kafkajs';
import { containsCardNumber } from '../common/card-number';
import { contactRow } from '../contacts/testing/contact-row';
import { deadLetterRecord } from '../kafka/dead-letter.record';
import { textProblem } from '../kafka/message-text';
import { NotificationStatus } from '../notifications/notification-status';
import { toAlertRow } from './alert-row';
import {
  baseEvent,
  configureFuzz,
  DIGIT_ZEROS,
  encodedPanArb,
  eventWithPan,
  hostileValueArb,
  panArb,
  PLACES,
  wrapArb,
} from './testing/hostile-events';
import { parseTransactionEvent } from './transaction-event.schema';

const numRuns = configureFuzz();
const timeout = Math.max(20_000, numRuns * 20);
const contact = contactRow();
const settings = {
  bankName: 'Alertline Bank',
  bankPhone: '+44 20 7946 0000',
  timeZone: 'UTC',
  deadlineSeconds: 600,
};

type Outcome =
  | { kind: 'alert' | 'skip'; texts: string[] }
  | { kind: 'dlq'; code: string; texts: string[]; value: string | null };

/** One raw value through what ingest does with it, without I/O: validate, decide, render, or dead-letter. */
function ingestOne(raw: string, withContact: boolean): Outcome {
  const message = { key: Buffer.from('card-tok-1'), value: Buffer.from(raw), offset: '7' } as KafkaMessage;
  const dlq = (code: string, detail: string, withhold?: string[]): Outcome => {
    const record = deadLetterRecord({ message, topic: 't', partition: 0, code, detail, withhold });
    const headers = Object.values(record.headers ?? {}).map(String);
    const value = record.value === null || record.value === undefined ? null : String(record.value);
    return { kind: 'dlq', code, value, texts: [value ?? '', String(record.key ?? ''), ...headers] };
  };
  const parsed = parseTransactionEvent(message.value);
  if (!parsed.ok) return dlq(parsed.code, parsed.detail);
  const out = toAlertRow(parsed.event, withContact ? contact : undefined, settings, {
    now: new Date(),
    partition: 0,
    offset: '7',
  });
  if ('code' in out) return dlq(out.code, out.detail, out.withhold);
  const texts = Object.values(out.row).filter((v): v is string => typeof v === 'string');
  for (const t of texts) expect(textProblem(t)).toBeNull();
  return { kind: out.row.status === NotificationStatus.QUEUED ? 'alert' : 'skip', texts };
}

// The oracle does not use the detector: it decodes as a reader would (JSON, NFKC, the generator's digit
// scripts), keeps digits only, and looks for the generated PAN's digits.
function readerDigits(text: string): string {
  let decoded = text;
  try {
    const strings: string[] = [];
    JSON.stringify(JSON.parse(text), (k, v: unknown) => {
      strings.push(k, typeof v === 'string' || typeof v === 'number' ? String(v) : '');
      return v;
    });
    decoded = strings.join(' ');
  } catch {
    decoded = text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  let digits = '';
  for (const ch of decoded.normalize('NFKC')) {
    const cp = ch.codePointAt(0)!;
    const zero = DIGIT_ZEROS.find((z) => cp >= z && cp < z + 10);
    if (zero !== undefined) digits += String(cp - zero);
    else if (!/[\p{Cf}\p{M}]/u.test(ch)) digits += ' ';
  }
  return digits.replace(/ +/g, '');
}

describe('hostile events (fast-check)', () => {
  it(
    'a PAN in any field, key or number, in any encoding, is dead-lettered and appears nowhere',
    () => {
      fc.assert(
        fc.property(
          encodedPanArb,
          fc.constantFrom(...PLACES),
          wrapArb,
          fc.boolean(),
          (enc, place, wrap, c) => {
            const raw = eventWithPan(enc, place, wrap);
            const outcome = ingestOne(raw, c);
            expect(outcome).toMatchObject({ kind: 'dlq', code: 'CARD_NUMBER_DETECTED' });
            for (const text of outcome.texts) {
              expect(readerDigits(text)).not.toContain(enc.pan);
              expect(containsCardNumber(text)).toBe(false);
            }
          },
        ),
      );
    },
    timeout,
  );

  it(
    'any hostile value ends as exactly one of alert, skip or DLQ, and what is kept is storable and PAN-free',
    () => {
      fc.assert(
        fc.property(hostileValueArb, fc.boolean(), (raw, c) => {
          const outcome = ingestOne(raw, c);
          expect(['alert', 'skip', 'dlq']).toContain(outcome.kind);
          for (const text of outcome.texts) expect(containsCardNumber(text)).toBe(false);
          if (outcome.kind === 'dlq') expect(outcome.code).toMatch(/^[A-Z_]+$/);
        }),
      );
    },
    timeout,
  );

  it(
    'two fields that make a PAN only together in the SMS text are dead-lettered',
    () => {
      fc.assert(
        fc.property(
          panArb.filter((p) => p.length === 16),
          fc.boolean(),
          (pan, c) => {
            const raw = JSON.stringify({
              ...baseEvent(),
              merchantName: `SHOP ${pan.slice(0, 12).replace(/(\d{4})(?=\d)/g, '$1 ')}`,
              merchantCity: pan.slice(-4),
            });
            // Refused with or without a contact (the merchant is shown joined in the console too), and the
            // copy withholds both fields.
            const outcome = ingestOne(raw, c);
            expect(outcome).toMatchObject({ kind: 'dlq', code: 'CARD_NUMBER_DETECTED' });
            for (const text of outcome.texts) expect(readerDigits(text)).not.toContain(pan);
          },
        ),
      );
    },
    timeout,
  );
});
