import type { ReceiptOutcome } from '../sandbox.faults';
import type { StoredMessage } from '../sandbox.store';
import { MESSAGE_STATE, SmppMessageBody } from './smpp-types';
import { countSegments } from '../../rendering/sms-segments';
import { smppDate } from '../dlr-date';

export { smppDate };

// Pure SMPP helpers for the sandbox SMSC: message decoding, concatenation, reassembly, receipt text.

// Receipt stat (the text's stat:), message_state TLV and default err: for each simulated outcome.
export const SMPP_OUTCOME: Record<ReceiptOutcome | 'sent', { stat: string; state: number; err: string }> = {
  sent: { stat: 'ACCEPTD', state: MESSAGE_STATE.ACCEPTED, err: '000' },
  delivered: { stat: 'DELIVRD', state: MESSAGE_STATE.DELIVERED, err: '000' },
  undelivered: { stat: 'UNDELIV', state: MESSAGE_STATE.UNDELIVERABLE, err: '001' },
  failed: { stat: 'UNDELIV', state: MESSAGE_STATE.UNDELIVERABLE, err: '099' },
  expired: { stat: 'EXPIRED', state: MESSAGE_STATE.EXPIRED, err: '000' },
  rejected: { stat: 'REJECTD', state: MESSAGE_STATE.REJECTED, err: '000' },
};
export const STATE_BY_STAT: Record<string, number> = Object.fromEntries(
  Object.values(SMPP_OUTCOME).map((o) => [o.stat, o.state]),
);
const MC_DELIVERY_RECEIPT = 0x04;

export interface ConcatInfo {
  ref: number;
  total: number;
  seq: number;
}

/**
 * From the UDH information elements the smpp package decodes (each a Buffer `[iei, length, ...data]`):
 * IEI 0x00 is concatenation with an 8-bit reference, 0x08 with a 16-bit one.
 */
export function concatFromUdh(udh: Buffer[] | undefined): ConcatInfo | undefined {
  for (const ie of udh ?? []) {
    if (ie[0] === 0x00 && ie[1] === 3 && ie.length >= 5)
      return valid({ ref: ie[2], total: ie[3], seq: ie[4] });
    if (ie[0] === 0x08 && ie[1] === 4 && ie.length >= 6) {
      return valid({ ref: ie.readUInt16BE(2), total: ie[4], seq: ie[5] });
    }
  }
  return undefined;
}

/** From the SAR TLVs (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum), the non-UDH way. */
export function concatFromSar(pdu: {
  sar_msg_ref_num?: number;
  sar_total_segments?: number;
  sar_segment_seqnum?: number;
}): ConcatInfo | undefined {
  if (pdu.sar_total_segments === undefined || pdu.sar_segment_seqnum === undefined) return undefined;
  return valid({ ref: pdu.sar_msg_ref_num ?? 0, total: pdu.sar_total_segments, seq: pdu.sar_segment_seqnum });
}

function valid(info: ConcatInfo): ConcatInfo | undefined {
  return info.total >= 1 && info.seq >= 1 && info.seq <= info.total ? info : undefined;
}

interface Pending {
  total: number;
  texts: Array<string | undefined>;
  partIds: Array<string | undefined>;
  received: number;
  firstAt: number;
}

export type AssembleResult = { complete: false } | { complete: true; text: string; partIds: string[] };

/**
 * Collects the parts of concatenated messages until all have arrived. `key` must name the sender and
 * recipient as well as the reference (references are only unique per pair). A repeated part replaces the
 * earlier copy; an incomplete message is dropped after `maxAgeMs` (a real SMSC would deliver the parts).
 */
