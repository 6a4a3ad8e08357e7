// Aliyun SMS end to end: ingest, the dispatcher's route through the real dysmsapi SDK to the sandbox's
// Aliyun emulator, its SmsReport push to the api's webhook, PostgreSQL. Aliyun first, Twilio behind it.
import { randomInt } from 'node:crypto';
import { openedAttempts } from '../src/devstack/opened-alerts';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { aliyunTime } from '../src/providers/aliyun/aliyun.wire';
import { publishContactsAndWait, waitForStatuses } from './support/e2e';
import { alertsByTx, attemptsOf, historyOf, providerStack, receivedBy } from './support/providers';

const env = { PROVIDERS: 'aliyun,twilio', PROVIDER_TIMEOUT_MS: '1500', CIRCUIT_TIMEOUT_MS: '2500' };
const SIGN = 'Alertline银行';
const TOKEN = 'sandbox-aliyun-receipt-path-secret-0000';

describe('Aliyun SMS through the running roles and the sandbox', () => {
  const t = providerStack(env);

  async function publishZh(merchantName = '星巴克') {
    const contact = makeContact({
      locale: 'zh-CN',
      phoneNumber: `+86139${String(randomInt(1e8)).padStart(8, '0')}`,
    });
    await publishContactsAndWait(t.stack, t.db, [contact]);
    const txn = makeTransaction(contact.cardholderId, {
      amountMinor: 8800,
      currency: 'CNY',
      merchantName,
      merchantCity: '上海',
    });
    await t.stack.publishTransactions([txn]);
    return { phone: contact.phoneNumber, id: txn.transactionId };
  }

  /** The alert's template and accepted attempts, opened (they are sealed at rest). */
  async function recorded(notificationId: string) {
    const rows = await openedAttempts(t.db, 'n.id', notificationId);
    return rows.map((r) => ({ ...r, template_params: r.template_params ?? [] }));
  }

  it('delivers a zh-CN alert; the text at the sandbox is exactly what PostgreSQL recorded', async () => {
    const { phone, id } = await publishZh();
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    expect(alert.provider).toBe('aliyun');
    const [attempt] = await recorded(alert.id);
    expect(attempt.template_key).toBe('card_authorised');
    expect(attempt.template_params.map((p) => p.name)).toEqual([
      'card',
      'time',
      'merchant',
      'amount',
      'phone',
    ]);
    expect(attempt.handset_text).toBe(`【${SIGN}】${alert.body.replace('【Alertline Bank】', '')}`);
    const [message] = await t.stack.sandboxClient.messages({ provider: 'aliyun', to: phone });
    expect(message).toMatchObject({ body: attempt.handset_text, from: SIGN, segments: attempt.segments });
    expect(message.clientRef).toBe(attempt.provider_message_id);
    expect(await receivedBy(t.stack, phone)).toHaveLength(1);
  });

  it('counts and bills a multipart zh-CN alert as Aliyun does (over 70 characters with the signature: 67 a part)', async () => {
    const { phone, id } = await publishZh('上海市浦东新区世纪大道一百号上海环球金融中心地下一层精品咖啡店');
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    const [attempt] = await recorded(alert.id);
    const chars = [...attempt.handset_text!].length;
    expect(chars).toBeGreaterThan(70);
    expect(attempt.segments).toBe(Math.ceil(chars / 67));
    const [message] = await t.stack.sandboxClient.messages({ provider: 'aliyun', to: phone });
    expect(message.segments).toBe(attempt.segments);
    const sent = (await historyOf(t.db, alert.id)).find((e) => e.type === 'SENT');
    expect(sent?.detail).toBe(`${attempt.segments} segment(s)`);
  });

  it('a number Aliyun calls invalid fails the alert at once: no retry, no other provider', async () => {
    const contactPhone = `+86139${String(randomInt(1e8)).padStart(8, '0')}`;
    await t.stack.sandboxClient.setFault('aliyun', { permanentNumbers: [contactPhone] });
    const contact = makeContact({ locale: 'zh-CN', phoneNumber: contactPhone });
    await publishContactsAndWait(t.stack, t.db, [contact]);
    const txn = makeTransaction(contact.cardholderId, { currency: 'CNY', amountMinor: 100 });
    await t.stack.publishTransactions([txn]);
    await waitForStatuses(t.db, [txn.transactionId], ['FAILED']);
    const [alert] = await alertsByTx(t.db, [txn.transactionId]);
    expect(alert.last_error_code).toBe('isv.MOBILE_NUMBER_ILLEGAL');
    expect((await attemptsOf(t.db, alert.id)).map((a) => a.provider)).toEqual(['aliyun']);
    expect(await receivedBy(t.stack, contactPhone)).toHaveLength(0);
  });

  it('refuses a forged SmsReport (403, nothing applied) and applies one with the token', async () => {
    await t.stack.sandboxClient.setFault('aliyun', { receipt: 'none' });
    const { phone, id } = await publishZh();
    await waitForStatuses(t.db, [id], ['SENT']);
    const [alert] = await alertsByTx(t.db, [id]);
    const [attempt] = await recorded(alert.id);
    const report = [
      {
        phone_number: phone.slice(3),
        send_time: aliyunTime(new Date(Date.now() - 5000)),
        report_time: aliyunTime(new Date()),
        success: false,
        err_code: 'MN:0017',
        err_msg: '号码状态异常',
        sms_size: '1',
        biz_id: '1234567890123456^0',
        out_id: attempt.provider_message_id,
      },
    ];
    const post = (query: string) =>
      fetch(`${t.stack.apiUrl}/webhooks/aliyun/report${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(report),
      });
    expect((await post('')).status).toBe(403);
    expect((await post('?token=not-the-token-but-long-enough-000000')).status).toBe(403);
    const { rows: none } = await t.db.query(
      `SELECT 1 FROM receipts WHERE provider = 'aliyun' AND provider_message_id = $1`,
      [attempt.provider_message_id],
    );
    expect(none).toEqual([]);
    expect((await alertsByTx(t.db, [id]))[0].status).toBe('SENT');

    const ok = await post(`?token=${TOKEN}`);
    expect({ status: ok.status, body: await ok.json() }).toEqual({
      status: 200,
      body: { code: 0, msg: '接收成功' },
    });
    await waitForStatuses(t.db, [id], ['UNDELIVERED']);
    expect((await alertsByTx(t.db, [id]))[0].last_error_code).toBe('MN:0017');
  });

  it('resolves a lost answer by QuerySendDetails: the alert is recorded as Aliyun’s, never sent twice', async () => {
    // Aliyun takes the message after our timeout; its lookup is as slow, so the attempt stays in flight.
    await t.stack.sandboxClient.setFault('aliyun', { mode: 'slow', latencyMs: 2500 });
    await t.stack.sandboxClient.setFault('twilio', { mode: 'http500' });
    const { phone, id } = await publishZh();
    const alertId = await waitFor('the alert', async () => (await alertsByTx(t.db, [id]))[0]?.id);
    await waitFor('a timed-out Aliyun attempt left in flight', async () => {
      const attempts = await attemptsOf(t.db, alertId);
      const requeued = (await historyOf(t.db, alertId)).some(
        (e) => e.type === 'REQUEUED' && e.error_code === 'TIMEOUT',
      );
      return requeued && attempts.some((a) => a.provider === 'aliyun' && a.status === 'IN_FLIGHT');
    });
    await t.stack.sandboxClient.clearFaults();
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    expect(alert.provider).toBe('aliyun');
    expect((await historyOf(t.db, alert.id)).map((e) => e.type)).toContain('RECOVERED_IN_FLIGHT');
    expect(await receivedBy(t.stack, phone)).toHaveLength(1);
  });

  // Last: a rate-limited provider is left alone by every dispatcher for PROVIDER_THROTTLE_BACKOFF_MS.
  it('Aliyun flow control fails the alert over to the next provider', async () => {
    await t.stack.sandboxClient.setFault('aliyun', { mode: 'http429', errorStyle: 'body' });
    const { phone, id } = await publishZh();
    await waitForStatuses(t.db, [id], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [id]);
    expect(alert.provider).toBe('twilio');
    const failover = (await historyOf(t.db, alert.id)).find((e) => e.type === 'FAILOVER');
    expect(failover).toMatchObject({ provider: 'twilio', error_code: 'isv.BUSINESS_LIMIT_CONTROL' });
    const [message] = await t.stack.sandboxClient.messages({ provider: 'twilio', to: phone });
    expect(message.body).toBe(alert.body);
    expect(await t.stack.sandboxClient.messages({ provider: 'aliyun', to: phone })).toEqual([]);
  });
});
