import { waitFor } from '../src/devstack/wait-for';
import { waitForStatuses } from './support/e2e';
import {
  alertsByTx,
  ALL_PROVIDERS,
  attemptsOf,
  historyOf,
  providerStack,
  publishAlerts,
  receivedBy,
} from './support/providers';

// The duplicate the benchmark once saw: a send times out, the provider takes the request only after we
// gave up, and a prompt lookup in between says "no such message". Twilio takes each send 4 s after it
// arrives (the client gives up after 1.5 s) while its lookups answer at once; a "not there" is believed
// only UNKNOWN_OUTCOME_SETTLE_MS after the call's own bound.
const TWILIO_TAKES_MS = 4000;
const env = {
  PROVIDERS: ALL_PROVIDERS,
  ALERT_DEADLINE_SECONDS: '120',
  PROVIDER_TIMEOUT_MS: '1500',
  CIRCUIT_TIMEOUT_MS: '2500',
  PROVIDER_LOOKUP_GRACE_MS: '500',
  UNKNOWN_OUTCOME_SETTLE_MS: '20000',
};

describe('a provider that takes a send after the client gave up', () => {
  const t = providerStack(env);

  it('is asked again until it shows the message, and the alert is never sent a second time', async () => {
    await t.stack.sandboxClient.setFault('twilio', {
      mode: 'slow',
      latencyMs: TWILIO_TAKES_MS,
      slowRequests: 'send',
    });
    const { contacts, ids } = await publishAlerts(t.stack, t.db, 1);
    const phone = contacts[0].phoneNumber;
    // Twilio takes it late; by then a blind resend would have gone to Vonage.
    await waitFor('Twilio to take the message after the client gave up', async () =>
      (await t.stack.sandboxClient.messages({ provider: 'twilio', to: phone })).length > 0 ? true : undefined,
    );
    await waitForStatuses(t.db, ids, ['DELIVERED']);

    const [alert] = await alertsByTx(t.db, ids);
    const handset = await receivedBy(t.stack, phone);
    expect(handset.map((m) => m.provider)).toEqual(['twilio']);
    expect(alert.provider).toBe('twilio');
    const attempts = (await attemptsOf(t.db, alert.id)).map((a) => `${a.provider}:${a.status}`);
    expect(attempts).toEqual(['twilio:ACCEPTED']);
    const history = (await historyOf(t.db, alert.id)).map((e) => e.type);
    expect(history).toContain('RECOVERED_IN_FLIGHT');
  });
});

// An SMSC cannot be asked about a submit_sm whose response was lost (query_sm needs the id it never gave
// us). The alert waits, sent nowhere, until the attempt has settled; then the default
// UNKNOWN_OUTCOME_POLICY (resend) sends it again as a recorded, counted decision.
describe('an SMSC that takes a submit_sm after the client gave up', () => {
  const t = providerStack({ ...env, PROVIDERS: 'smpp,twilio' });

  it('waits until the attempt has settled, then resends by policy and records why', async () => {
    await t.stack.sandboxClient.setFault('smpp', { mode: 'slow', latencyMs: TWILIO_TAKES_MS });
    const { contacts, ids } = await publishAlerts(t.stack, t.db, 1);
    const phone = contacts[0].phoneNumber;
    await waitFor('the SMSC to take the message after the client gave up', async () =>
      (await t.stack.sandboxClient.messages({ provider: 'smpp', to: phone })).length > 0 ? true : undefined,
    );
    const [waiting] = await alertsByTx(t.db, ids);
    // Nothing went anywhere else while the SMPP attempt could still have been taken.
    expect((await receivedBy(t.stack, phone)).map((m) => m.provider)).toEqual(['smpp']);
    expect((await attemptsOf(t.db, waiting.id)).map((a) => `${a.provider}:${a.status}`)).toEqual([
      'smpp:IN_FLIGHT',
    ]);

    await t.stack.sandboxClient.clearFaults();
    await waitForStatuses(t.db, ids, ['DELIVERED']);
    const attempts = (await attemptsOf(t.db, waiting.id)).map((a) => `${a.provider}:${a.status}`);
    expect(attempts).toEqual(['smpp:UNKNOWN', 'smpp:ACCEPTED']);
    const decision = (await historyOf(t.db, waiting.id)).find((e) => e.type === 'OUTCOME_UNKNOWN');
    expect(decision?.detail).toContain('UNKNOWN_OUTCOME_POLICY=resend');
    expect(await receivedBy(t.stack, phone)).toHaveLength(2);
  });
});
