import type { EventEmitter } from 'node:events';
import type { Server, Socket } from 'node:net';

// The smpp package (0.5.x) ships no TypeScript types; these cover what the sandbox SMSC and its specs use.
// Kept local (no global `declare module`) so they cannot clash with the dispatcher's own declarations.

/** A decoded short_message / message_payload: text decoded by data_coding, UDH elements split off. */
export interface SmppMessageBody {
  message: string | Buffer;
  udh?: Buffer[];
}

export interface SmppPdu {
  command: string;
  command_status: number;
  sequence_number: number;
  system_id?: string;
  password?: string;
  source_addr?: string;
  destination_addr?: string;
  esm_class?: number;
  data_coding?: number | null;
  registered_delivery?: number;
  short_message?: SmppMessageBody | Buffer | string;
  message_payload?: SmppMessageBody | Buffer | string;
  sar_msg_ref_num?: number;
  sar_total_segments?: number;
  sar_segment_seqnum?: number;
  message_id?: string;
  receipted_message_id?: string;
  message_state?: number;
  response(options?: Record<string, unknown>): SmppPdu;
  [key: string]: unknown;
}

export interface SmppSession extends EventEmitter {
  socket: Socket;
  send(
    pdu: SmppPdu,
    responseCallback?: (pdu: SmppPdu) => void,
    sendCallback?: (pdu: SmppPdu) => void,
  ): boolean;
  close(callback?: () => void): void;
  destroy(callback?: () => void): void;
  pause(): void;
  resume(): void;
  // Request shortcuts (one per SMPP command), as used by ESME-side code and the integration spec.
  bind_transceiver(options: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
  submit_sm(options: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
  deliver_sm(options: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
  enquire_link(options?: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
  unbind(options?: Record<string, unknown>, callback?: (pdu: SmppPdu) => void): boolean;
}

export interface SmppLib {
  createServer(options: Record<string, unknown>, listener?: (session: SmppSession) => void): Server;
  connect(
    options: { url?: string; host?: string; port?: number; auto_enquire_link_period?: number },
    listener?: () => void,
  ): SmppSession;
  PDU: new (command: string, options?: Record<string, unknown>) => SmppPdu;
}

/** command_status values the SMSC answers with (SMPP 3.4, section 5.1.3). */
export const SMPP_STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RSYSERR: 0x08,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RTHROTTLED: 0x58,
  ESME_RQUERYFAIL: 0x67,
} as const;

/** message_state values (SMPP 3.4, section 5.2.28). */
export const MESSAGE_STATE = {
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  REJECTED: 8,
} as const;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const smpp = require('smpp') as SmppLib;

/**
 * An error response that keeps a body with additional_status_info_text (SMPP 5.0 allows it in
 * submit_sm_resp; some SMSCs send it with 3.4 binds too). The smpp package writes no body for a non-zero
 * command_status, so the response is encoded as a success and the status put into the header after.
 */
export function errorResponseWithText(request: SmppPdu, status: number, text: string): SmppPdu {
  const resp = request.response({ message_id: '', additional_status_info_text: text }) as SmppPdu & {
    toBuffer(): Buffer;
  };
  const encode = resp.toBuffer.bind(resp);
  resp.toBuffer = () => {
    const buffer = encode();
    buffer.writeUInt32BE(status, 8); // command_status: the third header word
    return buffer;
  };
  return resp;
}
