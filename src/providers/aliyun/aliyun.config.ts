import { z } from 'zod';
import { isLoopbackHost } from '../../config/production.rules';
import { AliyunTemplateCodes, parseAliyunTemplates } from './aliyun.templates';

/** The sandbox's values: the defaults, so the demo and tests need no settings; production refuses them. */
export const ALIYUN_SANDBOX_DEFAULTS = {
  ALIYUN_ACCESS_KEY_ID: 'LTAIsandboxAlertline',
  ALIYUN_ACCESS_KEY_SECRET: 'sandbox-aliyun-access-key-secret',
  ALIYUN_RECEIPT_SECRET: 'sandbox-aliyun-receipt-path-secret-0000',
  ALIYUN_TEMPLATES: 'card_authorised:zh-CN=SMS_900000001,card_authorised:en=SMS_900000002',
} as const;
export const ALIYUN_SANDBOX_ENDPOINT = 'http://127.0.0.1:3010';
/** Aliyun's own SMS API host (the SDK's endpoint for every region of the mainland service). */
export const ALIYUN_PRODUCTION_ENDPOINT = 'https://dysmsapi.aliyuncs.com';

export const aliyunShape = {
  ALIYUN_ACCESS_KEY_ID: z.string().min(1).max(128).default(ALIYUN_SANDBOX_DEFAULTS.ALIYUN_ACCESS_KEY_ID),
  ALIYUN_ACCESS_KEY_SECRET: z
    .string()
    .min(8)
    .max(256)
    .default(ALIYUN_SANDBOX_DEFAULTS.ALIYUN_ACCESS_KEY_SECRET),
  // The signature Aliyun approved for the bank (【...】 on the handset); 2 to 12 characters.
  ALIYUN_SIGN_NAME: z.string().min(2).max(12).default('Alertline Bank'.slice(0, 12)),
  // key:locale=TemplateCode for every template and locale we render (aliyun.templates.ts).
  ALIYUN_TEMPLATES: z
    .string()
    .default(ALIYUN_SANDBOX_DEFAULTS.ALIYUN_TEMPLATES)
    .transform((value, ctx): AliyunTemplateCodes => {
      try {
        return parseAliyunTemplates(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  // http(s)://host[:port]. Unset: the sandbox outside production, dysmsapi.aliyuncs.com in production.
  ALIYUN_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  // Aliyun signs no SmsReport push: this secret is the last path segment of the receipt URL configured in
  // the Aliyun console, compared in constant time (docs/providers.md, Aliyun receipts).
  ALIYUN_RECEIPT_SECRET: z
    .string()
    .min(32)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, 'URL-safe characters only (it is a path segment)')
    .default(ALIYUN_SANDBOX_DEFAULTS.ALIYUN_RECEIPT_SECRET),
  // Where the sandbox pushes SmsReport batches (the console's "HTTP batch push" URL, without the secret).
  SANDBOX_ALIYUN_REPORT_URL: z
    .url({ protocol: /^https?$/ })
    .default('http://127.0.0.1:3000/webhooks/aliyun/report'),
};

export type AliyunSettings = z.output<z.ZodObject<typeof aliyunShape>>;

/** An endpoint URL split the way the SDK takes it: `endpoint` host[:port] and `protocol`. */
export function sdkEndpoint(url: string): { endpoint: string; protocol: 'http' | 'https' } {
  const u = new URL(url);
  return { endpoint: u.host, protocol: u.protocol === 'http:' ? 'http' : 'https' };
}

/** The endpoint to use: the setting, else the sandbox outside production and Aliyun's host in production. */
export function aliyunEndpoint(configured: string | undefined, production: boolean): string {
  return configured ?? (production ? ALIYUN_PRODUCTION_ENDPOINT : ALIYUN_SANDBOX_ENDPOINT);
}

/** Production problems of the Aliyun block, one per setting. `used`: aliyun is in PROVIDERS. */
export function aliyunProductionProblems(
  c: Pick<AliyunSettings, keyof typeof ALIYUN_SANDBOX_DEFAULTS | 'ALIYUN_ENDPOINT'>,
  used: boolean,
): Array<{ setting: string; message: string }> {
  const problems: Array<{ setting: string; message: string }> = [];
  const sandbox = 'is the sandbox’s built-in value (the default when unset); production needs its own';
  // The receipt secret is checked whatever PROVIDERS says: the webhook is always mounted.
  if (c.ALIYUN_RECEIPT_SECRET === ALIYUN_SANDBOX_DEFAULTS.ALIYUN_RECEIPT_SECRET)
    problems.push({ setting: 'ALIYUN_RECEIPT_SECRET', message: sandbox });
  if (!used) return problems;
  for (const setting of ['ALIYUN_ACCESS_KEY_ID', 'ALIYUN_ACCESS_KEY_SECRET'] as const)
    if (c[setting] === ALIYUN_SANDBOX_DEFAULTS[setting]) problems.push({ setting, message: sandbox });
  if (c.ALIYUN_ENDPOINT) {
    const url = new URL(c.ALIYUN_ENDPOINT);
    if (isLoopbackHost(url.hostname))
      problems.push({
        setting: 'ALIYUN_ENDPOINT',
        message: `points at ${url.host}, this machine (the sandbox’s address)`,
      });
    else if (url.protocol !== 'https:')
      problems.push({
        setting: 'ALIYUN_ENDPOINT',
        message: 'must be https in production (plain http is the sandbox)',
      });
  }
  return problems;
}
