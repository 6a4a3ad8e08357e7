import type { ProviderName } from './config.schema';
import { DataKeys, DEMO_DATA_HASH_KEY, DEMO_DATA_KEY_ID, DEMO_DATA_KEYS } from './data-protection.settings';

/**
 * The sandbox's credentials and addresses. They are the defaults so that the demo, the benchmark and the
 * tests need no settings at all; under NODE_ENV=production every one of them is refused (below), so a
 * deployment that forgot a setting stops instead of running on values printed in the README.
 */
export const SANDBOX_DEFAULTS = {
  API_KEYS: 'support-demo-key:support,supervisor-demo-key:supervisor',
  PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
  TWILIO_AUTH_TOKEN: 'sandbox-twilio-auth-token',
  TWILIO_BASE_URL: 'http://127.0.0.1:3010',
  VONAGE_API_KEY: 'sandboxkey',
  VONAGE_API_SECRET: 'sandbox-vonage-secret',
  VONAGE_SIGNATURE_SECRET: 'sandbox-vonage-signature-secret',
  VONAGE_BASE_URL: 'http://127.0.0.1:3010',
  SMPP_PASSWORD: 'sandbox',
  SMPP_HOST: '127.0.0.1',
  SANDBOX_VONAGE_DLR_URL: 'http://127.0.0.1:3000/webhooks/vonage/dlr',
  DATA_KEYS: DEMO_DATA_KEYS,
  DATA_HASH_KEY: DEMO_DATA_HASH_KEY,
} as const;

/** Outside production an unset provider URL means the sandbox; in production, the SDK's own host. */
export const SANDBOX_ONLY_URL_DEFAULTS = ['TWILIO_BASE_URL', 'VONAGE_BASE_URL'] as const;

// openssl rand -hex 32 gives 64; 32 characters with some variety rules out "changeme"-style keys.
export const PRODUCTION_API_KEY_MIN_LENGTH = 32;
const PRODUCTION_API_KEY_MIN_DISTINCT = 8;

/** What the production rules read: the parsed settings. */
export interface ProductionInput {
  API_KEYS: Map<string, string>;
  PUBLIC_BASE_URL: string;
  PROVIDERS: ProviderName[];
  TWILIO_ACCOUNT_SID: string;
  TWILIO_AUTH_TOKEN: string;
  TWILIO_BASE_URL?: string;
  VONAGE_API_KEY: string;
  VONAGE_API_SECRET: string;
  VONAGE_SIGNATURE_SECRET: string;
  VONAGE_BASE_URL?: string;
  SMPP_PASSWORD: string;
  SMPP_HOST: string;
  DATA_KEYS: DataKeys;
  DATA_HASH_KEY: string;
}
type Setting = keyof typeof SANDBOX_DEFAULTS & keyof ProductionInput;

interface Rule {
  setting: Setting;
  /** Only checked when this provider is in PROVIDERS: an unused provider's credentials are never sent. */
  provider?: ProviderName;
  refuse(value: unknown): string | undefined;
}

const sandboxValue = (setting: Setting) => (value: unknown) =>
  value === SANDBOX_DEFAULTS[setting]
    ? 'is the sandbox’s built-in value (the default when unset); production needs its own'
    : undefined;

/** A provider URL: https to a host that is not this machine. */
const providerUrl = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const url = new URL(value);
  if (isLoopbackHost(url.hostname)) return `points at ${url.host}, this machine (the sandbox’s address)`;
  if (url.protocol !== 'https:') return 'must be https in production (plain http is the sandbox)';
  return undefined;
};

