import { aliyunEmulator } from './aliyun/aliyun.emulator';
import type { SandboxEmulator } from './sandbox-emulator';
import { smppEmulator } from './smpp/smpp.emulator';
import { tencentEmulator } from './tencent/tencent.emulator';
import { twilioEmulator } from './twilio/twilio.emulator';
import { vonageEmulator } from './vonage/vonage.emulator';

/** Every provider the sandbox emulates, one line each (docs/providers.md, "Adding a provider"). */
export const SANDBOX_EMULATORS: readonly SandboxEmulator[] = [
  twilioEmulator,
  vonageEmulator,
  smppEmulator,
  aliyunEmulator,
  tencentEmulator,
];

/** Their names, the product registry's: what the control API's `:provider` and `?provider=` accept. */
export const SANDBOX_PROVIDERS: readonly string[] = SANDBOX_EMULATORS.map((e) => e.provider.name);
