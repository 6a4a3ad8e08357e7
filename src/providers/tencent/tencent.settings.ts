import { z } from 'zod';
import { settingTypes } from '../../config/config.schema';
import { providerUrl, sandboxValue } from '../../config/production.rules';
import type { VendorSettings } from '../../config/vendor-settings';
import { parseTencentTemplates } from './tencent.templates';

/** The sandbox's Tencent Cloud values: the defaults outside production, each refused in production. */
export const TENCENT_SANDBOX = {
  TENCENT_SECRET_ID: 'AKIDsandboxAlertlineTencentSecretId00',
  TENCENT_SECRET_KEY: 'sandbox-tencent-secret-key',
  TENCENT_SMS_SDK_APP_ID: '1400000001',
  TENCENT_TEMPLATES:
    'card_authorised:zh-CN=1000001,card_authorised:en=1000002,card_reversed_full:zh-CN=1000003,card_reversed_full:en=1000004,card_reversed_partial:zh-CN=1000005,card_reversed_partial:en=1000006,card_refunded_full:zh-CN=1000007,card_refunded_full:en=1000008,card_refunded_partial:zh-CN=1000009,card_refunded_partial:en=1000010',
  TENCENT_CALLBACK_TOKEN: 'sandbox-tencent-callback-token',
  TENCENT_SMS_ENDPOINT: 'http://127.0.0.1:3010/tencent',
} as const;

/** Tencent's own API host, used in production when TENCENT_SMS_ENDPOINT is unset. */
export const TENCENT_PRODUCTION_ENDPOINT = 'https://sms.tencentcloudapi.com';
const PRODUCTION_TOKEN_MIN_LENGTH = 32;

const templates = z
  .string()
  .default(TENCENT_SANDBOX.TENCENT_TEMPLATES)
  .superRefine((s, ctx) => {
    try {
      parseTencentTemplates(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });

const shape = {
  // API 3.0 credentials (CAM): signs every request (TC3-HMAC-SHA256).
  TENCENT_SECRET_ID: z.string().min(1).max(128).default(TENCENT_SANDBOX.TENCENT_SECRET_ID),
  TENCENT_SECRET_KEY: z.string().min(8).max(256).default(TENCENT_SANDBOX.TENCENT_SECRET_KEY),
  TENCENT_SMS_SDK_APP_ID: z
    .string()
    .regex(/^\d{6,12}$/, 'must be the numeric SmsSdkAppId, e.g. 1400006666')
    .default(TENCENT_SANDBOX.TENCENT_SMS_SDK_APP_ID),
  // The approved signature name Tencent puts in 【】 before the text: 2-12 Chinese, Latin or digit characters.
  TENCENT_SIGN_NAME: z
    .string()
    .regex(/^[\p{Script=Han}A-Za-z0-9]{2,12}$/u, 'must be 2-12 Chinese, Latin or digit characters')
    .default('Alertline银行'),
  // key:locale=TemplateId per template the renderer uses, in both locales.
  TENCENT_TEMPLATES: templates,
  // SMS is served from ap-beijing, ap-guangzhou and ap-nanjing.
  TENCENT_REGION: z.enum(['ap-beijing', 'ap-guangzhou', 'ap-nanjing']).default('ap-guangzhou'),
  // Unset: the sandbox outside production, https://sms.tencentcloudapi.com in production.
  TENCENT_SMS_ENDPOINT: settingTypes.httpUrl.optional(),
  // The secret in the status callback's URL (/webhooks/tencent/status?token=...): Tencent signs nothing.
  TENCENT_CALLBACK_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16-256 characters of A-Z a-z 0-9 _ -')
    .default(TENCENT_SANDBOX.TENCENT_CALLBACK_TOKEN),
  // A status report whose user_receive_time is older than this is not applied (72 h: Tencent's own
  // send-record query horizon).
  TENCENT_RECEIPT_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(604800).default(259200),
};

/**
 * Tencent Cloud SMS's settings. The callback token is checked in production whatever PROVIDERS says (the
 * webhook is always mounted, and a known token lets anyone post receipts); the rest only when tencent is
 * in PROVIDERS.
 */
export const tencentSettings: VendorSettings<typeof shape> = {
  provider: 'tencent',
  shape,
  sandboxDefaults: TENCENT_SANDBOX,
  sandboxUrls: { TENCENT_SMS_ENDPOINT: TENCENT_SANDBOX.TENCENT_SMS_ENDPOINT },
  production: [
    {
      setting: 'TENCENT_CALLBACK_TOKEN',
      always: true,
      refuse: (v: unknown) =>
        sandboxValue(TENCENT_SANDBOX.TENCENT_CALLBACK_TOKEN)(v) ??
        (typeof v === 'string' && v.length < PRODUCTION_TOKEN_MIN_LENGTH
          ? `must be at least ${PRODUCTION_TOKEN_MIN_LENGTH} characters in production (e.g. openssl rand -hex 32)`
          : undefined),
    },
    { setting: 'TENCENT_SECRET_ID', refuse: sandboxValue(TENCENT_SANDBOX.TENCENT_SECRET_ID) },
    { setting: 'TENCENT_SECRET_KEY', refuse: sandboxValue(TENCENT_SANDBOX.TENCENT_SECRET_KEY) },
    { setting: 'TENCENT_SMS_SDK_APP_ID', refuse: sandboxValue(TENCENT_SANDBOX.TENCENT_SMS_SDK_APP_ID) },
    { setting: 'TENCENT_TEMPLATES', refuse: sandboxValue(TENCENT_SANDBOX.TENCENT_TEMPLATES) },
    { setting: 'TENCENT_SMS_ENDPOINT', refuse: providerUrl },
  ],
  secrets: ['TENCENT_SECRET_ID', 'TENCENT_SECRET_KEY', 'TENCENT_CALLBACK_TOKEN'],
  defaultRatePerSecond: 50,
};