// Webhook secrets (TWILIO_AUTH_TOKEN, VONAGE_SIGNATURE_SECRET) and PUBLIC_BASE_URL are checked whatever
// PROVIDERS says: both webhooks are always mounted, and a known secret would let anyone forge receipts.
const RULES: Rule[] = [
  { setting: 'API_KEYS', refuse: apiKeysProblem },
  { setting: 'DATA_KEYS', refuse: dataKeysProblem },
  { setting: 'DATA_HASH_KEY', refuse: sandboxValue('DATA_HASH_KEY') },
  {
    setting: 'PUBLIC_BASE_URL',
    refuse: (v) => (v === SANDBOX_DEFAULTS.PUBLIC_BASE_URL ? 'must be set in production' : providerUrl(v)),
  },
  { setting: 'TWILIO_AUTH_TOKEN', refuse: sandboxValue('TWILIO_AUTH_TOKEN') },
  { setting: 'TWILIO_ACCOUNT_SID', provider: 'twilio', refuse: sandboxValue('TWILIO_ACCOUNT_SID') },
  { setting: 'TWILIO_BASE_URL', provider: 'twilio', refuse: providerUrl },
  { setting: 'VONAGE_SIGNATURE_SECRET', refuse: sandboxValue('VONAGE_SIGNATURE_SECRET') },
  { setting: 'VONAGE_API_KEY', provider: 'vonage', refuse: sandboxValue('VONAGE_API_KEY') },
  { setting: 'VONAGE_API_SECRET', provider: 'vonage', refuse: sandboxValue('VONAGE_API_SECRET') },
  { setting: 'VONAGE_BASE_URL', provider: 'vonage', refuse: providerUrl },
  { setting: 'SMPP_PASSWORD', provider: 'smpp', refuse: sandboxValue('SMPP_PASSWORD') },
  {
    setting: 'SMPP_HOST',
    provider: 'smpp',
    refuse: (v) =>
      isLoopbackHost(String(v))
        ? `is ${String(v)}, this machine (the sandbox’s SMSC is the default); set your SMSC’s host`
        : undefined,
  },
];

/** Every production problem, one per setting, so an operator fixes them all in one go. */
export function productionProblems(c: ProductionInput): Array<{ setting: Setting; message: string }> {
  const problems: Array<{ setting: Setting; message: string }> = [];
  for (const rule of RULES) {
    if (rule.provider && !c.PROVIDERS.includes(rule.provider)) continue;
    const message = rule.refuse(c[rule.setting]);
    if (message) problems.push({ setting: rule.setting, message });
  }
  return problems;
}

function apiKeysProblem(value: unknown): string | undefined {
  const keys = [...(value as Map<string, string>).keys()];
  const demo = new Set(SANDBOX_DEFAULTS.API_KEYS.split(',').map((e) => e.split(':')[0]));
  if (keys.some((k) => demo.has(k))) return 'holds a demo key from the README; production needs its own keys';
  // Positions, never the keys themselves: this message goes to the logs.
  const weak = keys
    .map((k, i) => ({ i: i + 1, k }))
    .filter(
      ({ k }) =>
        k.length < PRODUCTION_API_KEY_MIN_LENGTH || new Set(k).size < PRODUCTION_API_KEY_MIN_DISTINCT,
    );
  if (weak.length === 0) return undefined;
  return (
    `entry ${weak.map((w) => w.i).join(', ')} too weak for production: keys need ` +
    `${PRODUCTION_API_KEY_MIN_LENGTH}+ characters with ${PRODUCTION_API_KEY_MIN_DISTINCT}+ different ones ` +
    '(e.g. openssl rand -hex 32)'
  );
}

/** The demo key by its id or by its bytes (renamed, it is still printed in the source). */
function dataKeysProblem(value: unknown): string | undefined {
  const demo = DEMO_DATA_KEYS.split(':')[1];
  const keys = value as DataKeys;
  const found = [...keys].findIndex(
    ([id, key]) => id === DEMO_DATA_KEY_ID || key.toString('base64') === demo,
  );
  if (found < 0) return undefined;
  return `entry ${found + 1} is the built-in demo key (the default when unset); production needs its own`;
}

/**
 * This machine: localhost, 127.0.0.0/8, ::1, the unspecified addresses and IPv4-mapped loopback. The WHATWG
 * URL parser normalises first, so 127.1, 0x7f.0.0.1 and [0:0:0:0:0:0:0:1] are caught too.
 */
export function isLoopbackHost(host: string): boolean {
  let h: string;
  try {
    h = new URL(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}`).hostname;
  } catch {
    return false;
  }
  h = h.toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127\.\d+\.\d+\.\d+$/.test(h) || h === '0.0.0.0') return true;
  return h === '[::1]' || h === '[::]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h);
}
