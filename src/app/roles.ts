import { ConfigError } from '../config/config.schema';

export const ROLES = ['ingest', 'dispatcher', 'api', 'sandbox', 'all'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string | undefined): value is Role {
  return (ROLES as readonly string[]).includes(value ?? '');
}

/**
 * The sandbox answers any request with the sandbox's own credentials and never sends an SMS: in
 * production it would swallow alerts silently, so it does not start there (ConfigError, exit code 2).
 */
export function refuseInProduction(role: Role, nodeEnv: string): void {
  if (role === 'sandbox' && nodeEnv === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  role sandbox: the provider emulator never runs under NODE_ENV=production ' +
        '(use development or test for the sandbox of a test environment)',
    );
  }
}
