import { AppConfig } from '../config/app-config';
import { parseConfig as parseSettings, settingNames } from '../config/config.schema';
import { SANDBOX_DEFAULTS } from '../config/production.rules';
import { SECRET_SETTINGS } from '../config/secret.settings';
import { PROVIDER_REGISTRY } from './provider.registry';

// The whole environment is the core settings (config/) plus every registered provider's block: validated
// here, once, at start-up, because config/ sits below the providers and knows none of them.
const VENDORS = PROVIDER_REGISTRY.map((p) => p.settings);

/** The configuration of a process (or a test): every setting validated; ConfigError names each bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return AppConfig.fromEnv(env, VENDORS);
}

/** The parsed settings, core and vendors', flat under their environment names. */
export function parseConfig(env: NodeJS.ProcessEnv) {
  return parseSettings(env, VENDORS);
}

/** Every setting's name. */
export const ALL_SETTINGS: readonly string[] = settingNames(VENDORS);

/** Every credential setting (the k8s Secret holds exactly these). */
export const ALL_SECRET_SETTINGS: readonly string[] = [
  ...SECRET_SETTINGS,
  ...VENDORS.flatMap((v) => v.secrets),
];

/** Every built-in sandbox value production refuses, by setting. */
export const ALL_SANDBOX_DEFAULTS: Readonly<Record<string, string>> = Object.assign(
  { ...SANDBOX_DEFAULTS },
  ...VENDORS.map((v) => v.sandboxDefaults),
);
