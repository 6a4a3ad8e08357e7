// Integration spec: TencentProvider through the real tencentcloud-sdk-nodejs-sms (TC3-signed JSON over
// node-fetch) to the sandbox in-process, over real sockets; status reports pushed to a local receiver.
import { randomInt, randomUUID } from 'node:crypto';
import type { RenderedTemplate } from '../../rendering/template.types';
import { control, h, setFault, stored, useSandbox, waitFor } from '../../sandbox/testing/sandbox.harness';
import { loadConfig } from '../provider-config';
import {
  PermanentRecipientError,
  ProviderTimeoutError,
  RateLimitedError,
  TransientProviderError,
} from '../provider.errors';
import { OutboundSms, ProviderMessageStatus as P } from '../provider.interface';
import { TencentProvider } from './tencent.provider';

useSandbox();

const SIGN = 'Alertline银行';
const ZH_TEXT = '您尾号{1}的卡于{2}在{3}消费{4}。如非本人操作，请致电{5}。';

describe('TencentProvider on the sandbox', () => {
  const provider = (env: Record<string, string> = {}) =>
    new TencentProvider(
      loadConfig({
        TENCENT_SMS_ENDPOINT: `${h.sandbox.baseUrl}/tencent`,
        PUBLIC_BASE_URL: h.receiver.url,
        PROVIDER_TIMEOUT_MS: '3000',
        ...env,
      }),
    );
  const zh = (merchant = '星巴克'): RenderedTemplate => ({
    key: 'card_authorised',
    locale: 'zh-CN',
    params: [
      { name: 'card_last4', value: '4242' },
      { name: 'time', value: '12月7日 10:21' },
      { name: 'merchant', value: merchant },
      { name: 'amount', value: 'CNY 88.00' },
      { name: 'bank_phone', value: '95588' },
    ],
  });
  const handset = (t: RenderedTemplate) =>
    `【${SIGN}】${ZH_TEXT.replace(/\{(\d)\}/g, (_, n: string) => t.params[Number(n) - 1].value)}`;
  const sms = (template = zh()): OutboundSms => ({
    attemptId: randomUUID(),
    notificationId: randomUUID(),
    to: `+86138${String(randomInt(100_000_000)).padStart(8, '0')}`,
    body: `【Alertline Bank】${handset(template).replace(/^【[^】]*】/, '')}`,
    encoding: 'UCS-2',
    template,
  });
  const reportsFor = (sid: string) =>
    h.receiver.received.filter(
      (r) => Array.isArray(r.params) && (r.params as Array<{ sid: string }>).some((i) => i.sid === sid),
    );

  it('sends the template signed, the sandbox renders it, the report arrives, findSent matches SessionContext', async () => {
    const tencent = provider();
    const out = sms();
    const sent = await tencent.send(out);
    expect(sent.segments).toBe(1);
    const message = await stored('tencent', sent.providerMessageId);
    expect(message).toMatchObject({ body: handset(out.template!), clientRef: out.attemptId, segments: 1 });
    const [callback] = await waitFor(
      () => reportsFor(sent.providerMessageId).length > 0 && reportsFor(sent.providerMessageId),
      'status report',
    );
    expect(callback.path).toBe('/webhooks/tencent/status?token=sandbox-tencent-callback-token');
    expect(callback.params).toEqual([
      expect.objectContaining({
        sid: sent.providerMessageId,
        report_status: 'SUCCESS',
        errmsg: 'DELIVRD',
        nationcode: '86',
        mobile: out.to.slice(3),
      }),
    ]);
    expect(await tencent.findSent(out, new Date(Date.now() - 1000))).toEqual({
      providerMessageId: sent.providerMessageId,
      status: P.DELIVERED,
      providerStatus: 'SUCCESS',
      errorCode: undefined,
    });
    // Another attempt to the same number is not this one once its report names this attempt.
    expect(
      await tencent.findSent({ ...out, attemptId: randomUUID() }, new Date(Date.now() - 1000)),
    ).toBeNull();
    expect(await tencent.fetchStatus()).toBeNull();
  });

  it('before any report, finds a submitted message in the send records unless another attempt recorded it', async () => {
    await setFault('tencent', { receipt: 'none' });
    const tencent = provider();
    const out = sms();
    const since = new Date(Date.now() - 1000);
    const sent = await tencent.send(out);
    expect(await tencent.findSent(out, since)).toMatchObject({
      providerMessageId: sent.providerMessageId,
      status: P.SENT,
    });
    const claimed = (ids: string[]) => Promise.resolve(new Set(ids));
    expect(await tencent.findSent(out, since, claimed)).toBeNull();
    expect(await tencent.findSent({ ...out, to: '+8613900000000' }, since)).toBeNull();
  });

  it('a long zh-CN alert is billed as Tencent counts it: 70 with the signature in one, then 67 a part', async () => {
    const tencent = provider();
    const long = zh('星'.repeat(60));
    const out = sms(long);
    expect([...handset(long)].length).toBeGreaterThan(70);
    const sent = await tencent.send(out);
    const expected = Math.ceil([...handset(long)].length / 67);
    expect(sent.segments).toBe(expected);
    expect(await stored('tencent', sent.providerMessageId)).toMatchObject({
      segments: expected,
      body: handset(long),
    });
  });

  it('a barred number is permanent; a frequency limit is a rate limit; InternalError is transient', async () => {
    const barred = sms();
    await setFault('tencent', { permanentNumbers: [{ number: barred.to, reason: 'unsubscribed' }] });
    const err = await provider()
      .send(barred)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentRecipientError);
    expect(err).toMatchObject({ code: 'FailedOperation.PhoneNumberInBlacklist' });
    await setFault('tencent', { mode: 'http429', errorStyle: 'body' });
    await expect(provider().send(sms())).rejects.toBeInstanceOf(RateLimitedError);
    await setFault('tencent', { mode: 'http500', errorStyle: 'body' });
    await expect(provider().send(sms())).rejects.toMatchObject({
      kind: 'transient',
      code: 'InternalError.OtherError',
    });
    await setFault('tencent', { mode: 'http500' });
    await expect(provider().send(sms())).rejects.toMatchObject({ kind: 'transient', code: 'HTTP_500' });
  });

  it('the sandbox refuses a request signed with another key, in Tencent words', async () => {
    const out = sms();
    const err = await provider({ TENCENT_SECRET_KEY: 'not-the-sandbox-key' })
      .send(out)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientProviderError);
    expect(err).toMatchObject({ code: 'AuthFailure.SignatureFailure' });
    const { json } = await control(
      'GET',
      `/sandbox/messages?provider=tencent&to=${encodeURIComponent(out.to)}`,
    );
    expect(json).toEqual({ count: 0, messages: [] });
  });

  it('no answer in time is a timeout (ask first); a reset connection is transient, not a timeout', async () => {
    await setFault('tencent', { mode: 'timeout' });
    await expect(provider({ PROVIDER_TIMEOUT_MS: '300' }).send(sms())).rejects.toBeInstanceOf(
      ProviderTimeoutError,
    );
    await setFault('tencent', { mode: 'refuse' });
    const err = await provider()
      .send(sms())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'transient', code: 'NETWORK' });
    expect(err).not.toBeInstanceOf(ProviderTimeoutError);
  });

  it('without a template (or an id for it) Tencent cannot send it: a typed cannot-send, not the number', async () => {
    const out = { ...sms(), template: undefined };
    await expect(provider().send(out)).rejects.toMatchObject({ kind: 'cannot-send', code: 'NO_TEMPLATE' });
    const unknown = sms({ ...zh(), key: 'card_reversed' });
    await expect(provider().send(unknown)).rejects.toMatchObject({
      kind: 'cannot-send',
      code: 'NO_TEMPLATE_ID',
    });
  });
});
