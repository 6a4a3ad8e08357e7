// Integration spec: TwilioProvider (the twilio SDK) against the sandbox in-process, over real sockets.
import { randomInt, randomUUID } from 'node:crypto';
import { loadConfig } from '../provider-config';
import { h, SID, TOKEN, useSandbox } from '../../sandbox/testing/sandbox.harness';
import { OutboundSms } from '../provider.interface';
import { TwilioProvider } from './twilio.provider';

useSandbox();

describe('TwilioProvider.findSent', () => {
  const provider = () =>
    new TwilioProvider(
      loadConfig({
        TWILIO_BASE_URL: h.sandbox.baseUrl,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: TOKEN,
        PUBLIC_BASE_URL: h.receiver.url,
      }),
    );
  const sms = (): OutboundSms => ({
    attemptId: randomUUID(),
    notificationId: randomUUID(),
    to: `+4474${String(randomInt(100_000_000)).padStart(8, '0')}`,
    body: 'Alertline Bank: card ending 4242 was used for GBP 19.99 at CORNER SHOP on 1 Dec 20:21.',
  });

  // Seen in the ingest crash test under load: a cardholder's 30 alerts had one text; attempts that timed
  // out each took the newest matching message, one another alert had already recorded, and their SENT
  // writes then failed on the unique message id again and again until the deadline.
  it('skips a message with the same text that another attempt already recorded', async () => {
    const twilio = provider();
    const since = new Date(Date.now() - 1000);
    const first = sms();
    const second = { ...sms(), to: first.to, body: first.body };
    const a = (await twilio.send(first)).providerMessageId;
    const b = (await twilio.send(second)).providerMessageId;

    const unfiltered = await twilio.findSent(second, since);
    expect([a, b]).toContain(unfiltered?.providerMessageId);

    const asked: string[][] = [];
    const claimed = (owned: string[]) => async (ids: string[]) => {
      asked.push(ids);
      return new Set(ids.filter((id) => owned.includes(id)));
    };
    expect((await twilio.findSent(second, since, claimed([a])))?.providerMessageId).toBe(b);
    expect((await twilio.findSent(second, since, claimed([b])))?.providerMessageId).toBe(a);
    expect(await twilio.findSent(second, since, claimed([a, b]))).toBeNull();
    expect(asked.every((ids) => [...ids].sort().join() === [a, b].sort().join())).toBe(true);
  });

  it('does not ask about claims when no message has the text', async () => {
    const twilio = provider();
    const claimed = jest.fn(async () => new Set<string>());
    expect(await twilio.findSent(sms(), new Date(), claimed)).toBeNull();
    expect(claimed).not.toHaveBeenCalled();
  });
});
