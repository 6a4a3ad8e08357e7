import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';

export interface AuditEntry {
  at: Date;
  principal: string;
  role: string;
  action: string;
  target: string | null;
  outcome: string;
  origin: string | null;
}

/**
 * The most characters a row keeps of each field: whatever a client sends (a 16 KB path, a long query), a
 * row stays under 1.5 KB. The action keeps its method and the first 512 characters of the path.
 */
export const AUDIT_FIELD_LIMITS = {
  principal: 64,
  role: 16,
  action: 520,
  target: 500,
  outcome: 32,
  origin: 64,
} as const satisfies Record<Exclude<keyof AuditEntry, 'at'>, number>;

const CUT = '...';

/** At most `max` characters, the cut marked; NUL (which PostgreSQL text refuses) dropped. */
export function clip(value: string, max: number): string {
  const text = value.includes('\0') ? value.replace(/\0/g, '') : value;
  return text.length <= max ? text : `${text.slice(0, max - CUT.length)}${CUT}`;
}

/** PCI DSS 10.2: every access to alert data, with who, what, when, outcome and origin. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async record(entry: AuditEntry): Promise<void> {
    const L = AUDIT_FIELD_LIMITS;
    await this.db.query(
      `INSERT INTO audit_log (at, principal, role, action, target, outcome, origin) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.at,
        clip(entry.principal, L.principal),
        clip(entry.role, L.role),
        clip(entry.action, L.action),
        entry.target === null ? null : clip(entry.target, L.target),
        clip(entry.outcome, L.outcome),
        entry.origin === null ? null : clip(entry.origin, L.origin),
      ],
    );
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    return this.db.query<AuditEntry & { id: string }>(`SELECT * FROM audit_log ORDER BY id DESC LIMIT $1`, [
      limit,
    ]);
  }
}
