import { twilio } from '../../providers/twilio/twilio.definition';
import type { SandboxEmulator } from '../sandbox-emulator';
import { TwilioApiController } from './twilio-api.controller';
import { TwilioApiService } from './twilio-api.service';
import { TwilioInboundSender } from './twilio-inbound.sender';

/** Twilio's Programmable Messaging REST API and its signed status callbacks. */
export const twilioEmulator: SandboxEmulator = {
  provider: twilio,
  controllers: [TwilioApiController],
  services: [TwilioApiService, TwilioInboundSender],
  receipts: TwilioApiService,
  inbound: TwilioInboundSender,
};
