import { Pool } from 'pg';
import { makeContact } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { waitForStatuses } from './support/e2e';
import { deleteQueueKeys } from './support/sweeper';
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

// Breakers open after 3 calls with more than half failing and try again after 3 s. A throttled provider
// is left alone by every dispatcher for 10 minutes, so "a retry inside the back-off" does not depend on
// how fast a loaded machine retries; the throttling test ends the back-off itself.
const env = {
  PROVIDERS: ALL_PROVIDERS,
  CIRCUIT_VOLUME_THRESHOLD: '3',
  CIRCUIT_ERROR_THRESHOLD_PERCENT: '50',
  CIRCUIT_RESET_MS: '3000',
  PROVIDER_THROTTLE_BACKOFF_MS: '600000',
  SMPP_RECONNECT_MAX_MS: '1000',
};

const redisUrl = (stack: { env: Record<string, string | undefined> }) =>
  stack.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('resilient delivery: breakers, failover, throttling', () => {
  const t = providerStack(env);

  const publish = (n: number) => publishAlerts(t.stack, t.db, n);

  /** Alerts to valid mobiles that `provider` refuses as not a mobile; `down` answer 500 meanwhile. */
  async function publishBadNumbers(provider: string, down: string[], n: number) {
    const contacts = Array.from({ length: n }, () => makeContact());
    for (const p of down) await t.stack.sandboxClient.setFault(p, { mode: 'http500' });
    await t.stack.sandboxClient.setFault(provider, { permanentNumbers: contacts.map((c) => c.phoneNumber) });
    return publishAlerts(t.stack, t.db, contacts);
  }

  async function expectOneSmsEach(phones: string[]) {
    for (const phone of phones) expect(await receivedBy(t.stack, phone)).toHaveLength(1);
  }

  it('backs off throttling providers (429, ESME_RTHROTTLED) without opening breakers, and loses nothing', async () => {
    await t.stack.sandboxClient.setFault('twilio', { mode: 'http429' });
    await t.stack.sandboxClient.setFault('vonage', { mode: 'http429', errorStyle: 'body' });
    await t.stack.sandboxClient.setFault('smpp', { smpp: { throttle: true } });
    const { contacts, ids } = await publish(6);
    const alerts = await waitForRequeued(t.db, ids, 2);

    expect(await circuitStates(t.stack)).toEqual({ twilio: 0, vonage: 0, smpp: 0 });
    const attempts = (await Promise.all(alerts.map((a) => attemptsOf(t.db, a.id)))).flat();
    expect(new Set(attempts.map((a) => a.status))).toEqual(new Set(['RATE_LIMITED']));
    expect(new Set(attempts.map((a) => a.error_code))).toEqual(new Set(['20429', '1', 'ESME_RTHROTTLED']));
    // Backing off: each alert's second pass fell inside the back-off, skipped every throttled provider
    // without calling it, and was requeued for the rate limit; no provider was called twice for one alert.
    for (const alert of alerts) {
      const history = await historyOf(t.db, alert.id);
      expect(history.some((e) => e.type === 'REQUEUED' && e.error_code === 'RATE_LIMIT')).toBe(true);
      const called = (await attemptsOf(t.db, alert.id)).map((a) => a.provider);
      expect(called.length).toBe(new Set(called).size);
    }

    // The providers recover and the back-off ends (its Redis keys, this stack's only): nothing was lost.
    await t.stack.sandboxClient.clearFaults();
    const ended = await deleteQueueKeys(redisUrl(t.stack), `${t.stack.env.QUEUE_PREFIX}:provider-rate`);
    expect(ended).toBeGreaterThan(0);
    await waitForStatuses(t.db, ids, ['DELIVERED'], 90000);
    await expectOneSmsEach(contacts.map((c) => c.phoneNumber));
  });

  it.each([
    { provider: 'twilio', down: [], code: '21614' },
    { provider: 'vonage', down: ['twilio'], code: '6' },
    { provider: 'smpp', down: ['twilio', 'vonage'], code: 'ESME_RINVDSTADR' },
  ])(
    'a permanent recipient error at $provider ($code): FAILED at once, breaker closed, contact flagged',
    async ({ provider, down, code }) => {
      const { contacts, ids } = await publishBadNumbers(provider, down, 4);
      await waitForStatuses(t.db, ids, ['FAILED']);
      for (const alert of await alertsByTx(t.db, ids)) {
        expect(alert.last_error_code).toBe(code);
        const attempts = await attemptsOf(t.db, alert.id);
        // No retry and no other provider after the permanent answer.
        expect(attempts[attempts.length - 1]).toMatchObject({
          provider,
          status: 'REJECTED',
          error_code: code,
        });
        expect(attempts.filter((a) => a.provider === provider)).toHaveLength(1);
        expect((await historyOf(t.db, alert.id)).filter((e) => e.type === 'REQUEUED')).toHaveLength(0);
      }
      // Four refusals in a row, above the volume threshold: the breaker still counts them as answers.
      expect((await circuitStates(t.stack))[provider]).toBe(0);
      const { rows } = await t.db.query<{ flagged_reason: string }>(
        `SELECT flagged_reason FROM contacts WHERE cardholder_id = ANY($1)`,
        [contacts.map((c) => c.cardholderId)],
      );
      expect(rows.map((r) => r.flagged_reason)).toEqual(
        Array(4).fill(expect.stringContaining(`${provider} ${code}`)),
      );
    },
  );

  it('fails over from a Twilio answering 500 once its breaker opens, and returns when it recovers', async () => {
    await t.stack.sandboxClient.setFault('twilio', { mode: 'http500' });
    // The breaker opens once failures are more than half of its rolling window (earlier tests' successes
    // count too): alerts keep coming, each one failing over, until it does.
    const first = { contacts: [] as ReturnType<typeof makeContact>[], ids: [] as string[] };
    for (let round = 0; round < 10 && (await circuitStates(t.stack)).twilio !== 2; round++) {
      const wave = await publish(3);
      await waitForStatuses(t.db, wave.ids, ['DELIVERED']);
      first.contacts.push(...wave.contacts);
      first.ids.push(...wave.ids);
    }
    await waitForCircuit(t.stack, 'twilio', 2, 1000);
    const second = await publish(4);
    await waitForStatuses(t.db, second.ids, ['DELIVERED']);

    const firstAlerts = await alertsByTx(t.db, first.ids);
    const secondAlerts = await alertsByTx(t.db, second.ids);
    expect(new Set([...firstAlerts, ...secondAlerts].map((a) => a.provider))).toEqual(new Set(['vonage']));
    const firstHistory = await Promise.all(firstAlerts.map((a) => historyOf(t.db, a.id)));
    expect(
      firstHistory.some((h) => h.some((e) => e.type === 'CIRCUIT_OPEN' && e.provider === 'twilio')),
    ).toBe(true);
    for (const a of secondAlerts) {
      // The open breaker skips Twilio: no attempt, and the history says why the alert went to Vonage.
      expect((await attemptsOf(t.db, a.id)).map((x) => x.provider)).toEqual(['vonage']);
      const types = (await historyOf(t.db, a.id)).map((e) => `${e.type}:${e.provider ?? ''}`);
      expect(types).toEqual(
        expect.arrayContaining(['CIRCUIT_OPEN:twilio', 'FAILOVER:vonage', 'DELIVERED:vonage']),
      );
    }
    await expectOneSmsEach([...first.contacts, ...second.contacts].map((c) => c.phoneNumber));

    await t.stack.sandboxClient.clearFaults();
    await waitForCircuit(t.stack, 'twilio', 1);
    const probe = await publish(1);
    await waitForStatuses(t.db, probe.ids, ['DELIVERED']);
    const [probeAlert] = await alertsByTx(t.db, probe.ids);
    expect(probeAlert.provider).toBe('twilio');
    const probeTypes = (await historyOf(t.db, probeAlert.id)).map((e) => e.type);
    expect(probeTypes).toEqual(expect.arrayContaining(['CIRCUIT_HALF_OPEN', 'CIRCUIT_CLOSED']));
    expect((await circuitStates(t.stack)).twilio).toBe(0);

    const after = await publish(3);
    await waitForStatuses(t.db, after.ids, ['DELIVERED']);
    expect((await alertsByTx(t.db, after.ids)).map((a) => a.provider)).toEqual([
      'twilio',
      'twilio',
      'twilio',
    ]);
  });

  it('delivers through SMPP when Twilio and Vonage are both down', async () => {
    await t.stack.sandboxClient.setFault('twilio', { mode: 'http500' });
    await t.stack.sandboxClient.setFault('vonage', { mode: 'http500' });
    const { contacts, ids } = await publish(5);
    await waitForStatuses(t.db, ids, ['DELIVERED']);
    expect((await alertsByTx(t.db, ids)).map((a) => a.provider)).toEqual(Array(5).fill('smpp'));
    const smpp = await t.stack.sandboxClient.messages({ provider: 'smpp', to: contacts[0].phoneNumber });
    expect(smpp).toHaveLength(1);
    await expectOneSmsEach(contacts.map((c) => c.phoneNumber));
  });

  it('rebinds SMPP after a dropped session and refused connections, and SMPP delivers again', async () => {
    await t.stack.sandboxClient.setFault('twilio', { mode: 'http500' });
    await t.stack.sandboxClient.setFault('vonage', { mode: 'http500' });
    await t.stack.sandboxClient.setFault('smpp', { smpp: { dropSession: true } });
    const { contacts, ids } = await publish(2);
    await waitForRequeued(t.db, ids, 1);
    // The SMSC closes every session and refuses new ones: the dispatcher reports SMPP not ready.
    await t.stack.sandboxClient.setFault('smpp', { mode: 'refuse' });
    const ready = () => fetch(`${t.stack.role('dispatcher').baseUrl}/health/ready`).then((r) => r.status);
    await waitFor('the dispatcher to report smpp unbound', async () => (await ready()) === 503);

    await t.stack.sandboxClient.setFault('smpp', {});
    await waitFor('smpp bound again', async () => (await ready()) === 200);
    await waitForStatuses(t.db, ids, ['DELIVERED']);
    expect((await alertsByTx(t.db, ids)).map((a) => a.provider)).toEqual(['smpp', 'smpp']);
    await expectOneSmsEach(contacts.map((c) => c.phoneNumber));
  });
});

/** Waits until every alert has gone back to the queue at least `times` times; returns the alerts. */
async function waitForRequeued(db: Pool, ids: string[], times: number) {
  await waitFor(
    `alerts requeued ${times} times`,
    async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notifications n
         WHERE n.transaction_id = ANY($1)
           AND (SELECT count(*) FROM notification_events e WHERE e.notification_id = n.id AND e.type = 'REQUEUED') >= $2`,
        [ids, times],
      );
      return rows[0].n === ids.length;
    },
    60000,
    200,
  );
  return alertsByTx(db, ids);
}
