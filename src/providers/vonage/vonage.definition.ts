import type { ProviderDefinition } from '../provider-definition';
import { VonageDlrWebhook } from './vonage-dlr.webhook';
import { VonageInboundWebhook } from './vonage-inbound.webhook';
import { vonageDlrOperation, vonageInboundOperation } from './vonage.openapi';
import { VonageProvider } from './vonage.provider';
import { vonageSettings } from './vonage.settings';

export const vonage: ProviderDefinition = {
  name: 'vonage',
  settings: vonageSettings,
  adapter: VonageProvider,
  receiptsPerPart: true,
  webhooks: {
    dlr: { handler: VonageDlrWebhook, openapi: vonageDlrOperation },
    inbound: { kind: 'inbound', handler: VonageInboundWebhook, openapi: vonageInboundOperation },
  },
};
