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

/** PCI DSS 10.2: every access to alert data, with who, what, when, outcome and origin. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_log (at, principal, role, action, target, outcome, origin) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [entry.at, entry.principal, entry.role, entry.action, entry.target, entry.outcome, entry.origin],
    );
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    return this.db.query<AuditEntry & { id: string }>(`SELECT * FROM audit_log ORDER BY id DESC LIMIT $1`, [
      limit,
    ]);
  }
}
