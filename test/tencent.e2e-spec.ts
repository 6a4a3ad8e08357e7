import { randomInt } from 'node:crypto';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { formatTencentTime } from '../src/providers/tencent/tencent.receipt';
import { publishContactsAndWait, waitForStatuses } from './support/e2e';
import { alertsByTx, attemptsOf, historyOf, providerStack, receivedBy } from './support/providers';

// Tencent Cloud SMS end to end: ingest -> dispatcher -> tencentcloud-sdk-nodejs-sms (TC3-signed) -> the
// sandbox's Tencent emulator -> status callback -> api. Tencent first, Twilio behind it.
const SIGN = 'Alertline银行';
const TOKEN = 'sandbox-tencent-callback-token';
const env = {
  PROVIDERS: 'tencent,twilio',
  PROVIDER_TIMEOUT_MS: '1500',
  CIRCUIT_TIMEOUT_MS: '2500',
  // A short bank phone keeps an ordinary zh-CN alert within Tencent's 70 characters.
  BANK_PHONE: '95588',
  // The frequency-limit test backs Tencent off for every dispatcher; the default 2 s would send the next
  // test's alert straight to Twilio.
  PROVIDER_THROTTLE_BACKOFF_MS: '1',
};

/** The zh-CN template text as registered with Tencent, filled with the alert's own params. */
function expectedHandset(a: { body: string }, params: { last4: string; merchant: string; amount: string }) {
  const time = /的卡于(.+?)在/.exec(a.body)![1];
  return `【${SIGN}】您尾号${params.last4}的卡于${time}在${params.merchant}消费${params.amount}。如非本人操作，请致电95588。`;
}

const chineseMobile = () => `+86138${String(randomInt(100_000_000)).padStart(8, '0')}`;
const tencentLength = (s: string) => [...s].length;

