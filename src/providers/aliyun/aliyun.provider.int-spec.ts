// Integration spec: AliyunProvider through the real @alicloud/dysmsapi20170525 SDK (ACS3-HMAC-SHA256
// signed requests over HTTP) to the sandbox in-process. These are the answers the route's typed errors,
// the lookup after a lost answer and the sweeper's poll read.
import { randomInt, randomUUID } from 'node:crypto';
import { renderAlertText } from '../../rendering/alert-text';
import { control, h, setFault, stored, useSandbox, waitFor } from '../../sandbox/testing/sandbox.harness';
import { loadConfig } from '../provider-config';
import {
  CannotSendMessageError,
  PermanentRecipientError,
  ProviderTimeoutError,
  RateLimitedError,
  TransientProviderError,
} from '../provider.errors';
import { OutboundSms, ProviderMessageStatus as P } from '../provider.interface';
import { AliyunProvider } from './aliyun.provider';

useSandbox();

describe('AliyunProvider on the sandbox', () => {
  const provider = (env: Record<string, string> = {}) =>
    new AliyunProvider(
      loadConfig({ ALIYUN_ENDPOINT: h.sandbox.baseUrl, PROVIDER_TIMEOUT_MS: '3000', ...env }),
    );
  const sms = (
    merchantName = '星巴克',
    to = `+86139${String(randomInt(1e8)).padStart(8, '0')}`,
  ): OutboundSms => {
    const text = renderAlertText({
      bankName: 'Alertline Bank',
      bankPhone: '95588',
      cardLast4: '4242',
      amountMinor: 8800,
      currency: 'CNY',
      merchantName,
      merchantCity: '上海',
      authorisedAt: new Date(),
      timeZone: 'Asia/Shanghai',
      locale: 'zh-CN',
    });
    return {
      attemptId: randomUUID(),
      notificationId: randomUUID(),
      to,
      body: text.body,
      encoding: text.encoding,
      template: text.template,
    };
  };

  it('sends the template with the signature; the handset text is what the sandbox rendered', async () => {
    const aliyun = provider();
    const out = sms();
    const sent = await aliyun.send(out);
    const handset = `【Alertline银行】${out.body.replace('【Alertline Bank】', '')}`;
    expect(sent).toEqual({ providerMessageId: out.attemptId, segments: 1, handsetText: handset });
    const { json } = await control(
      'GET',
      `/sandbox/messages?provider=aliyun&to=${encodeURIComponent(out.to)}`,
    );
    expect(json.messages).toEqual([
      expect.objectContaining({
        body: handset,
        clientRef: out.attemptId,
        from: 'Alertline银行',
        segments: 1,
      }),
    ]);
  });

  it('finds a message by recipient, day and OutId; polls its status once Aliyun has the receipt', async () => {
    const aliyun = provider();
    const out = sms();
    await aliyun.send(out);
    expect(await aliyun.findSent(out, new Date(Date.now() - 1000))).toMatchObject({
      providerMessageId: out.attemptId,
    });
    expect(
      await aliyun.findSent({ ...out, attemptId: randomUUID() }, new Date(Date.now() - 1000)),
    ).toBeNull();
    const sent = { to: out.to, acceptedAt: new Date() };
    const report = await waitFor(
      () => h.receiver.received.find((r) => r.path.startsWith('/aliyun/report')),
      'SmsReport',
    );
    expect(report.path).toBe('/aliyun/report?token=sandbox-aliyun-receipt-path-secret-0000');
    expect(report.headers['content-type']).toBe('application/json');
    let polled = await aliyun.fetchStatus(out.attemptId, sent);
    for (let i = 0; polled?.status !== P.DELIVERED && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      polled = await aliyun.fetchStatus(out.attemptId, sent);
    }
    expect(polled).toMatchObject({ providerMessageId: out.attemptId, status: P.DELIVERED });
    expect(await aliyun.fetchStatus(out.attemptId)).toBeNull();
  });

  it('counts a long zh-CN message the way Aliyun bills it (70, then 67 per part)', async () => {
    const out = sms('上海市浦东新区世纪大道一百号环球金融中心地下一层精品咖啡店');
    const sent = await provider().send(out);
    const chars = [...sent.handsetText!].length;
    expect(chars).toBeGreaterThan(70);
    expect(sent.segments).toBe(Math.ceil(chars / 67));
    expect((await stored('aliyun', (await findBiz(out)) ?? '')).segments).toBe(sent.segments);
  });

  it('an invalid or unsubscribed number is permanent', async () => {
    await setFault('aliyun', {
      permanentNumbers: ['+8613800000001', { number: '+8613800000002', reason: 'unsubscribed' }],
    });
    await expect(provider().send(sms(undefined, '+8613800000001'))).rejects.toMatchObject({
      constructor: PermanentRecipientError,
      code: 'isv.MOBILE_NUMBER_ILLEGAL',
    });
    await expect(provider().send(sms(undefined, '+8613800000002'))).rejects.toMatchObject({
      code: 'isv.CUSTOMER_REFUSED',
    });
  });

  it('flow control is rate limited, in either style', async () => {
    await setFault('aliyun', { mode: 'http429', errorStyle: 'body' });
    await expect(provider().send(sms())).rejects.toMatchObject({
      constructor: RateLimitedError,
      code: 'isv.BUSINESS_LIMIT_CONTROL',
    });
    await setFault('aliyun', { mode: 'http429' });
    await expect(provider().send(sms())).rejects.toMatchObject({
      constructor: RateLimitedError,
      code: 'Throttling.User',
    });
  });

  it('5xx, a reset connection and a wrong AccessKey secret are transient; no answer is a timeout', async () => {
    await setFault('aliyun', { mode: 'http500' });
    const e500 = await provider()
      .send(sms())
      .catch((e: unknown) => e);
    expect(e500).toMatchObject({ constructor: TransientProviderError, code: 'ServiceUnavailable' });
    await setFault('aliyun', { mode: 'refuse' });
    const reset = await provider()
      .send(sms())
      .catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(TransientProviderError);
    expect(reset).not.toBeInstanceOf(ProviderTimeoutError);
    await setFault('aliyun', { mode: 'none' });
    await expect(
      provider({ ALIYUN_ACCESS_KEY_SECRET: 'not-the-sandbox-secret' }).send(sms()),
    ).rejects.toMatchObject({
      kind: 'transient',
      code: 'SignatureDoesNotMatch',
    });
    await setFault('aliyun', { mode: 'timeout' });
    await expect(provider({ PROVIDER_TIMEOUT_MS: '300' }).send(sms())).rejects.toBeInstanceOf(
      ProviderTimeoutError,
    );
  });

  it('says what it cannot carry without asking Aliyun, and send refuses it the same way', async () => {
    const aliyun = provider();
    const out = sms();
    const t = out.template!;
    expect(aliyun.cannotCarry(t)).toBeUndefined();
    expect(aliyun.cannotCarry(undefined)).toMatchObject({ kind: 'cannot-send', code: 'NO_TEMPLATE' });
    expect(aliyun.cannotCarry({ ...t, key: 'card_reversed' })).toMatchObject({ code: 'NO_TEMPLATE_CODE' });
    expect(aliyun.cannotCarry({ ...t, params: t.params.slice(1) })).toMatchObject({
      code: 'TEMPLATE_MISMATCH',
    });
    await expect(aliyun.send({ ...out, template: undefined })).rejects.toBeInstanceOf(CannotSendMessageError);
    expect(await findBiz(out)).toBeUndefined();
  });
});

async function findBiz(out: OutboundSms): Promise<string | undefined> {
  const { json } = await control('GET', `/sandbox/messages?provider=aliyun&to=${encodeURIComponent(out.to)}`);
  return (json.messages as Array<{ id: string; clientRef: string }>).find(
    (m) => m.clientRef === out.attemptId,
  )?.id;
}
