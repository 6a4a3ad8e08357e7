import { z } from 'zod';
import { settingTypes } from '../../config/config.schema';
import { providerUrl, sandboxValue } from '../../config/production.rules';
import type { VendorSettings } from '../../config/vendor-settings';

/** The sandbox's Twilio account: the defaults, so the demo and the tests need no settings. */
const SANDBOX = {
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
  TWILIO_AUTH_TOKEN: 'sandbox-twilio-auth-token',
  TWILIO_BASE_URL: 'http://127.0.0.1:3010',
} as const;

const shape = {
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 hex digits')
    .default(SANDBOX.TWILIO_ACCOUNT_SID),
  TWILIO_AUTH_TOKEN: z.string().min(8).default(SANDBOX.TWILIO_AUTH_TOKEN),
  TWILIO_FROM: z.string().min(1).default('+15005550006'),
  // Unset: the SDK's own host in production, the sandbox elsewhere (sandboxUrls).
  TWILIO_BASE_URL: settingTypes.httpUrl.optional(),
};

export const twilioSettings: VendorSettings<typeof shape> = {
  provider: 'twilio',
  shape,
  sandboxDefaults: SANDBOX,
  sandboxUrls: { TWILIO_BASE_URL: SANDBOX.TWILIO_BASE_URL },
  production: [
    // The auth token also signs status callbacks: checked whatever PROVIDERS says.
    { setting: 'TWILIO_AUTH_TOKEN', always: true, refuse: sandboxValue(SANDBOX.TWILIO_AUTH_TOKEN) },
    { setting: 'TWILIO_ACCOUNT_SID', refuse: sandboxValue(SANDBOX.TWILIO_ACCOUNT_SID) },
    { setting: 'TWILIO_BASE_URL', refuse: providerUrl },
  ],
  secrets: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'],
  defaultRatePerSecond: 100,
};
