import { vonage } from '../../providers/vonage/vonage.definition';
import type { SandboxEmulator } from '../sandbox-emulator';
import { VonageApiController } from './vonage-api.controller';
import { VonageApiService } from './vonage-api.service';
import { VonageInboundSender } from './vonage-inbound.sender';

/** Vonage's SMS API, Message Search and its signed DLRs. */
export const vonageEmulator: SandboxEmulator = {
  provider: vonage,
  controllers: [VonageApiController],
  services: [VonageApiService, VonageInboundSender],
  receipts: VonageApiService,
  inbound: VonageInboundSender,
};
