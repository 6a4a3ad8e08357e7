import type { ProviderName } from '../config/config.schema';
import type { RenderedTemplate } from '../rendering/template.types';
import type { CannotSendMessageError } from './provider.errors';

/** The one status vocabulary every adapter maps its vendor's receipt and lookup statuses onto. */
export enum ProviderMessageStatus {
  /** Taken by the provider, not yet handed to the carrier. */
  ACCEPTED = 'ACCEPTED',
  /** Handed to the carrier; no final word yet. */
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  /** Final: the carrier or handset did not take it (filtered, unreachable, expired). */
  UNDELIVERED = 'UNDELIVERED',
  /** Final: the provider refused or dropped it before the carrier. */
  FAILED = 'FAILED',
}

export const FINAL_PROVIDER_STATUSES: ReadonlySet<ProviderMessageStatus> = new Set([
  ProviderMessageStatus.DELIVERED,
  ProviderMessageStatus.UNDELIVERED,
  ProviderMessageStatus.FAILED,
]);

/**
 * Which of these provider message ids are already recorded for an attempt. A lookup that can only match
 * on content (Twilio: recipient, body, date) skips them: a cardholder's alerts often have the same text
 * (the same purchase twice in a minute), and another attempt's message is not this attempt's.
 */
export type ClaimedMessages = (providerMessageIds: string[]) => Promise<ReadonlySet<string>>;

export interface OutboundSms {
  /** Our reference for this attempt, sent where the protocol carries one (Vonage client-ref). */
  attemptId: string;
  notificationId: string;
  /** E.164 */
  to: string;
  body: string;
  /** As ingest computed it from the body: adapters pick Vonage type=unicode / SMPP data_coding 8 from it. */
  encoding?: 'GSM-7' | 'UCS-2';
  /** The alert as a template; Aliyun and Tencent send this (with their signature) instead of the body. */
  template?: RenderedTemplate;
}

export interface SendResult {
  providerMessageId: string;
  /** Parts the provider split the message into, when it says. */
  segments?: number;
  /**
   * Every part's id where the provider gives one per part (Vonage, SMPP concatenation), first part first;
   * `providerMessageId` is the first. Receipts for any part are correlated through these.
   */
  partIds?: string[];
  /**
   * The exact text the handset gets, when it is not the alert's body (a template vendor's 【signature】
   * plus the filled template). `segments` is then counted on this text, the way the vendor bills it.
   */
  handsetText?: string;
}

/** A vendor's receipt in Alertline's words; receipts/ adds the provider's name and the time it arrived. */
export interface ParsedReceipt {
  providerMessageId: string;
  status: ProviderMessageStatus;
  /** The vendor's own status word, kept for the history. */
  providerStatus: string;
  errorCode?: string | null;
}

export interface ProviderStatusReport {
  providerMessageId: string;
  status: ProviderMessageStatus;
  /** The vendor's own status word, kept for the history. */
  providerStatus: string;
  errorCode?: string;
}

/**
 * How far a vendor's `findSent` can be believed when it finds nothing (docs/providers.md, "No blind second
 * send"). `reference`: it matches our attempt id carried in the request (Vonage client-ref, Aliyun OutId,
 * Tencent SessionContext); `content`: recipient, text and time (Twilio); `none`: it cannot be asked (SMPP:
 * query_sm needs the id a lost submit_sm_resp never gave us), so a send whose answer was lost stays unknown.
 */
export interface SentLookup {
  readonly by: 'reference' | 'content' | 'none';
  /** How long after the vendor took a message its lookup may still not show it (its read side's lag). */
  readonly visibilityLagMs: number;
}

/**
 * One narrow interface per SMS vendor. `send` resolves with the provider's message id or throws one of the
 * typed errors in provider.errors.ts; the vendor's codes are mapped inside the adapter, nowhere else.
 */
export interface SmsProvider {
  readonly name: ProviderName;
  /**
   * Why this provider cannot carry this message at all, known without asking it (a template-only vendor
   * and no template, or no code for it); undefined when it may. Asked before the breaker and before any
   * attempt is recorded: a message the provider was never asked about says nothing about its health.
   */
  cannotCarry?(template: RenderedTemplate | undefined): CannotSendMessageError | undefined;
  /** What a "no such message" from `findSent` is worth. */
  readonly lookup: SentLookup;
  send(sms: OutboundSms): Promise<SendResult>;
  /**
   * Did the provider take this attempt? Asked before resubmitting an attempt left in flight by a crash,
   * so a recovery never sends blindly. Resolves null when the provider has no such message.
   */
  findSent(sms: OutboundSms, since: Date, claimed?: ClaimedMessages): Promise<ProviderStatusReport | null>;
  /**
   * The provider's current status of a message it accepted; null when it cannot say. `sent` is for a
   * provider whose status query is keyed by recipient and day, not by message id (Aliyun QuerySendDetails).
   */
  fetchStatus(providerMessageId: string, sent?: SentMessageRef): Promise<ProviderStatusReport | null>;
  /** True for such a provider: the sweeper opens the sealed number for it, and for no other. */
  readonly statusNeedsRecipient?: boolean;
  /**
   * Receipts that arrive on the provider's own session rather than at a webhook (SMPP deliver_sm). The
   * listener resolves once the receipt is stored; only then may the provider acknowledge it.
   */
  onReceipt?(listener: (receipt: ParsedReceipt) => Promise<void>): void;
  /**
   * Texts cardholders send that arrive on the provider's own session (SMPP deliver_sm that is not a
   * receipt). As for receipts, the listener resolves once the text is stored; only then is it acknowledged.
   */
  onInbound?(listener: (sms: InboundSms) => Promise<void>): void;
}

/** A text a cardholder sent to one of our numbers (a reply to an alert), in Alertline's words. */
export interface InboundSms {
  /** The vendor's id of the inbound message: a redelivery carries the same one (the dedupe key). */
  providerMessageId: string;
  /** The sender, E.164 with its '+' when the vendor gives a full international number. */
  from: string;
  /** Our number it was sent to. */
  to: string;
  text: string;
}

/** Where inbound texts go once a vendor parsed them (replies/ provides it; receipts/ and the session call it). */
export interface InboundSmsSink {
  /** Resolves once every text is durable; only then may the vendor be told it was taken. */
  accept(provider: string, messages: readonly InboundSms[]): Promise<void>;
}

export const INBOUND_SMS_SINK = Symbol('INBOUND_SMS_SINK');

/** Where and when an accepted message went. */
export interface SentMessageRef {
  /** E.164 */
  to: string;
  acceptedAt: Date;
}

export const SMS_PROVIDERS = Symbol('SMS_PROVIDERS');
