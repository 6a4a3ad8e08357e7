// A correction for a mainland cardholder on the mainland route (Aliyun, Tencent Cloud behind it): it goes
// out as Aliyun's approved correction template with its params, through the real dysmsapi SDK to the
// sandbox, with no cannot-send on the way and no breaker counting anything.
import { randomInt, randomUUID } from 'node:crypto';
import { makeContact, makeReversal, makeTransaction } from '../src/devstack/sample-data';
import { openedAttempts } from '../src/devstack/opened-alerts';
import { waitFor } from '../src/devstack/wait-for';
import { NotificationsRepository } from '../src/notifications/notifications.repository';
import { testCipher } from '../src/crypto/testing/test-cipher';
import { scrubPersonalData } from '../src/common/phone-mask';
import { signedText } from '../src/rendering/alert-template';
import { testDatabaseService } from './support/db';
import { api, publishContactsAndWait, SUPERVISOR_KEY, waitForStatuses } from './support/e2e';
import { newNotification } from './support/notification-fixture';
import { attemptsOf, circuitStates, historyOf, providerStack } from './support/providers';
import { waitForCorrections } from './support/reversals';

const env = { PROVIDERS: 'aliyun,tencent', PROVIDER_TIMEOUT_MS: '1500', CIRCUIT_TIMEOUT_MS: '2500' };
const SIGN = 'Alertline银行';

