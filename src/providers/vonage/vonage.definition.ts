import type { ProviderDefinition } from '../provider-definition';
import { VonageDlrWebhook } from './vonage-dlr.webhook';
import { vonageDlrOperation } from './vonage.openapi';
import { VonageProvider } from './vonage.provider';
import { vonageSettings } from './vonage.settings';

export const vonage: ProviderDefinition = {
  name: 'vonage',
  settings: vonageSettings,
  adapter: VonageProvider,
  receiptsPerPart: true,
  webhooks: { dlr: { handler: VonageDlrWebhook, openapi: vonageDlrOperation } },
};
