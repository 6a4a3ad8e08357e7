import { FactoryProvider, Type } from '@nestjs/common';
import type { ProviderDefinition, ReceiptWebhook, WebhookDefinition } from '../providers/provider-definition';
import { PROVIDER_REGISTRY } from '../providers/provider.registry';

export interface ResolvedWebhook {
  provider: ProviderDefinition;
  definition: WebhookDefinition;
  handler: ReceiptWebhook;
}

/** The registry's receipt webhooks by URL: POST /webhooks/<provider>/<hook>. */
export class ReceiptWebhooks {
  private readonly byPath = new Map<string, ResolvedWebhook>();

  constructor(webhooks: ResolvedWebhook[]) {
    for (const w of webhooks) {
      const hook = Object.entries(w.provider.webhooks).find(([, d]) => d === w.definition)?.[0];
      this.byPath.set(`${w.provider.name}/${hook}`, w);
    }
  }

  /** The webhook at /webhooks/<provider>/<hook>, or undefined (a 404). */
  find(provider: string, hook: string): ResolvedWebhook | undefined {
    return this.byPath.get(`${provider}/${hook}`);
  }
}

const registered = PROVIDER_REGISTRY.flatMap((provider) =>
  Object.values(provider.webhooks).map((definition) => ({ provider, definition })),
);

/** Every registered webhook's handler class, for the api role's module. */
export const WEBHOOK_HANDLERS: Type<ReceiptWebhook>[] = registered.map((w) => w.definition.handler);

export const receiptWebhooksProvider: FactoryProvider<ReceiptWebhooks> = {
  provide: ReceiptWebhooks,
  inject: WEBHOOK_HANDLERS,
  useFactory: (...handlers: ReceiptWebhook[]) =>
    new ReceiptWebhooks(registered.map((w, i) => ({ ...w, handler: handlers[i] }))),
};
