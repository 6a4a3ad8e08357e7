import { ExecutionContext } from '@nestjs/common';
import { RequestThrottle } from '../../auth/request-throttle';
import { AppConfig } from '../../config/app-config';
import { Metrics } from '../../metrics/metrics.service';
import type { ProviderDefinition, VendorWebhook } from '../../providers/provider-definition';
import { ReceiptWebhookGuard } from '../receipt-webhook.guard';
import { ReceiptWebhooks } from '../receipt-webhooks';
import { WebhookRefusal } from '../webhook-refusal';

/**
 * The api's guard over one vendor webhook, as the module wires it: the vendor's authentication, then
 * receipts/' counting and throttling of refusals. `run(req)` adds the route's parameters to the request.
 */
export function webhookGuard(
  config: AppConfig,
  provider: ProviderDefinition,
  hook: string,
  handler: VendorWebhook<unknown>,
) {
  const metrics = new Metrics();
  const webhooks = new ReceiptWebhooks([{ provider, hook, definition: provider.webhooks[hook], handler }]);
  const guard = new ReceiptWebhookGuard(
    webhooks,
    new WebhookRefusal(new RequestThrottle(config, metrics), metrics),
  );
  const headers: Record<string, string> = {};
  const run = (req: object) => {
    const request = { ...req, params: { provider: provider.name, hook } };
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) };
    const http = { getRequest: () => request, getResponse: () => res };
    return guard.canActivate({ switchToHttp: () => http } as unknown as ExecutionContext);
  };
  return { run, headers, metrics };
}
