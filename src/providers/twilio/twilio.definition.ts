import type { ProviderDefinition } from '../provider-definition';
import { TWILIO_EMPTY_TWIML, TwilioInboundWebhook } from './twilio-inbound.webhook';
import { TwilioStatusWebhook } from './twilio-status.webhook';
import { twilioInboundOperation, twilioStatusOperation } from './twilio.openapi';
import { TwilioProvider } from './twilio.provider';
import { twilioSettings } from './twilio.settings';

export const twilio: ProviderDefinition = {
  name: 'twilio',
  settings: twilioSettings,
  adapter: TwilioProvider,
  receiptsPerPart: false,
  webhooks: {
    status: { handler: TwilioStatusWebhook, openapi: twilioStatusOperation },
    inbound: {
      kind: 'inbound',
      handler: TwilioInboundWebhook,
      openapi: twilioInboundOperation,
      reply: { status: 200, body: TWILIO_EMPTY_TWIML, contentType: 'text/xml' },
    },
  },
};
