import { FactoryProvider, Type } from '@nestjs/common';
import type { ProviderDefinition, ReceiptWebhook, WebhookDefinition } from '../providers/provider-definition';
import { PROVIDER_REGISTRY } from '../providers/provider.registry';

export interface ResolvedWebhook {
  provider: ProviderDefinition;
  /** Its name in the provider's `webhooks`: the URL's last segment. */
  hook: string;
  definition: WebhookDefinition;
  handler: ReceiptWebhook;
}

/** The registry's receipt webhooks by URL: POST /webhooks/<provider>/<hook>. */
export class ReceiptWebhooks {
  private readonly byPath = new Map<string, ResolvedWebhook>();

  constructor(webhooks: ResolvedWebhook[]) {
    for (const w of webhooks) this.byPath.set(`${w.provider.name}/${w.hook}`, w);
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
export const WEBHOOK_HANDLERS: Type<ReceiptWebhook>[] = registered.map((w) => w.definition.handler);

export const receiptWebhooksProvider: FactoryProvider<ReceiptWebhooks> = {
  provide: ReceiptWebhooks,
  inject: WEBHOOK_HANDLERS,
  useFactory: (...handlers: ReceiptWebhook[]) =>
    new ReceiptWebhooks(registered.map((w, i) => ({ ...w, handler: handlers[i] }))),
};
