export const ROLES = ['ingest', 'dispatcher', 'api', 'all'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string | undefined): value is Role {
  return (ROLES as readonly string[]).includes(value ?? '');
}
