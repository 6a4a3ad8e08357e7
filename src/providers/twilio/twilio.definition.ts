import type { ProviderDefinition } from '../provider-definition';
import { TwilioStatusWebhook } from './twilio-status.webhook';
import { twilioStatusOperation } from './twilio.openapi';
import { TwilioProvider } from './twilio.provider';
import { twilioSettings } from './twilio.settings';

export const twilio: ProviderDefinition = {
  name: 'twilio',
  settings: twilioSettings,
  adapter: TwilioProvider,
  receiptsPerPart: false,
  webhooks: { status: { handler: TwilioStatusWebhook, openapi: twilioStatusOperation } },
};
