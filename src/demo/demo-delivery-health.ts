import type { Pool } from 'pg';
import type { DevStack } from '../devstack/dev-stack';
import type { OutageSamples } from './demo-outage';
import type { Scenario } from './demo-scenarios';

// Routing by delivery health at demo traffic: outcomes over the last 20 s, a message with no final receipt
// 10 s after acceptance counts as not delivered, 5 outcomes before anything changes, at least 5 s in a
// state, one alert in five tries a demoted provider first; evaluated every half second.
export const DEMO_DELIVERY_HEALTH_ENV: Record<string, string> = {
  DELIVERY_HEALTH_ROUTING: 'true',
  DELIVERY_HEALTH_INTERVAL_MS: '500',
  DELIVERY_HEALTH_WINDOW_SECONDS: '20',
  DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS: '10',
  DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS: '8',
  DELIVERY_HEALTH_RESTORE_DELAY_SECONDS: '5',
  DELIVERY_HEALTH_MIN_SAMPLE: '5',
  DELIVERY_HEALTH_MIN_STATE_SECONDS: '5',
  DELIVERY_HEALTH_TRIAL_PERCENT: '20',
};

/**
 * Prints the route as the dispatcher's /metrics shows it (alertline_provider_route_position), whenever it
 * changes, with the time since `mark`.
 */
export class RouteWatcher {
  private route = '';
  private origin = Date.now();

  constructor(
    private readonly metricsUrl: string,
    private readonly log: (line: string) => void,
  ) {}

  mark(): void {
    this.origin = Date.now();
  }

  get elapsed(): string {
    return `${((Date.now() - this.origin) / 1000).toFixed(1)} s`;
  }

  /** Polls until `provider` is (or is no longer) demoted; false when it did not happen in time. */
  async waitFor(provider: string, demoted: boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.poll()).has(provider) === demoted) return true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return false;
  }

  /** The providers demoted now; prints the route when it changed. */
  async poll(): Promise<Set<string>> {
    let text: string;
    try {
      text = await (await fetch(this.metricsUrl)).text();
    } catch {
      return new Set(); // the dispatcher is busy; the next poll catches up
    }
    const position = [...text.matchAll(/^alertline_provider_route_position\{provider="(\w+)"\} (\d+)/gm)];
    const demoted = new Set(
      [...text.matchAll(/^alertline_provider_demoted\{provider="(\w+)"\} 1$/gm)].map((m) => m[1]),
    );
    const route = position
      .sort((a, b) => Number(a[2]) - Number(b[2]))
      .map((m) => (demoted.has(m[1]) ? `${m[1]} (demoted)` : m[1]))
      .join(' -> ');
    if (this.route && route !== this.route) this.log(`   [+${this.elapsed}] route: ${route}`);
    this.route = route;
    return demoted;
  }
}

export interface DeliveryHealthDemo {
  stack: DevStack;
  db: Pool;
  outage: OutageSamples;
  play: (batch: Scenario[]) => Promise<void>;
  log: (line: string) => void;
}

/**
 * Twilio accepts every message and the carrier filters them all (UNDELIVERED 30007): Twilio's API breaker
 * stays closed, the receipts tell. Once the window shows it, the route moves Vonage first; a share of
 * alerts still tries Twilio. The fault is cleared, the trials are delivered, and Twilio moves back up.
 * Returns false when the route did not move within a minute, or did not come back.
 */
export async function runDeliveryHealth(demo: DeliveryHealthDemo): Promise<boolean> {
  const { stack, db, outage, play, log } = demo;
  const watcher = new RouteWatcher(`${stack.role('dispatcher').baseUrl}/metrics`, log);
  await watcher.poll();
  log('== Twilio accepts but does not deliver: every Twilio message is accepted, then UNDELIVERED 30007');
  log('   (carrier filtering). The API breaker stays closed: only the receipts show it.');
  watcher.mark();
  const began = Date.now();
  await stack.sandboxClient.acceptButNotDeliver('twilio', { receipt: 'undelivered', errorCode: 30007 });
  const filtered = (name: string) => orRoutedPast(outage.alert(name, 'twilio'), 'UNDELIVERED');
  let moved = false;
  for (let wave = 1; wave <= 4 && !moved; wave++) {
    await play([1, 2, 3, 4, 5].map(() => filtered(`not delivering, wave ${wave}`)));
    moved = await watcher.waitFor('twilio', true, 15_000);
  }
  const within = moved && Date.now() - began <= 60_000;
  const { rows } = await db.query<{ reason: string | null }>(
    `SELECT reason FROM provider_delivery_health WHERE provider = 'twilio'`,
  );
  log(
    moved
      ? `   twilio moved down the route ${watcher.elapsed} after the fault began: ${rows[0]?.reason ?? ''}`
      : '   THE ROUTE DID NOT MOVE',
  );
  if (moved && !within) log('   THE ROUTE MOVED, BUT NOT WITHIN A MINUTE');
  await play([1, 2, 3, 4, 5].map(() => trialOr(outage.alert('twilio demoted: Vonage first', 'vonage'))));

  log('== Twilio delivers again: the fault is cleared; trial alerts find it healthy and it moves back up');
  watcher.mark();
  await stack.sandboxClient.clearFaults();
  let back = false;
  for (let wave = 1; wave <= 12 && !back; wave++) {
    await play([1, 2, 3, 4, 5].map(() => anyProvider(outage.alert(`recovering, wave ${wave}`, 'vonage'))));
    back = await watcher.waitFor('twilio', false, 2_000);
  }
  log(back ? `   twilio back first ${watcher.elapsed} after it recovered` : '   TWILIO DID NOT MOVE BACK UP');
  await play([1, 2].map(() => outage.alert('route restored: back on Twilio', 'twilio')));
  return within && back;
}

/** Filtered at Twilio, unless the route had already moved when it was sent (then Vonage delivers it). */
function orRoutedPast(s: Scenario, status: string): Scenario {
  return { ...s, expected: { status, provider: 'twilio' }, or: { status: 'DELIVERED', provider: 'vonage' } };
}

/** Vonage first, unless it is one of the trial alerts that still try the demoted Twilio first. */
function trialOr(s: Scenario): Scenario {
  return { ...s, or: { status: 'UNDELIVERED', provider: 'twilio', note: 'a trial' } };
}

/** While Twilio recovers: delivered by either (trials go to Twilio, the rest to Vonage). */
function anyProvider(s: Scenario): Scenario {
  return { ...s, expected: { status: 'DELIVERED' } };
}