describe('Tencent Cloud SMS through the running roles and the sandbox', () => {
  const t = providerStack(env);

  async function publishZh(merchantName = '星巴克', fault?: Record<string, unknown>) {
    const contact = makeContact({ locale: 'zh-CN', phoneNumber: chineseMobile() });
    await publishContactsAndWait(t.stack, t.db, [contact]);
    if (fault) await t.stack.sandboxClient.setFault('tencent', fault);
    const txn = makeTransaction(contact.cardholderId, {
      amountMinor: 8800,
      currency: 'CNY',
      merchantName,
      merchantCity: undefined,
    });
    await t.stack.publishTransactions([txn]);
    return { phone: contact.phoneNumber, id: txn.transactionId, merchantName };
  }

  it('delivers a zh-CN alert with the exact text at Tencent, the report applied by the callback', async () => {
    const { phone, id } = await publishZh();
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    expect(alert.provider).toBe('tencent');
    const [message] = await t.stack.sandboxClient.messages({ provider: 'tencent', to: phone });
    const handset = expectedHandset(alert, { last4: '4242', merchant: '星巴克', amount: 'CNY 88.00' });
    expect(message.body).toBe(handset);
    // The template is the stored body without its 【bank】 prefix, under Tencent's signature.
    expect(message.body).toBe(`【${SIGN}】${alert.body.replace(/^【[^】]*】/, '')}`);
    expect(tencentLength(handset)).toBeLessThanOrEqual(70);
    const attempts = await attemptsOf(t.db, alert.id);
    expect(attempts).toEqual([
      expect.objectContaining({
        provider: 'tencent',
        status: 'ACCEPTED',
        segments: 1,
        provider_message_id: message.id,
      }),
    ]);
    const { rows } = await t.db.query(
      `SELECT status, provider_status FROM receipts WHERE provider = 'tencent' AND provider_message_id = $1`,
      [message.id],
    );
    expect(rows).toEqual([{ status: 'DELIVERED', provider_status: 'SUCCESS' }]);
    expect(await receivedBy(t.stack, phone)).toHaveLength(1);
  });

  it('a multipart zh-CN alert is counted and billed as Tencent bills it (signature included, 67 a part)', async () => {
    const { phone, id } = await publishZh('星'.repeat(100));
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    const [message] = await t.stack.sandboxClient.messages({ provider: 'tencent', to: phone });
    const handset = expectedHandset(alert, {
      last4: '4242',
      merchant: '星'.repeat(100),
      amount: 'CNY 88.00',
    });
    expect(message.body).toBe(handset);
    const parts = Math.ceil(tencentLength(handset) / 67);
    expect(parts).toBeGreaterThan(1);
    expect(message.segments).toBe(parts);
    const [attempt] = await attemptsOf(t.db, alert.id);
    expect(attempt).toMatchObject({ provider: 'tencent', status: 'ACCEPTED', segments: parts });
  });

  it('a number Tencent refuses as unsubscribed fails at once: no retry, no other provider', async () => {
    const phone = chineseMobile();
    const contact = makeContact({ locale: 'zh-CN', phoneNumber: phone });
    await publishContactsAndWait(t.stack, t.db, [contact]);
    await t.stack.sandboxClient.setFault('tencent', {
      permanentNumbers: [{ number: phone, reason: 'unsubscribed' }],
    });
    const txn = makeTransaction(contact.cardholderId, { currency: 'CNY', merchantCity: undefined });
    await t.stack.publishTransactions([txn]);
    await waitForStatuses(t.db, [txn.transactionId], ['FAILED']);
    const [alert] = await alertsByTx(t.db, [txn.transactionId]);
    expect(alert).toMatchObject({
      provider: 'tencent',
      last_error_code: 'FailedOperation.PhoneNumberInBlacklist',
    });
    expect(alert.last_error_detail).not.toContain(phone.slice(3));
    expect(await attemptsOf(t.db, alert.id)).toEqual([
      expect.objectContaining({
        provider: 'tencent',
        status: 'REJECTED',
        error_code: 'FailedOperation.PhoneNumberInBlacklist',
      }),
    ]);
    expect(await receivedBy(t.stack, phone)).toHaveLength(0);
  });

  it('a Tencent frequency limit fails over to Twilio', async () => {
    const { phone, id } = await publishZh('星巴克', { mode: 'http429', errorStyle: 'body' });
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    expect(alert.provider).toBe('twilio');
    const attempts = await attemptsOf(t.db, alert.id);
    expect(attempts[0]).toMatchObject({
      provider: 'tencent',
      error_code: 'LimitExceeded.DeliveryFrequencyLimit',
    });
    expect(attempts.at(-1)).toMatchObject({ provider: 'twilio', status: 'ACCEPTED' });
    expect(await t.stack.sandboxClient.messages({ provider: 'tencent', to: phone })).toHaveLength(0);
    expect(await receivedBy(t.stack, phone)).toHaveLength(1);
  });

  it('a lost answer is resolved by asking Tencent (SessionContext), and the alert is not sent again', async () => {
    // Tencent takes the message but answers the send and the lookups after the client gave up.
    const { phone, id } = await publishZh('星巴克', { mode: 'slow', latencyMs: 2500 });
    await waitFor('the unconfirmed Tencent attempt to be requeued', async () => {
      const [alert] = await alertsByTx(t.db, [id]);
      if (!alert) return false;
      const attempts = await attemptsOf(t.db, alert.id);
      const requeued = (await historyOf(t.db, alert.id)).some(
        (e) => e.type === 'REQUEUED' && e.error_code === 'TIMEOUT',
      );
      return requeued && attempts.some((a) => a.provider === 'tencent' && a.status === 'IN_FLIGHT');
    });
    await t.stack.sandboxClient.clearFaults();
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    expect(alert.provider).toBe('tencent');
    expect((await historyOf(t.db, alert.id)).map((e) => e.type)).toContain('RECOVERED_IN_FLIGHT');
    expect(await receivedBy(t.stack, phone)).toHaveLength(1);
  });

  it('refuses a forged status callback (403) and applies nothing; the token-bearing one is answered result 0', async () => {
    const { id } = await publishZh();
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    const sid = (await attemptsOf(t.db, alert.id))[0].provider_message_id!;
    const forged = [
      {
        user_receive_time: formatTencentTime(new Date()),
        nationcode: '86',
        mobile: '13800138000',
        report_status: 'FAIL',
        errmsg: 'UNDELIV',
        description: 'forged',
        sid,
      },
    ];
    const post = (query: string, body: unknown = forged) =>
      fetch(`${t.stack.apiUrl}/webhooks/tencent/status${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('')).status).toBe(403);
    expect((await post('?token=not-the-token')).status).toBe(403);
    expect((await post(`?token=${TOKEN}x`)).status).toBe(403);
    const count = async () =>
      (
        await t.db.query(
          `SELECT count(*)::int AS n FROM receipts WHERE provider = 'tencent' AND provider_message_id = $1`,
          [sid],
        )
      ).rows[0].n as number;
    expect(await count()).toBe(1);
    expect((await alertsByTx(t.db, [id]))[0].status).toBe('DELIVERED');

    const unknown = [
      { ...forged[0], sid: `9999:${randomInt(1e9)}`, report_status: 'SUCCESS', errmsg: 'DELIVRD' },
    ];
    const ok = await post(`?token=${TOKEN}`, unknown);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: 0, errmsg: 'OK' });
    expect((await post(`?token=${TOKEN}`, [{ sid: 'x' }])).status).toBe(400);
  });
});
