import { FactoryProvider, Type } from '@nestjs/common';
import type {
  InboundWebhook,
  ProviderDefinition,
  ReceiptWebhook,
  VendorWebhook,
  WebhookDefinition,
} from '../providers/provider-definition';
import { PROVIDER_REGISTRY } from '../providers/provider.registry';

interface RegisteredWebhook {
  provider: ProviderDefinition;
  /** Its name in the provider's `webhooks`: the URL's last segment. */
  hook: string;
  definition: WebhookDefinition;
  handler: VendorWebhook<unknown>;
}

/** A registered webhook with its handler, told apart by what it carries (receipts or inbound texts). */
export type ResolvedWebhook = Omit<RegisteredWebhook, 'handler'> &
  ({ kind: 'receipts'; handler: ReceiptWebhook } | { kind: 'inbound'; handler: InboundWebhook });

/** The registry's webhooks by URL: POST /webhooks/<provider>/<hook>. */
export class ReceiptWebhooks {
  private readonly byPath = new Map<string, ResolvedWebhook>();

  constructor(webhooks: RegisteredWebhook[]) {
    for (const w of webhooks) {
      // The definition's kind says which handler interface its class implements (provider-definition.ts).
      const resolved = { ...w, kind: w.definition.kind ?? 'receipts' } as ResolvedWebhook;
      this.byPath.set(`${w.provider.name}/${w.hook}`, resolved);
    }
  }

  /** The webhook at /webhooks/<provider>/<hook>, or undefined (a 404). */
  find(provider: string, hook: string): ResolvedWebhook | undefined {
    return this.byPath.get(`${provider}/${hook}`);
  }
}

const registered = PROVIDER_REGISTRY.flatMap((provider) =>
  Object.entries(provider.webhooks).map(([hook, definition]) => ({ provider, hook, definition })),
);

/** Every registered webhook's handler class, for the api role's module. */
export const WEBHOOK_HANDLERS: Type<VendorWebhook<unknown>>[] = registered.map((w) => w.definition.handler);

export const receiptWebhooksProvider: FactoryProvider<ReceiptWebhooks> = {
  provide: ReceiptWebhooks,
  inject: WEBHOOK_HANDLERS,
  useFactory: (...handlers: VendorWebhook<unknown>[]) =>
    new ReceiptWebhooks(registered.map((w, i) => ({ ...w, handler: handlers[i] }))),
};
