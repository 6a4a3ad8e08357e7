import { randomBytes } from 'node:crypto';
import { ContactEvent, makeContact, makeTransaction } from '../devstack/sample-data';
import type { Scenario } from './demo-scenarios';

// Short breaker settings so the outage plays out in seconds: a breaker opens after 3 calls in 5 s with
// more than half failing, and tries the provider again 4 s later.
export const DEMO_BREAKER_ENV: Record<string, string> = {
  CIRCUIT_VOLUME_THRESHOLD: '3',
  CIRCUIT_ERROR_THRESHOLD_PERCENT: '50',
  CIRCUIT_ROLLING_WINDOW_MS: '5000',
  CIRCUIT_RESET_MS: '4000',
};

const STATE_NAMES = ['closed', 'half-open', 'open'];

/** Cardholders for the outage part of the demo, and alerts for them as scenarios. */
export class OutageSamples {
  readonly contacts: ContactEvent[] = [];
  private readonly run = randomBytes(3).toString('hex');
  private next = 0;

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      this.contacts.push(makeContact({ cardholderId: `demo-${this.run}-outage-${i}` }));
    }
  }

  /** A new alert for the next outage cardholder, expected DELIVERED through `provider`. */
  alert(name: string, provider: string): Scenario {
    const contact = this.contacts[this.next++ % this.contacts.length];
    const transaction = makeTransaction(contact.cardholderId, {
      transactionId: `demo-${this.run}-outage-${this.next}-${randomBytes(2).toString('hex')}`,
      merchantName: 'TRAIN TICKETS',
      amountMinor: 1000 + this.next,
    });
    return { name, expected: { status: 'DELIVERED', provider }, transaction };
  }
}

/**
 * Prints each provider's breaker change as the dispatcher's /metrics shows it (alertline_circuit_state),
 * with the time since `origin`, and lets the demo wait for a given state.
 */
export class CircuitWatcher {
  private readonly states = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private origin = Date.now();

  constructor(
    private readonly metricsUrl: string,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), 150);
  }

  /** Times printed from now on are relative to this moment (e.g. when the fault was injected). */
  mark(): void {
    this.origin = Date.now();
  }

  get elapsed(): string {
    return `${((Date.now() - this.origin) / 1000).toFixed(1)} s`;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  state(provider: string): string {
    return STATE_NAMES[this.states.get(provider) ?? 0] ?? 'unknown';
  }

  async waitFor(
    provider: string,
    state: 'closed' | 'half-open' | 'open',
    timeoutMs = 30000,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.poll();
      if (this.state(provider) === state) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  private async poll(): Promise<void> {
    let text: string;
    try {
      text = await (await fetch(this.metricsUrl)).text();
    } catch {
      return; // the dispatcher is busy or restarting; the next poll catches up
    }
    for (const m of text.matchAll(/^alertline_circuit_state\{provider="(\w+)"\} (\d+)/gm)) {
      const [provider, value] = [m[1], Number(m[2])];
      const before = this.states.get(provider);
      this.states.set(provider, value);
      if (before !== undefined && before !== value) {
        this.log(
          `   [+${this.elapsed}] circuit ${provider}: ${STATE_NAMES[before]} -> ${STATE_NAMES[value]}`,
        );
      }
    }
  }
}
