import { mapDlrStat } from '../dlr-stat';
import { ProviderMessageStatus } from '../provider.interface';
import {
  PermanentRecipientError,
  ProviderError,
  RateLimitedError,
  TransientProviderError,
} from '../provider.errors';
import type { EsmePdu } from './smpp.types';
import { smppLib } from './smpp.types';

// SMPP 3.4 section 5.1.3 command_status. The table in docs/providers.md mirrors these sets.
const PERMANENT_RECIPIENT = new Set(['ESME_RINVDSTADR']);
const RATE_LIMITED = new Set(['ESME_RTHROTTLED', 'ESME_RMSGQFUL']);
const NAMES = new Map(Object.entries(smppLib.errors).map(([name, code]) => [code, name]));

export function commandStatusName(status: number): string {
  return NAMES.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;
}

/**
 * A non-zero submit_sm_resp command_status onto our typed errors. Only an invalid destination address
 * blames the number; everything else (system error, submit failed, bad bind state, invalid source or
 * TON/NPI we chose) is about the SMSC or our request: transient. `infoText` is the response's
 * additional_status_info_text TLV (SMPP 5.0; some 3.4 SMSCs send it too), which may quote the number.
 */
export function mapSmppStatus(status: number, infoText?: string): ProviderError {
  const name = commandStatusName(status);
  const detail = `submit_sm_resp ${name}${infoText ? `: ${infoText.slice(0, 200)}` : ''}`;
  if (PERMANENT_RECIPIENT.has(name)) return new PermanentRecipientError('smpp', name, detail);
  if (RATE_LIMITED.has(name)) return new RateLimitedError('smpp', name, detail);
  return new TransientProviderError('smpp', name, detail);
}

export interface SmppReceipt {
  messageId: string;
  /** The receipt's stat word (DELIVRD, UNDELIV, ...), or the message_state name when there is no text. */
  stat: string;
  status: ProviderMessageStatus;
  errorCode?: string;
}

// message_state TLV (SMPP 3.4 section 5.2.28) as the stat words of the receipt text.
const STATE_STAT: Record<number, string> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

export function statOfState(state: number | undefined): string {
  return (state !== undefined && STATE_STAT[state]) || 'UNKNOWN';
}

const RECEIPT_TEXT = /(?:^|\s)id:(\S+).*?\sstat:(\w+)(?:.*?\serr:(\w+))?/i;

/**
 * A deliver_sm that is a delivery receipt (esm_class message type 0x04), from its TLVs
 * (receipted_message_id, message_state) or else its text `id:... stat:DELIVRD err:000`. Null for a
 * deliver_sm that is not a receipt or cannot be read.
 */
export function parseSmppReceipt(pdu: EsmePdu): SmppReceipt | null {
  if (((pdu.esm_class ?? 0) & 0x3c) !== 0x04) return null;
  const text = receiptText(pdu.short_message);
  const match = RECEIPT_TEXT.exec(text);
  const messageId = pdu.receipted_message_id || match?.[1];
  if (!messageId) return null;
  const stat = match?.[2]?.toUpperCase() ?? statOfState(pdu.message_state);
  const err = match?.[3];
  const errorCode = err && !/^0+$/.test(err) ? err : undefined;
  return { messageId, stat, status: mapDlrStat(stat), errorCode };
}

function receiptText(sm: EsmePdu['short_message']): string {
  if (sm === undefined || sm === null) return '';
  if (typeof sm === 'string') return sm;
  if (Buffer.isBuffer(sm)) return sm.toString('latin1');
  const m = sm.message;
  return typeof m === 'string' ? m : (m?.toString('latin1') ?? '');
}
