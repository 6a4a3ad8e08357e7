import { CanActivate, ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import type { Request } from 'express';
import { ReceiptWebhooks, ResolvedWebhook } from './receipt-webhooks';
import { WebhookRefusal } from './webhook-refusal';

/** The request's webhook from its URL; 404 for a provider or hook the registry does not have. */
export function webhookOf(webhooks: ReceiptWebhooks, req: Request): ResolvedWebhook {
  const params = (req.params ?? {}) as Record<string, string | undefined>;
  const found = webhooks.find(params.provider ?? '', params.hook ?? '');
  if (!found) throw new NotFoundException(`no receipt webhook at ${req.path}`);
  return found;
}

/**
 * Runs the vendor's authentication of a receipt webhook before its body is read. A refusal (bad
 * signature, stale signed timestamp) is counted and answered 403, or 429 once the source has spent its
 * refusals (WebhookRefusal).
 */
@Injectable()
export class ReceiptWebhookGuard implements CanActivate {
  constructor(
    private readonly webhooks: ReceiptWebhooks,
    private readonly refusal: WebhookRefusal,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const webhook = webhookOf(this.webhooks, req);
    const refused = await webhook.handler.authenticate(req);
    if (refused) {
      return this.refusal.refuse(context, webhook.provider.name, refused.reason, refused.message);
    }
    return true;
  }
}
