import type { Provider, Type } from '@nestjs/common';
import type { ProviderDefinition } from '../providers/provider-definition';
import type { ReceiptOutcome } from './sandbox.faults';
import type { StoredMessage } from './sandbox.store';

/**
 * One vendor's emulator in the sandbox (src/sandbox/<vendor>/), listed once in sandbox.emulators.ts: the
 * sandbox builds its controllers, servers, faults and control API from that list.
 */
export interface SandboxEmulator {
  /** The product provider it emulates: its name (in URLs, faults, the store) is the registry's. */
  readonly provider: ProviderDefinition;
  /** Its HTTP API (none for a TCP server such as the SMSC). */
  readonly controllers: readonly Type[];
  /** Its services and servers (started and stopped by Nest's lifecycle). */
  readonly services: readonly Provider[];
  /** Which of them sends a receipt on demand (POST /sandbox/messages/:provider/:id/receipt). */
  readonly receipts: Type<EmulatedReceipts>;
  /** Which of them sends a cardholder's text to Alertline on demand (POST /sandbox/inbound/:provider). */
  readonly inbound?: Type<EmulatedInbound>;
}

/** A cardholder's text for the sandbox to deliver, as the vendor would (a signed webhook, a deliver_sm). */
export interface SandboxInbound {
  /** The cardholder's number, E.164. */
  from: string;
  /** Our number it was sent to. */
  to: string;
  text: string;
  /** `forged`: signed with a wrong secret; `none`: unsigned (HTTP vendors); to test the refusal. */
  signature: 'valid' | 'forged' | 'none';
  /** Where to POST (HTTP vendors); unset: PUBLIC_BASE_URL/webhooks/<provider>/inbound. */
  url?: string;
}

export interface EmulatedInbound {
  /** Sends it now (HTTP: queued with the receipts' retries); `sent` false when it could not go out. */
  sendInbound(sms: SandboxInbound): { id: string; sent: boolean };
}

/** The emulators' inbound senders by provider name (only vendors with inbound texts). */
export const EMULATED_INBOUND = Symbol('EMULATED_INBOUND');

export interface EmulatedReceipts {
  /** Sends a receipt for this message (id: the asked part's) now; false when it could not go out yet. */
  pushReceipt(
    message: StoredMessage,
    id: string,
    outcome: ReceiptOutcome | 'sent',
    errorCode?: string,
  ): boolean;
}

/** The emulators' receipt senders by provider name. */
export const EMULATED_RECEIPTS = Symbol('EMULATED_RECEIPTS');
