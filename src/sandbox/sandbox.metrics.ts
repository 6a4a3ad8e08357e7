import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '../metrics/metrics.service';
import { SandboxStore } from './sandbox.store';

// Sandbox-only series, registered on the process registry so the role's /metrics shows them. Labels are
// enums (provider, outcome); never a number or a message id.
@Injectable()
export class SandboxMetrics {
  /** Provider API requests by outcome: accepted, rejected, auth_failed, fault_http500, fault_timeout... */
  readonly requests: Counter<'provider' | 'outcome'>;
  /** Receipt deliveries (status callbacks, DLRs, deliver_sm) by outcome: delivered, retried, failed, dropped... */
  readonly receipts: Counter<'provider' | 'outcome'>;

  constructor(metrics: Metrics, store: SandboxStore) {
    const registers = [metrics.registry];
    this.requests = new Counter({
      name: 'alertline_sandbox_requests_total',
      help: 'Requests the sandbox providers answered, by provider and outcome',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    });
    this.receipts = new Counter({
      name: 'alertline_sandbox_receipts_total',
      help: 'Delivery receipts the sandbox sent, by provider and outcome',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    });
    new Gauge({
      name: 'alertline_sandbox_messages_stored',
      help: 'Messages the sandbox currently remembers (bounded by SANDBOX_STORE_LIMIT)',
      registers,
      collect() {
        this.set(store.count());
      },
    });
  }
}
