import { waitFor } from '../src/devstack/wait-for';
import { waitForStatuses } from './support/e2e';
import {
  alertsByTx,
  ALL_PROVIDERS,
  attemptsOf,
  circuitStates,
  historyOf,
  providerStack,
  publishAlerts,
  receivedBy,
  waitForCircuit,
} from './support/providers';

// Alerts get 30 s to go out; a provider call gives up after 1.5 s, and after a timeout the provider is
// asked (findSent) before anything else is tried.
const env = {
  PROVIDERS: ALL_PROVIDERS,
  ALERT_DEADLINE_SECONDS: '30',
  CIRCUIT_VOLUME_THRESHOLD: '3',
  CIRCUIT_RESET_MS: '2000',
  PROVIDER_TIMEOUT_MS: '1500',
  CIRCUIT_TIMEOUT_MS: '2500',
  PROVIDER_LOOKUP_GRACE_MS: '500',
};

describe('resilient delivery: retries until the deadline, no blind second send', () => {
  const t = providerStack(env);

  async function publish(n: number) {
    const { contacts, ids } = await publishAlerts(t.stack, t.db, n);
    return { phones: contacts.map((c) => c.phoneNumber), ids };
  }

  async function everyProviderDown() {
    for (const provider of ['twilio', 'vonage', 'smpp'])
      await t.stack.sandboxClient.setFault(provider, { mode: 'http500' });
  }

  async function requeuedAtLeast(ids: string[], times: number) {
    await waitFor(
      `every alert requeued ${times} times`,
      async () => {
        const alerts = await alertsByTx(t.db, ids);
        const counts = await Promise.all(
          alerts.map(async (a) => (await historyOf(t.db, a.id)).filter((e) => e.type === 'REQUEUED').length),
        );
        return alerts.length === ids.length && counts.every((c) => c >= times);
      },
      60000,
      200,
    );
  }

  it('keeps alerts waiting while every provider is down and delivers each exactly once after recovery', async () => {
    await everyProviderDown();
    const { phones, ids } = await publish(8);
    await requeuedAtLeast(ids, 2);
    const waiting = await alertsByTx(t.db, ids);
    expect(waiting.every((a) => ['QUEUED', 'SENDING'].includes(a.status))).toBe(true);

    await t.stack.sandboxClient.clearFaults();
    await waitForStatuses(t.db, ids, ['DELIVERED'], 90000);
    for (const phone of phones) expect(await receivedBy(t.stack, phone)).toHaveLength(1);
  });

  it('expires an alert with its reason once the deadline passes', async () => {
    await everyProviderDown();
    const { phones, ids } = await publish(2);
    await waitForStatuses(t.db, ids, ['EXPIRED'], 120000);
    for (const alert of await alertsByTx(t.db, ids)) {
      expect(alert.last_error_code).toMatch(/^(HTTP_500|20500|5|ESME_RSYSERR|CIRCUIT_OPEN)$/);
      expect(alert.last_error_detail).toContain('deadline');
      expect(alert.last_error_detail).toMatch(/HTTP_500|20500|ESME_RSYSERR/);
      const history = await historyOf(t.db, alert.id);
      expect(history[history.length - 1]).toMatchObject({
        type: 'EXPIRED',
        error_code: alert.last_error_code,
      });
      expect(history.filter((e) => e.type === 'REQUEUED').length).toBeGreaterThanOrEqual(2);
    }
    for (const phone of phones) expect(await receivedBy(t.stack, phone)).toHaveLength(0);
  });

  it('asks a provider that timed out before sending anywhere else, and never sends the alert twice', async () => {
    // The previous test leaves every breaker open, and an alert that finds them open is requeued without
    // an attempt, its backoff eating into the 30 s deadline: one alert through a healthy Twilio closes its
    // breaker first, so this test starts from the same state whatever ran before it. (Sent while the
    // breaker is still open, it would go to Vonage and leave Twilio's open: wait for the half-open trial.)
    await waitFor('twilio circuit not open', async () => (await circuitStates(t.stack)).twilio !== 2);
    const warmUp = await publish(1);
    await waitForStatuses(t.db, warmUp.ids, ['DELIVERED']);
    await waitForCircuit(t.stack, 'twilio', 0);

    // Twilio takes the message but answers (and answers lookups) only after the client gave up.
    await t.stack.sandboxClient.setFault('twilio', { mode: 'slow', latencyMs: 2500 });
    const { phones, ids } = await publish(1);
    const [alert] = await waitFor('an attempt at Twilio, unconfirmed, then the alert requeued', async () => {
      const alerts = await alertsByTx(t.db, ids);
      const history = alerts[0] ? await historyOf(t.db, alerts[0].id) : [];
      const sending = history.findIndex((e) => e.type === 'SENDING' && e.provider === 'twilio');
      return sending >= 0 && history.slice(sending).some((e) => e.type === 'REQUEUED') ? alerts : undefined;
    });
    // While Twilio cannot say whether it has the message, nothing goes to Vonage or SMPP.
    const unconfirmed = (await attemptsOf(t.db, alert.id)).map((a) => `${a.provider}:${a.status}`);
    expect(unconfirmed).toContain('twilio:IN_FLIGHT');
    expect(unconfirmed.filter((a) => !a.startsWith('twilio:'))).toEqual([]);

    await t.stack.sandboxClient.clearFaults();
    await waitForStatuses(t.db, ids, ['DELIVERED']);
    const settled = (await attemptsOf(t.db, alert.id)).map((a) => `${a.provider}:${a.status}`);
    expect(settled).toContain('twilio:ACCEPTED');
    expect(settled.filter((a) => a.endsWith(':IN_FLIGHT') || !a.startsWith('twilio:'))).toEqual([]);
    expect((await historyOf(t.db, alert.id)).map((e) => e.type)).toContain('RECOVERED_IN_FLIGHT');
    expect(await receivedBy(t.stack, phones[0])).toHaveLength(1);
  });
});
