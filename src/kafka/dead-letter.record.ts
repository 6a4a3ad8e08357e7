import { KafkaMessage, Message } from 'kafkajs';
import { containsCardNumber, maskCardNumbers } from '../common/card-number';
import { findCardNumber, jsonDepth, MAX_JSON_DEPTH, maskCardNumbersDeep } from '../common/card-number-json';
import type { TextProblem } from './message-text';

/** Why ingest refused a transaction event (the dead letter's reason header); kafka/ owns it, ingest/ uses it. */
export type DlqErrorCode =
  | 'INVALID_JSON'
  | 'MISSING_FIELD'
  | 'INVALID_FIELD'
  | 'CARD_NUMBER_DETECTED'
  | 'NOT_AN_OBJECT'
  | 'TOO_LARGE'
  | 'TOO_DEEP'
  | TextProblem;

export interface DeadLetter {
  message: KafkaMessage;
  topic: string;
  partition: number;
  code: string;
  detail: string;
  /** Top-level fields that make a card number together (merchantName + merchantCity): withheld in the copy. */
  withhold?: string[];
}

/** A DLQ copy keeps at most this much of the value, so it always fits the broker's 1 MiB message limit. */
export const MAX_DEAD_LETTER_VALUE_BYTES = 256 * 1024;
const WITHHELD = JSON.stringify({ withheld: 'the value held a card number that could not be masked' });

/**
 * The value as it goes to the DLQ. Without a card number it is the original text. With one, a JSON value
 * is parsed, masked key by key and string by string (in decoded form) and re-serialised, so the copy stays
 * JSON a person can read and replay; any other text is masked as text (decoded where the PAN only shows
 * decoded). Whatever still reads as a card number afterwards is withheld.
 */
export function deadLetterValue(value: Buffer | null, withhold: string[] = []): string | null {
  if (value === null) return null;
  const text = value.subarray(0, MAX_DEAD_LETTER_VALUE_BYTES).toString('utf8');
  let json: unknown;
  let isJson = false;
  try {
    json = JSON.parse(text);
    isJson = jsonDepth(json) <= MAX_JSON_DEPTH;
  } catch {
    // not JSON (or cut short): masked as text below
  }
  if (isJson && withhold.length > 0 && typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const fields = json as Record<string, unknown>;
    for (const f of withhold) if (f in fields) fields[f] = '[withheld: part of a card number]';
  }
  if (isJson) {
    if (withhold.length === 0 && !containsCardNumber(text) && findCardNumber(json) === null) return text;
    const out = JSON.stringify(maskCardNumbersDeep(json));
    return containsCardNumber(out) ? WITHHELD : out;
  }
  if (!containsCardNumber(text)) return text;
  const out = maskCardNumbers(text);
  return containsCardNumber(out) ? WITHHELD : out;
}

export function deadLetterRecord(l: DeadLetter): Message {
  const value = deadLetterValue(l.message.value, l.withhold);
  const key = l.message.key ? maskCardNumbers(l.message.key.toString('utf8')) : null;
  return {
    key: key !== null && containsCardNumber(key) ? null : key,
    value,
    headers: {
      'x-error-code': l.code,
      'x-error-detail': maskCardNumbers(l.detail).slice(0, 500),
      'x-original-topic': l.topic,
      'x-original-partition': String(l.partition),
      'x-original-offset': l.message.offset,
      ...(l.message.value && l.message.value.length > MAX_DEAD_LETTER_VALUE_BYTES
        ? { 'x-original-size': String(l.message.value.length) }
        : {}),
    },
  };
}
