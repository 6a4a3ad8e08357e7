import type { z } from 'zod';

/**
 * A production check of one setting: the reason it is refused, or undefined. A rule `always` checked runs
 * whatever PROVIDERS says (a webhook secret: every registered webhook is mounted, and a known secret would
 * let anyone forge receipts); the others only when their provider is in PROVIDERS (an unused provider's
 * credentials are never sent).
 */
export interface ProductionRule {
  setting: string;
  always?: boolean;
  refuse(value: unknown): string | undefined;
}

/**
 * One provider's block of settings. config/ knows none of them: each vendor's folder declares its block
 * and the provider registry hands every block to parseConfig, which validates them with the core settings
 * in one pass at start-up (so every failing setting is named at once, `NAME: reason`).
 */
export interface VendorSettings<S extends z.ZodRawShape = z.ZodRawShape> {
  /** The provider's name in PROVIDERS. */
  readonly provider: string;
  /** Each setting under its environment name; defaults are the sandbox's values. */
  readonly shape: S;
  /** The built-in sandbox values production refuses (the defaults above), by setting. */
  readonly sandboxDefaults: Readonly<Record<string, string>>;
  /** URL settings left unset: the sandbox's address outside production, the SDK's own host in production. */
  readonly sandboxUrls?: Readonly<Record<string, string>>;
  readonly production: readonly ProductionRule[];
  /** The settings that are credentials (a deployment keeps them in its secret store). */
  readonly secrets: readonly string[];
  /** Its messages per second when PROVIDER_RATE_LIMITS is unset. */
  readonly defaultRatePerSecond: number;
}

/** A vendor block's parsed values, as its adapter reads them through AppConfig.vendor(block). */
export type VendorValues<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;
