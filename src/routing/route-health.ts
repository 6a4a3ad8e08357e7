import { Injectable } from '@nestjs/common';
import type { ProviderHealthRow } from './delivery-health.repository';

/**
 * This dispatcher's copy of the route state, refreshed from PostgreSQL every DELIVERY_HEALTH_INTERVAL_MS:
 * what the route planner reads for every alert without a round trip. Empty (every provider healthy) until
 * the first refresh, and whenever routing by delivery health is off.
 */
@Injectable()
export class RouteHealth {
  private rows = new Map<string, ProviderHealthRow>();
  // Providers restored since an alert last went through this process: the next one's history says so.
  private readonly restored = new Map<string, string>();

  /** Replaces the snapshot; returns the providers whose state changed since the last one. */
  update(rows: readonly ProviderHealthRow[]): string[] {
    const before = this.rows;
    this.rows = new Map(rows.map((r) => [r.provider, r]));
    const changed: string[] = [];
    for (const row of rows) {
      const was = before.get(row.provider);
      if (!was || was.state === row.state) continue;
      changed.push(row.provider);
      if (row.state === 'HEALTHY') this.restored.set(row.provider, row.reason ?? 'delivery health recovered');
      else this.restored.delete(row.provider);
    }
    return changed;
  }

  get(provider: string): ProviderHealthRow | undefined {
    return this.rows.get(provider);
  }

  demoted(): Set<string> {
    return new Set([...this.rows.values()].filter((r) => r.state === 'DEMOTED').map((r) => r.provider));
  }

  /** Restorations not yet told in an alert's history; each is handed out once. */
  takeRestored(): Array<{ provider: string; reason: string }> {
    const taken = [...this.restored].map(([provider, reason]) => ({ provider, reason }));
    this.restored.clear();
    return taken;
  }
}
