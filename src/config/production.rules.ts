import { DataKeys, DEMO_DATA_HASH_KEY, DEMO_DATA_KEY_ID, DEMO_DATA_KEYS } from './data-protection.settings';
import type { ProductionRule, VendorSettings } from './vendor-settings';

/**
 * The demo's API keys and the sandbox's webhook base URL. They are the defaults so that the demo, the
 * benchmark and the tests need no settings at all; under NODE_ENV=production every one of them is refused
 * (below), so a deployment that forgot a setting stops instead of running on values printed in the README.
 * Each provider's sandbox credentials and addresses are in its own settings block (providers/<vendor>/).
 */
export const SANDBOX_DEFAULTS = {
  API_KEYS: 'support-demo-key:support,supervisor-demo-key:supervisor',
  PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  DATA_KEYS: DEMO_DATA_KEYS,
  DATA_HASH_KEY: DEMO_DATA_HASH_KEY,
} as const;

// openssl rand -hex 32 gives 64; 32 characters with some variety rules out "changeme"-style keys.
export const PRODUCTION_API_KEY_MIN_LENGTH = 32;
const PRODUCTION_API_KEY_MIN_DISTINCT = 8;

/** What the production rules read: the parsed settings, core and every vendor block's. */
export interface ProductionInput {
  PROVIDERS: string[];
  [setting: string]: unknown;
}

/** A setting left at the built-in sandbox value. */
export const sandboxValue = (sandbox: string) => (value: unknown) =>
  value === sandbox
    ? 'is the sandbox’s built-in value (the default when unset); production needs its own'
    : undefined;

/** A provider URL: https to a host that is not this machine. */
export const providerUrl = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const url = new URL(value);
  if (isLoopbackHost(url.hostname)) return `points at ${url.host}, this machine (the sandbox’s address)`;
  if (url.protocol !== 'https:') return 'must be https in production (plain http is the sandbox)';
  return undefined;
};

const CORE_RULES: ProductionRule[] = [
  { setting: 'API_KEYS', always: true, refuse: apiKeysProblem },
  { setting: 'DATA_KEYS', always: true, refuse: dataKeysProblem },
  { setting: 'DATA_HASH_KEY', always: true, refuse: sandboxValue(DEMO_DATA_HASH_KEY) },
  {
    setting: 'PUBLIC_BASE_URL',
    always: true,
    refuse: (v) => (v === SANDBOX_DEFAULTS.PUBLIC_BASE_URL ? 'must be set in production' : providerUrl(v)),
  },
];

/** Every production problem, one per setting, so an operator fixes them all in one go. */
export function productionProblems(
  c: ProductionInput,
  vendors: readonly VendorSettings[],
): Array<{ setting: string; message: string }> {
  const problems: Array<{ setting: string; message: string }> = [];
  const rules: Array<ProductionRule & { provider?: string }> = [
    ...CORE_RULES,
    ...vendors.flatMap((v) =>
      v.production.map((rule) => ({ ...rule, provider: rule.always ? undefined : v.provider })),
    ),
  ];
  for (const rule of rules) {
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
