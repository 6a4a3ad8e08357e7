import { z } from 'zod';
import { settingTypes } from '../../config/config.schema';
import { isLoopbackHost, sandboxValue } from '../../config/production.rules';
import type { VendorSettings } from '../../config/vendor-settings';

/** The sandbox's SMSC: the defaults, so the demo and the tests need no settings. */
const SANDBOX = { SMPP_PASSWORD: 'sandbox', SMPP_HOST: '127.0.0.1' } as const;
const { port, positiveInt } = settingTypes;

const shape = {
  // SMPP bind credentials (SMPP 3.4: system_id at most 15 characters, password at most 8).
  SMPP_SYSTEM_ID: z.string().min(1).max(15).default('alertline'),
  SMPP_PASSWORD: z.string().min(1).max(8).default(SANDBOX.SMPP_PASSWORD),
  // The SMSC the dispatcher binds to as an ESME.
  SMPP_HOST: z.string().min(1).default(SANDBOX.SMPP_HOST),
  SMPP_PORT: port.default(2775),
  SMPP_SOURCE_ADDR: z.string().min(1).max(20).default('AlertlineBk'),
  SMPP_ENQUIRE_LINK_MS: positiveInt.default(30000),
  // Reconnect backoff after a refused bind or a dropped session: doubles from 250 ms up to this.
  SMPP_RECONNECT_MAX_MS: positiveInt.default(30000),
  // Where the sandbox's SMSC listens (role sandbox).
  SANDBOX_SMPP_PORT: port.default(2775),
  SANDBOX_SMPP_HOST: z.string().min(1).default('127.0.0.1'),
};

export const smppSettings: VendorSettings<typeof shape> = {
  provider: 'smpp',
  shape,
  sandboxDefaults: SANDBOX,
  production: [
    { setting: 'SMPP_PASSWORD', refuse: sandboxValue(SANDBOX.SMPP_PASSWORD) },
    {
      setting: 'SMPP_HOST',
      refuse: (v) =>
        isLoopbackHost(String(v))
          ? `is ${String(v)}, this machine (the sandbox’s SMSC is the default); set your SMSC’s host`
          : undefined,
    },
  ],
  secrets: ['SMPP_SYSTEM_ID', 'SMPP_PASSWORD'],
  defaultRatePerSecond: 50,
};