describe('a correction on the mainland route (aliyun,tencent) through the roles and the sandbox', () => {
  const t = providerStack(env);

  it('goes out as Aliyun’s card_refunded_partial template with the right params', async () => {
    const phone = `+86139${String(randomInt(1e8)).padStart(8, '0')}`;
    const contact = makeContact({ locale: 'zh-CN', phoneNumber: phone });
    await publishContactsAndWait(t.stack, t.db, [contact]);
    const txn = makeTransaction(contact.cardholderId, {
      amountMinor: 8800,
      currency: 'CNY',
      merchantName: '星巴克',
      merchantCity: '上海',
    });
    await t.stack.publishTransactions([txn]);
    await waitForStatuses(t.db, [txn.transactionId], ['DELIVERED']);
    const refund = makeReversal(txn, { kind: 'PARTIAL_REFUND', amountMinor: 3000 });
    await t.stack.publishReversals([refund]);
    const done = await waitForCorrections(t.db, [refund.reversalId], ['DELIVERED']);
    const correction = done.get(refund.reversalId)!;

    const { rows } = await t.db.query<{ provider: string; locale: 'zh-CN'; template_key: string }>(
      `SELECT provider, locale, template_key FROM notifications WHERE id = $1`,
      [correction.notification_id],
    );
    // The params are message content, sealed at rest: opened as the dispatcher opens them.
    const [accepted] = await openedAttempts(t.db, 'n.id', correction.notification_id);
    const row = { ...rows[0], template_params: accepted.template_params ?? [] };
    expect(row).toMatchObject({ provider: 'aliyun', template_key: 'card_refunded_partial' });
    expect(row.template_params).toEqual([
      { name: 'card', value: txn.cardLast4 },
      { name: 'time', value: expect.stringMatching(/^\d{1,2}月\d{1,2}日 \d\d:\d\d$/) },
      { name: 'merchant', value: '星巴克, 上海' },
      { name: 'amount', value: 'CNY 88.00' },
      { name: 'reversed', value: 'CNY 30.00' },
      { name: 'total', value: 'CNY 30.00' },
      { name: 'phone', value: expect.any(String) },
    ]);

    // The sandbox renders what Aliyun would from the template code and params it was sent.
    const messages = await t.stack.sandboxClient.messages({ provider: 'aliyun', to: phone });
    const sent = messages.find((m) => m.body.includes('已退款'));
    const handset = signedText(SIGN, {
      key: row.template_key,
      locale: row.locale,
      params: row.template_params,
    });
    expect(sent).toMatchObject({ body: handset, from: SIGN });
    expect(sent!.body).toContain('消费CNY 88.00，已退款CNY 30.00，累计CNY 30.00。');
    expect(await t.stack.sandboxClient.messages({ provider: 'tencent', to: phone })).toEqual([]);

    const attempts = await attemptsOf(t.db, correction.notification_id);
    expect(attempts.map((a) => [a.provider, a.status])).toEqual([['aliyun', 'ACCEPTED']]);
    const types = (await historyOf(t.db, correction.notification_id)).map((e) => e.type);
    expect(types).not.toContain('CANNOT_SEND');
    expect(types).not.toContain('FAILOVER');
    expect(await circuitStates(t.stack)).toEqual({ aliyun: 0, tencent: 0 });

    // Support sees what the handset displayed, beside the alert's own text, numbers masked.
    const view = await api(t.stack, `/v1/notifications/${correction.notification_id}`);
    const body = view.body as { attempts: Array<{ handsetText: string | null }> };
    expect(body.attempts).toHaveLength(1);
    expect(body.attempts[0].handsetText).toMatch(/^【Alertline银行】您尾号\d{4}的卡于.*已退款CNY 30\.00/);
    expect(body.attempts[0].handsetText).toBe(scrubPersonalData(handset));
  });

  // An alert rendered before alerts carried a template, expired and resent by a supervisor: neither
  // provider on the mainland route can send it. Each says so without being asked (no attempt, nothing for
  // its breaker) and the alert ends FAILED at once instead of being retried until its deadline.
  it('an alert no provider on the route can send ends FAILED CANNOT_SEND; the breakers stay closed', async () => {
    const phone = `+86139${String(randomInt(1e8)).padStart(8, '0')}`;
    const contact = makeContact({ locale: 'zh-CN', phoneNumber: phone });
    await publishContactsAndWait(t.stack, t.db, [contact]);
    const id = randomUUID();
    const database = await testDatabaseService();
    try {
      const row = newNotification({
        id,
        cardholderId: contact.cardholderId,
        phoneE164: phone,
        locale: 'zh-CN',
        body: '【Alertline Bank】您尾号1234的卡于12月7日 14:05在星巴克消费CNY 88.00。如非本人操作，请致电95588。',
        encoding: 'UCS-2',
      });
      await database.transaction((tx) =>
        new NotificationsRepository(database, testCipher()).insertMany([row], tx),
      );
      await database.query(`UPDATE notifications SET status = 'EXPIRED', final_at = now() WHERE id = $1`, [
        id,
      ]);
    } finally {
      await database.onModuleDestroy();
    }
    expect(
      await api(t.stack, `/v1/notifications/${id}/resend`, SUPERVISOR_KEY, { method: 'POST' }),
    ).toMatchObject({
      status: 202,
    });
    const failed = await waitFor('the alert to end', async () => {
      const { rows } = await t.db.query<{
        status: string;
        last_error_code: string;
        last_error_detail: string;
      }>(`SELECT status, last_error_code, last_error_detail FROM notifications WHERE id = $1`, [id]);
      return rows[0]?.status === 'FAILED' ? rows[0] : undefined;
    });
    expect(failed.last_error_code).toBe('CANNOT_SEND');
    expect(failed.last_error_detail).toBe(
      'aliyun NO_TEMPLATE: alert has no template: Aliyun sends templates only; tencent NO_TEMPLATE: Tencent sends templates only; none given',
    );
    // Known without asking either provider: no attempt at all, a CANNOT_SEND line each saying why.
    expect(await attemptsOf(t.db, id)).toEqual([]);
    const history = await historyOf(t.db, id);
    expect(history.filter((e) => e.type === 'CANNOT_SEND').map((e) => [e.provider, e.error_code])).toEqual([
      ['aliyun', 'NO_TEMPLATE'],
      ['tencent', 'NO_TEMPLATE'],
    ]);
    expect(history.map((e) => e.type)).not.toContain('REQUEUED');
    expect(await circuitStates(t.stack)).toEqual({ aliyun: 0, tencent: 0 });
    const metrics = await (await fetch(`${t.stack.role('dispatcher').baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /^alertline_provider_cannot_send_total\{provider="aliyun",reason="NO_TEMPLATE"\} [1-9]/m,
    );
    expect(await t.stack.sandboxClient.messages({ to: phone })).toEqual([]);
  });
});
