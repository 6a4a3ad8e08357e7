import { z } from 'zod';
import { settingTypes } from '../../config/config.schema';
import { providerUrl, sandboxValue } from '../../config/production.rules';
import type { VendorSettings } from '../../config/vendor-settings';
import { VONAGE_SIGNATURE_METHODS } from './vonage-signature';

/** The sandbox's Vonage account: the defaults, so the demo and the tests need no settings. */
const SANDBOX = {
  VONAGE_API_KEY: 'sandboxkey',
  VONAGE_API_SECRET: 'sandbox-vonage-secret',
  VONAGE_SIGNATURE_SECRET: 'sandbox-vonage-signature-secret',
  VONAGE_BASE_URL: 'http://127.0.0.1:3010',
  SANDBOX_VONAGE_DLR_URL: 'http://127.0.0.1:3000/webhooks/vonage/dlr',
} as const;

// Vonage SMS API credentials; the defaults are the sandbox's. The signature secret signs DLRs.
const shape = {
  VONAGE_API_KEY: z.string().min(1).default(SANDBOX.VONAGE_API_KEY),
  VONAGE_API_SECRET: z.string().min(1).default(SANDBOX.VONAGE_API_SECRET),
  VONAGE_SIGNATURE_SECRET: z.string().min(8).default(SANDBOX.VONAGE_SIGNATURE_SECRET),
  VONAGE_SIGNATURE_METHOD: z.enum(VONAGE_SIGNATURE_METHODS).default('sha256'),
  // Alphanumeric sender ids are at most 11 characters.
  VONAGE_FROM: z.string().min(1).max(15).default('AlertlineBk'),
  // Unset: the SDK's own rest host in production, the sandbox elsewhere (sandboxUrls).
  VONAGE_BASE_URL: settingTypes.httpUrl.optional(),
  // Where the sandbox posts Vonage DLRs when a send names no `callback` (Vonage's account-level DLR URL).
  SANDBOX_VONAGE_DLR_URL: settingTypes.httpUrl.default(SANDBOX.SANDBOX_VONAGE_DLR_URL),
};

export const vonageSettings: VendorSettings<typeof shape> = {
  provider: 'vonage',
  shape,
  sandboxDefaults: SANDBOX,
  sandboxUrls: { VONAGE_BASE_URL: SANDBOX.VONAGE_BASE_URL },
  production: [
    // The signature secret authenticates DLRs: checked whatever PROVIDERS says.
    {
      setting: 'VONAGE_SIGNATURE_SECRET',
      always: true,
      refuse: sandboxValue(SANDBOX.VONAGE_SIGNATURE_SECRET),
    },
    { setting: 'VONAGE_API_KEY', refuse: sandboxValue(SANDBOX.VONAGE_API_KEY) },
    { setting: 'VONAGE_API_SECRET', refuse: sandboxValue(SANDBOX.VONAGE_API_SECRET) },
    { setting: 'VONAGE_BASE_URL', refuse: providerUrl },
  ],
  secrets: ['VONAGE_API_KEY', 'VONAGE_API_SECRET', 'VONAGE_SIGNATURE_SECRET'],
  defaultRatePerSecond: 50,
};
