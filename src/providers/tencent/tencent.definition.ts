import type { ProviderDefinition } from '../provider-definition';
import { TencentStatusWebhook } from './tencent-status.webhook';
import { tencentStatusOperation } from './tencent.openapi';
import { TencentProvider } from './tencent.provider';
import { TENCENT_CALLBACK_OK } from './tencent.receipt';
import { tencentSettings } from './tencent.settings';

export const tencent: ProviderDefinition = {
  name: 'tencent',
  settings: tencentSettings,
  adapter: TencentProvider,
  // One SerialNo and one report per message, however many parts Tencent billed.
  receiptsPerPart: false,
  webhooks: {
    status: {
      handler: TencentStatusWebhook,
      // Tencent retries unless it reads result 0.
      reply: { status: 200, body: TENCENT_CALLBACK_OK },
      openapi: tencentStatusOperation,
    },
  },
};
