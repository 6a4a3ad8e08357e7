import type { EventEmitter } from 'node:events';

// The smpp package (0.5.x) has no TypeScript types. These describe the ESME side the adapter uses: a
// client session, the PDUs it sends and the ones it receives (responses and deliver_sm receipts).

export interface EsmePdu {
  command: string;
  command_status: number;
  sequence_number: number;
  message_id?: string;
  esm_class?: number;
  short_message?: { message?: string | Buffer } | Buffer | string;
  /** The text in a TLV instead of short_message (long mobile-originated texts). */
  message_payload?: { message?: string | Buffer } | Buffer | string;
  source_addr?: string;
  destination_addr?: string;
  receipted_message_id?: string;
  message_state?: number;
  error_code?: number;
  /** A response's reason in words (TLV 0x001D), when the SMSC gives one. */
  additional_status_info_text?: string;
  response(options?: Record<string, unknown>): EsmePdu;
}

export interface EsmeSession extends EventEmitter {
  send(pdu: EsmePdu, onResponse?: (pdu: EsmePdu) => void, onSent?: (pdu: EsmePdu) => void): boolean;
  bind_transceiver(options: Record<string, unknown>, onResponse: (pdu: EsmePdu) => void): boolean;
  submit_sm(options: Record<string, unknown>, onResponse: (pdu: EsmePdu) => void): boolean;
  query_sm(options: Record<string, unknown>, onResponse: (pdu: EsmePdu) => void): boolean;
  enquire_link(options: Record<string, unknown>, onResponse: (pdu: EsmePdu) => void): boolean;
  unbind(options: Record<string, unknown>, onResponse: (pdu: EsmePdu) => void): boolean;
  close(callback?: () => void): void;
  destroy(callback?: () => void): void;
}

interface SmppPackage {
  connect(options: { host: string; port: number }): EsmeSession;
  /** command_status names to numbers (ESME_ROK, ESME_RTHROTTLED, ...). */
  errors: Record<string, number>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const smppLib = require('smpp') as SmppPackage;
