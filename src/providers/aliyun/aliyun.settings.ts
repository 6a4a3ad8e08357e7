import { z } from 'zod';
import { settingTypes } from '../../config/config.schema';
import { providerUrl, sandboxValue } from '../../config/production.rules';
import type { VendorSettings } from '../../config/vendor-settings';
import { AliyunTemplateCodes, parseAliyunTemplates } from './aliyun.templates';

/** The sandbox's Aliyun account: the defaults, so the demo and the tests need no settings. */
const SANDBOX = {
  ALIYUN_ACCESS_KEY_ID: 'LTAIsandboxAlertline',
  ALIYUN_ACCESS_KEY_SECRET: 'sandbox-aliyun-access-key-secret',
  ALIYUN_RECEIPT_SECRET: 'sandbox-aliyun-receipt-path-secret-0000',
  ALIYUN_TEMPLATES:
    'card_authorised:zh-CN=SMS_900000001,card_authorised:en=SMS_900000002,card_reversed_full:zh-CN=SMS_900000003,card_reversed_full:en=SMS_900000004,card_reversed_partial:zh-CN=SMS_900000005,card_reversed_partial:en=SMS_900000006,card_refunded_full:zh-CN=SMS_900000007,card_refunded_full:en=SMS_900000008,card_refunded_partial:zh-CN=SMS_900000009,card_refunded_partial:en=SMS_900000010',
  ALIYUN_ENDPOINT: 'http://127.0.0.1:3010',
} as const;

/** Aliyun's own SMS API host: the endpoint in production when ALIYUN_ENDPOINT is unset. */
export const ALIYUN_PRODUCTION_ENDPOINT = 'https://dysmsapi.aliyuncs.com';

const templates = z
  .string()
  .default(SANDBOX.ALIYUN_TEMPLATES)
  .transform((value, ctx): AliyunTemplateCodes => {
    try {
      return parseAliyunTemplates(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const shape = {
  ALIYUN_ACCESS_KEY_ID: z.string().min(1).max(128).default(SANDBOX.ALIYUN_ACCESS_KEY_ID),
  ALIYUN_ACCESS_KEY_SECRET: z.string().min(8).max(256).default(SANDBOX.ALIYUN_ACCESS_KEY_SECRET),
  // The signature Aliyun approved for the bank, shown as 【...】 on the handset (2 to 12 characters).
  ALIYUN_SIGN_NAME: z.string().min(2).max(12).default('Alertline银行'),
  // key:locale=TemplateCode for every template and locale Alertline renders (aliyun.templates.ts).
  ALIYUN_TEMPLATES: templates,
  // http(s)://host[:port]. Unset: the sandbox outside production, dysmsapi.aliyuncs.com in production.
  ALIYUN_ENDPOINT: settingTypes.httpUrl.optional(),
  // Aliyun signs no SmsReport push: this secret is the last path segment of the receipt URL configured in
  // the Aliyun console (docs/providers.md, "Aliyun").
  ALIYUN_RECEIPT_SECRET: z
    .string()
    .min(32)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only (it is a URL path segment)')
    .default(SANDBOX.ALIYUN_RECEIPT_SECRET),
  // Where the sandbox pushes SmsReport batches (the console's HTTP batch push URL, less the token).
  // Unset: PUBLIC_BASE_URL/webhooks/aliyun/report.
  SANDBOX_ALIYUN_REPORT_URL: settingTypes.httpUrl.optional(),
};

const sandboxTemplates = parseAliyunTemplates(SANDBOX.ALIYUN_TEMPLATES);

export const aliyunSettings: VendorSettings<typeof shape> = {
  provider: 'aliyun',
  shape,
  sandboxDefaults: SANDBOX,
  sandboxUrls: { ALIYUN_ENDPOINT: SANDBOX.ALIYUN_ENDPOINT },
  production: [
    // The receipt secret authenticates SmsReport pushes: checked whatever PROVIDERS says.
    { setting: 'ALIYUN_RECEIPT_SECRET', always: true, refuse: sandboxValue(SANDBOX.ALIYUN_RECEIPT_SECRET) },
    { setting: 'ALIYUN_ACCESS_KEY_ID', refuse: sandboxValue(SANDBOX.ALIYUN_ACCESS_KEY_ID) },
    { setting: 'ALIYUN_ACCESS_KEY_SECRET', refuse: sandboxValue(SANDBOX.ALIYUN_ACCESS_KEY_SECRET) },
    { setting: 'ALIYUN_ENDPOINT', refuse: providerUrl },
    {
      setting: 'ALIYUN_TEMPLATES',
      refuse: (v) =>
        [...(v as AliyunTemplateCodes)].some(([ref, code]) => sandboxTemplates.get(ref) === code)
          ? 'holds the sandbox’s template codes (the default when unset); production needs the codes Aliyun approved'
          : undefined,
    },
  ],
  secrets: ['ALIYUN_ACCESS_KEY_ID', 'ALIYUN_ACCESS_KEY_SECRET', 'ALIYUN_RECEIPT_SECRET'],
  defaultRatePerSecond: 50,
};
