import type { Provider, Type } from '@nestjs/common';
import type { Request } from 'express';
import type { VendorSettings } from '../config/vendor-settings';
import type { InboundSms, ParsedReceipt, SmsProvider } from './provider.interface';

/**
 * Everything Alertline knows about one SMS vendor, in the vendor's own folder (providers/<vendor>/) and
 * listed once in provider.registry.ts. Config validation, the failover route, the receipt webhook, the
 * OpenAPI document, the sandbox and the docs read the registry; nothing else names a vendor.
 */
export interface ProviderDefinition {
  /** Its name in PROVIDERS, in metric labels, in the database and in its webhook URLs. */
  readonly name: string;
  /** Its settings block: validated with the core settings at start-up, read via AppConfig.vendor. */
  readonly settings: VendorSettings;
  /** Its SmsProvider, instantiated in the dispatcher role only. */
  readonly adapter: Type<SmsProvider>;
  /** Classes the adapter needs beside it in the dispatcher (an SMPP session). */
  readonly adapterDeps?: readonly Provider[];
  /**
   * True when it reports each part of a long message separately (Vonage DLRs, SMPP deliver_sm): its
   * receipts are then correlated through the parts' ids (receipts/multipart-receipts.ts).
   */
  readonly receiptsPerPart: boolean;
  /** Its receipt and inbound webhooks by hook name, served at POST /webhooks/<name>/<hook> (api role). */
  readonly webhooks: Readonly<Record<string, WebhookDefinition>>;
}

interface WebhookCommon {
  /** The answer once its receipts are stored, when the vendor expects one; unset: 204 without a body. */
  readonly reply?: {
    readonly status: number;
    readonly body: unknown;
    /** Sent as this type with the body as text (Twilio's TwiML); unset: the body as JSON. */
    readonly contentType?: string;
  };
  /** The POST operation of /webhooks/<name>/<hook> in the OpenAPI document. */
  readonly openapi: Readonly<Record<string, unknown>>;
}

/** A delivery-receipt callback (the default kind). */
export interface ReceiptWebhookDefinition extends WebhookCommon {
  readonly kind?: 'receipts';
  /** Authenticates and parses the vendor's callback; an injectable class (it may read AppConfig, Clock). */
  readonly handler: Type<ReceiptWebhook>;
}

/** Texts cardholders sent to our numbers (replies to alerts), authenticated like receipts. */
export interface InboundWebhookDefinition extends WebhookCommon {
  readonly kind: 'inbound';
  readonly handler: Type<InboundWebhook>;
}

export type WebhookDefinition = ReceiptWebhookDefinition | InboundWebhookDefinition;

/** Why a receipt webhook was refused: the status label of alertline_receipts_total. */
export type RefusalReason = 'BAD_SIGNATURE' | 'STALE_TIMESTAMP';

export interface WebhookRefused {
  reason: RefusalReason;
  /** The 403's message. */
  message: string;
}

/**
 * One vendor callback. receipts/ runs authenticate, then (when authentic) parse, then hands what it carries
 * on (receipts applied forward only, inbound texts to the replies); counting and throttling refusals,
 * locking and the forward-only rules are receipts/' business, not the vendor's.
 */
export interface VendorWebhook<T> {
  /** Null when the request is the vendor's (signature, signed-time window), else why it is refused. */
  authenticate(req: Request): WebhookRefused | null | Promise<WebhookRefused | null>;
  /** What an authentic request carries; throws BadRequestException (400) when it is malformed. */
  parse(req: Request): T[];
}

export type ReceiptWebhook = VendorWebhook<ParsedReceipt>;
export type InboundWebhook = VendorWebhook<InboundSms>;
