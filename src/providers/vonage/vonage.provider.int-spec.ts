// Integration spec: VonageProvider (the @vonage/sms SDK on Node's fetch) against the sandbox in-process,
// over real sockets. The SDK moved from node-fetch to Node's fetch, whose errors have another shape; these
// are the errors the breaker and the no-double-send rules read.
import { randomInt, randomUUID } from 'node:crypto';
import { loadConfig } from '../provider-config';
import { h, setFault, useSandbox, VONAGE } from '../../sandbox/testing/sandbox.harness';
import { ProviderTimeoutError, SendOutcomeUnknownError, TransientProviderError } from '../provider.errors';
import { OutboundSms } from '../provider.interface';
import { VonageProvider } from './vonage.provider';

useSandbox();

describe('VonageProvider on the sandbox', () => {
  const provider = (timeoutMs = 3000) =>
    new VonageProvider(
      loadConfig({
        VONAGE_BASE_URL: h.sandbox.baseUrl,
        VONAGE_API_KEY: VONAGE.apiKey,
        VONAGE_API_SECRET: VONAGE.apiSecret,
        PUBLIC_BASE_URL: h.receiver.url,
        PROVIDER_TIMEOUT_MS: String(timeoutMs),
      }),
    );
  const sms = (): OutboundSms => ({
    attemptId: randomUUID(),
    notificationId: randomUUID(),
    to: `+4477${String(randomInt(100_000_000)).padStart(8, '0')}`,
    body: 'Alertline Bank: card ending 4242 was used for GBP 19.99 at CORNER SHOP on 1 Dec 20:21.',
  });

  it('sends, then finds the message by our attempt id and by its message id', async () => {
    const vonage = provider();
    const out = sms();
    const sent = await vonage.send(out);
    expect(sent).toMatchObject({ segments: 1, partIds: [sent.providerMessageId] });
    expect(await vonage.findSent(out, new Date(Date.now() - 1000))).toMatchObject({
      providerMessageId: sent.providerMessageId,
    });
    expect(await vonage.fetchStatus(sent.providerMessageId)).toMatchObject({
      providerMessageId: sent.providerMessageId,
    });
    expect(await vonage.fetchStatus('no-such-message')).toBeNull();
  });

  it('a reset connection is transient with the socket code, not a timeout', async () => {
    await setFault('vonage', { mode: 'refuse' });
    const err = await provider()
      .send(sms())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientProviderError);
    expect(err).not.toBeInstanceOf(ProviderTimeoutError);
    // Reset after the request went out: Vonage may have it, so the dispatcher asks before any resend.
    expect(err).toBeInstanceOf(SendOutcomeUnknownError);
    expect(err).toMatchObject({ code: 'ECONNRESET', message: 'fetch failed: read ECONNRESET' });
  });

  it('no answer within PROVIDER_TIMEOUT_MS is a timeout (the provider may have the message)', async () => {
    await setFault('vonage', { mode: 'timeout' });
    await expect(provider(300).send(sms())).rejects.toBeInstanceOf(ProviderTimeoutError);
  });

  it('an HTTP 500 is transient with the status', async () => {
    await setFault('vonage', { mode: 'http500' });
    await expect(provider().send(sms())).rejects.toMatchObject({ kind: 'transient', code: 'HTTP_500' });
  });
});
