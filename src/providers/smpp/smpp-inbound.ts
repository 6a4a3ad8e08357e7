import { createHash } from 'node:crypto';
import { inboundSms } from '../inbound-sms';
import type { InboundSms } from '../provider.interface';
import type { EsmePdu } from './smpp.types';

// esm_class bits 2-5 are the message type (SMPP 3.4 section 5.2.12): 0 is a mobile-originated text; 0x04
// a delivery receipt, the others acknowledgements and notifications, none of them a cardholder's words.
const MESSAGE_TYPE = 0x3c;

/**
 * A deliver_sm redelivered after we answered ESME_RX_T_APPN (not stored) carries no id of its own: SMPP
 * 3.4 gives a mobile-originated message none. It is recognised by sender, recipient and text within this
 * bucket; the same words from one number twice within it are one reply, and a redelivery across a bucket
 * edge is a second row (at least once: a duplicate, never a loss).
 */
export const SMPP_INBOUND_DEDUPE_MS = 10 * 60_000;

/** A deliver_sm that is a cardholder's text (not a receipt), or null. `nowMs` picks the dedupe bucket. */
export function parseSmppInbound(pdu: EsmePdu, nowMs: number): InboundSms | null {
  if (((pdu.esm_class ?? 0) & MESSAGE_TYPE) !== 0) return null;
  const from = pdu.source_addr ?? '';
  const to = pdu.destination_addr ?? '';
  if (!from) return null;
  const text = textOf(pdu.message_payload) || textOf(pdu.short_message);
  const bucket = Math.floor(nowMs / SMPP_INBOUND_DEDUPE_MS);
  const digest = createHash('sha256')
    .update(JSON.stringify([from, to, text, bucket]))
    .digest('hex');
  return inboundSms(`mo-${digest.slice(0, 32)}`, from, to, text);
}

/** The smpp package decodes the text by data_coding (GSM 03.38, Latin-1, UCS-2) and splits off a UDH. */
function textOf(field: EsmePdu['short_message']): string {
  if (field === undefined || field === null) return '';
  if (typeof field === 'string') return field;
  if (Buffer.isBuffer(field)) return field.toString('latin1');
  const m = field.message;
  return typeof m === 'string' ? m : (m?.toString('latin1') ?? '');
}
