import { isPlausibleNumber, recipientRejection } from '../magic-numbers';
import type { FaultState, ReceiptOutcome } from '../sandbox.faults';
import type { SandboxInbound } from '../sandbox-emulator';
import type { StoredMessage } from '../sandbox.store';
import { SMPP_OUTCOME, STATE_BY_STAT } from './smpp-concat';
import { MESSAGE_STATE, SMPP_STATUS, SmppPdu, SmppSession } from './smpp-types';

/**
 * What the sandbox SMSC answers, decided from the PDU, the session and the fault state alone: SmppSmsc does
 * the sending, storing and timing.
 */

export type BindKind = 'transceiver' | 'transmitter' | 'receiver';

export interface SessionState {
  session: SmppSession;
  systemId?: string;
  bind?: BindKind;
}

/** A bound session deliver_sm can go to now. */
export function canReceive(state: SessionState): boolean {
  return (state.bind === 'transceiver' || state.bind === 'receiver') && state.session.socket.writable;
}

/** bind_*'s command_status: one bind per session, the configured system_id and password. */
export function bindStatus(
  state: SessionState,
  pdu: SmppPdu,
  fault: FaultState,
  account: { systemId: string; password: string },
): number {
  if (state.bind) return SMPP_STATUS.ESME_RALYBND;
  if (fault.smpp.refuseBind) return SMPP_STATUS.ESME_RBINDFAIL;
  if (pdu.system_id !== account.systemId) return SMPP_STATUS.ESME_RINVSYSID;
  if (pdu.password !== account.password) return SMPP_STATUS.ESME_RINVPASWD;
  return SMPP_STATUS.ESME_ROK;
}

/** Why an SMSC would refuse this destination (the magic numbers' texts), or undefined to accept it. */
export function destinationRefusal(to: string, fault: FaultState): string | undefined {
  return isPlausibleNumber(to)
    ? recipientRejection(to, fault.permanentNumbers)?.smpp.text
    : `Invalid destination address ${to}`;
}

/** registered_delivery bits 0-1: the ESME asked for a receipt (final, or on failure only). */
export function receiptWanted(registeredDelivery: number | undefined, outcome: ReceiptOutcome): boolean {
  const wanted = (registeredDelivery ?? 0) & 0x03;
  return wanted === 1 || (wanted === 2 && outcome !== 'delivered');
}

/** The stored status a receipt outcome leaves: its stat, its error code and whether it is final. */
export function settledStatus(
  outcome: ReceiptOutcome | 'sent',
  errorCode: string | undefined,
): { stat: string; errorCode: string | undefined; final: boolean } {
  const mapped = SMPP_OUTCOME[outcome];
  return {
    stat: mapped.stat,
    errorCode: outcome === 'delivered' || outcome === 'sent' ? undefined : (errorCode ?? mapped.err),
    final: outcome !== 'sent',
  };
}

/** A mobile-originated deliver_sm (esm_class 0; the package chooses data_coding from the text). */
export function inboundFields(sms: SandboxInbound): Record<string, unknown> {
  return {
    ...{ source_addr_ton: 1, source_addr_npi: 1, dest_addr_ton: 1, dest_addr_npi: 1, esm_class: 0 },
    ...{ source_addr: sms.from.replace(/^\+/, ''), destination_addr: sms.to.replace(/^\+/, '') },
    short_message: sms.text,
  };
}

/** query_sm_resp's fields for a stored message. */
export function queryFields(messageId: string, message: StoredMessage): Record<string, unknown> {
  return {
    message_id: messageId,
    final_date: message.finalAt === undefined ? '' : new Date(message.finalAt),
    message_state: STATE_BY_STAT[message.status] ?? MESSAGE_STATE.ENROUTE,
    error_code: 0,
  };
}