export class ConcatAssembler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly maxAgeMs = 5 * 60_000,
    private readonly maxPending = 50_000,
  ) {}

  add(key: string, info: ConcatInfo, text: string, partId: string, now: number): AssembleResult {
    const fullKey = `${key}|${info.ref}|${info.total}`;
    let p = this.pending.get(fullKey);
    if (!p) {
      if (this.pending.size >= this.maxPending) this.sweep(now, 0);
      p = {
        total: info.total,
        texts: new Array(info.total),
        partIds: new Array(info.total),
        received: 0,
        firstAt: now,
      };
      this.pending.set(fullKey, p);
    }
    if (p.texts[info.seq - 1] === undefined) p.received++;
    p.texts[info.seq - 1] = text;
    p.partIds[info.seq - 1] = partId;
    if (p.received < p.total) return { complete: false };
    this.pending.delete(fullKey);
    return { complete: true, text: p.texts.join(''), partIds: p.partIds as string[] };
  }

  /** Drops incomplete messages older than `maxAgeMs` (or `olderThanMs`); returns how many. */
  sweep(now: number, olderThanMs = this.maxAgeMs): number {
    let dropped = 0;
    for (const [key, p] of this.pending) {
      if (now - p.firstAt >= olderThanMs) {
        this.pending.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  get size(): number {
    return this.pending.size;
  }
}

/** data_coding to the name the store shows. 0 and 1 are the GSM default alphabet as the smpp package decodes it. */
export function encodingName(dataCoding: number | null | undefined): string {
  const dc = (dataCoding ?? 0) & 0x0f;
  if (dc === 0x08) return 'UCS-2';
  if (dc === 0x03) return 'LATIN-1';
  return 'GSM-7';
}

export interface ReceiptText {
  id: string;
  submittedAt: number;
  doneAt: number;
  /** DELIVRD, UNDELIV, EXPIRED, REJECTD, ACCEPTD... */
  stat: string;
  err?: string;
  body: string;
}

/**
 * The de-facto receipt text (SMPP 3.4 appendix B):
 * `id:<id> sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000 text:...`.
 * The text is the first 20 characters of the message, reduced to characters that read the same in ASCII
 * and GSM-7 so any ESME can parse the receipt.
 */
export function formatReceiptText(r: ReceiptText): string {
  const delivered = r.stat === 'DELIVRD' ? '001' : '000';
  const err = (r.err ?? '0').replace(/\D/g, '').padStart(3, '0').slice(-3);
  const text = r.body.slice(0, 20).replace(/[^A-Za-z0-9 .,:+-]/g, '?');
  return (
    `id:${r.id} sub:001 dlvrd:${delivered} submit date:${smppDate(r.submittedAt)} ` +
    `done date:${smppDate(r.doneAt)} stat:${r.stat} err:${err} text:${text}`
  );
}

/** The smpp package decodes by data_coding into `{ message, udh }`; binary codings stay Buffers. */
export function decodeBody(body: SmppMessageBody | Buffer | string | undefined | null): {
  text: string;
  udh?: Buffer[];
} {
  if (body === undefined || body === null) return { text: '' };
  if (typeof body === 'string') return { text: body };
  if (Buffer.isBuffer(body)) return { text: body.toString('latin1') };
  const message = body.message;
  return { text: typeof message === 'string' ? message : message.toString('latin1'), udh: body.udh };
}

/** A message_payload is one submit the SMSC splits: count parts as the air interface will. */
export function payloadSegments(text: string, dataCoding: number | null | undefined): number {
  const dc = (dataCoding ?? 0) & 0x0f;
  if (dc === 0x08) return countSegments(text, true).segments;
  if (dc === 0x03) return text.length <= 140 ? 1 : Math.ceil(text.length / 134);
  return countSegments(text).segments;
}

/** deliver_sm fields of a receipt for one part, from the message's current (final) status. */
export function receiptFields(message: StoredMessage, partId: string): Record<string, unknown> {
  const mapped = Object.values(SMPP_OUTCOME).find((o) => o.stat === message.status) ?? SMPP_OUTCOME.delivered;
  return {
    source_addr: message.to,
    destination_addr: message.from,
    esm_class: MC_DELIVERY_RECEIPT,
    data_coding: 0,
    short_message: formatReceiptText({
      id: partId,
      submittedAt: message.receivedAt,
      doneAt: message.finalAt ?? Date.now(),
      stat: mapped.stat,
      err: message.errorCode ?? '000',
      body: message.body,
    }),
    receipted_message_id: partId,
    message_state: mapped.state,
  };
}
