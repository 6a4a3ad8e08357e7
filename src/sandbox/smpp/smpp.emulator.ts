import { smpp } from '../../providers/smpp/smpp.definition';
import type { SandboxEmulator } from '../sandbox-emulator';
import { SmppSmsc } from './smpp-server';

/** An SMSC on SANDBOX_SMPP_PORT: binds, submit_sm, query_sm and deliver_sm receipts over TCP. */
export const smppEmulator: SandboxEmulator = {
  provider: smpp,
  controllers: [],
  services: [SmppSmsc],
  receipts: SmppSmsc,
  inbound: SmppSmsc,
};
