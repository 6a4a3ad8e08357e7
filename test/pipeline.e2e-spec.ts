import { openAlert } from './support/opened';
import twilio from 'twilio';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { readDeadLetters } from './support/dead-letters';
import { notificationByTx, timelineTypes } from './support/db';
import { api, publishContactsAndWait, SUPERVISOR_KEY, useStack, waitForStatuses } from './support/e2e';

describe('pipeline end to end (Kafka -> Postgres -> Bull -> Twilio sandbox -> receipts)', () => {
  const e2e = useStack();

  it('delivers an alert with its whole timeline and the exact text the provider received', async () => {
    const contact = makeContact({ locale: 'en-GB' });
    const zh = makeContact({ locale: 'zh-CN', phoneNumber: '13800138000', region: 'CN' });
    await publishContactsAndWait(e2e.stack, e2e.db, [contact, zh]);
    const txn = makeTransaction(contact.cardholderId, {
      amountMinor: 4250,
      currency: 'EUR',
      merchantName: 'CAFE',
      merchantCity: 'Paris',
    });
    const txnZh = makeTransaction(zh.cardholderId, { amountMinor: 8800, currency: 'CNY' });
    await e2e.stack.publishTransactions([txn, txnZh]);

    await waitForStatuses(e2e.db, [txn.transactionId, txnZh.transactionId], ['DELIVERED']);
    const n = (await notificationByTx(e2e.db, txn.transactionId))!;
    expect(await timelineTypes(e2e.db, n.id as string)).toEqual([
      'RECEIVED',
      'QUEUED',
      'SENDING',
      'SENT',
      'DELIVERED',
    ]);

    const received = await e2e.stack.sandboxClient.messages({ provider: 'twilio', to: contact.phoneNumber });
    expect(received).toHaveLength(1);
    expect(received[0].body).toBe(openAlert(n as unknown as Parameters<typeof openAlert>[0]).body);
    expect(received[0].body).toContain('card ending 4242 was used for EUR 42.50 at CAFE, Paris');
    const receivedZh = await e2e.stack.sandboxClient.messages({ provider: 'twilio', to: '+8613800138000' });
    expect(receivedZh.map((m) => m.body)).toEqual([expect.stringContaining('您尾号4242的卡')]);

    const found = await api(e2e.stack, `/v1/notifications?transactionId=${txn.transactionId}`);
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({ status: 'DELIVERED', provider: 'twilio', cardLast4: '4242' });
    expect(found.body.items[0].phone).not.toBe(contact.phoneNumber);
    const detail = await api(e2e.stack, `/v1/notifications/${n.id}`);
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'RECEIVED',
      'QUEUED',
      'SENDING',
      'SENT',
      'DELIVERED',
    ]);
    expect(detail.body.attempts).toEqual([
      expect.objectContaining({ provider: 'twilio', status: 'ACCEPTED' }),
    ]);
    const asSupervisor = await api(e2e.stack, `/v1/notifications/${n.id}`, SUPERVISOR_KEY);
    expect(asSupervisor.body.phone).toBe(contact.phoneNumber);
  });

  it('records why an alert was not sent', async () => {
    const disabled = makeContact({ smsAlerts: false });
    const landline = makeContact({ phoneNumber: '+442079460000' });
    const threshold = makeContact({ minAmountMinor: 10_000 });
    await publishContactsAndWait(e2e.stack, e2e.db, [disabled, landline, threshold]);
    const cases = {
      ALERTS_DISABLED: makeTransaction(disabled.cardholderId),
      INVALID_PHONE: makeTransaction(landline.cardholderId),
      BELOW_THRESHOLD: makeTransaction(threshold.cardholderId, { amountMinor: 9_999 }),
      NO_CONTACT: makeTransaction('ch-nobody-knows'),
    };
    await e2e.stack.publishTransactions(Object.values(cases));
    await waitForStatuses(
      e2e.db,
      Object.values(cases).map((t) => t.transactionId),
      ['SKIPPED'],
    );
    for (const [reason, txn] of Object.entries(cases)) {
      expect(await notificationByTx(e2e.db, txn.transactionId)).toMatchObject({
        status: 'SKIPPED',
        skip_reason: reason,
      });
    }
  });

  it('sends malformed events to the DLQ with the reason, masks card numbers, and processes what follows', async () => {
    const contact = makeContact();
    await publishContactsAndWait(e2e.stack, e2e.db, [contact]);
    const good = makeTransaction(contact.cardholderId);
    const { merchantName: _, ...missing } = makeTransaction(contact.cardholderId);
    const badType = { ...makeTransaction(contact.cardholderId), amountMinor: '12.50' };
    const withPan = makeTransaction(contact.cardholderId, { merchantName: 'SHOP 4111111111111111 LTD' });
    await e2e.stack.publishTransactions([
      { key: 'bad', raw: '{"eventId": "broken' },
      { key: 'bad', raw: JSON.stringify(missing) },
      { key: 'bad', raw: JSON.stringify(badType) },
      { key: 'bad', raw: JSON.stringify(withPan) },
      good,
    ]);
    await waitForStatuses(e2e.db, [good.transactionId], ['DELIVERED']);
    const letters = await readDeadLetters(e2e.stack, 4);
    expect(letters.map((l) => l.headers['x-error-code'])).toEqual([
      'INVALID_JSON',
      'MISSING_FIELD',
      'INVALID_FIELD',
      'CARD_NUMBER_DETECTED',
    ]);
    expect(letters[1].headers['x-error-detail']).toBe('merchantName: is required');
    expect(letters[2].headers['x-error-detail']).toContain('amountMinor');
    expect(letters[3].value).toContain('SHOP ************1111 LTD');
    expect(letters[3].value).not.toContain('4111111111111111');
    for (const l of letters) {
      expect(l.headers['x-original-topic']).toBe(e2e.stack.topics.transactions);
      expect(l.headers['x-original-offset']).toMatch(/^\d+$/);
    }
    expect(await notificationByTx(e2e.db, withPan.transactionId)).toBeUndefined();
  });

  it('sends one SMS for a transaction published twice', async () => {
    const contact = makeContact();
    await publishContactsAndWait(e2e.stack, e2e.db, [contact]);
    const txn = makeTransaction(contact.cardholderId);
    await e2e.stack.publishTransactions([txn, txn]);
    await waitForStatuses(e2e.db, [txn.transactionId], ['DELIVERED']);
    await e2e.stack.publishTransactions([{ ...txn, eventId: 'evt-redelivered' }]);
    const marker = makeTransaction(contact.cardholderId);
    await e2e.stack.publishTransactions([marker]);
    await waitForStatuses(e2e.db, [marker.transactionId], ['DELIVERED']);
    expect(
      await e2e.stack.sandboxClient.messages({ provider: 'twilio', to: contact.phoneNumber }),
    ).toHaveLength(2);
  });

  it('refuses a forged Twilio callback and never moves DELIVERED back', async () => {
    const contact = makeContact();
    await publishContactsAndWait(e2e.stack, e2e.db, [contact]);
    const txn = makeTransaction(contact.cardholderId);
    await e2e.stack.publishTransactions([txn]);
    await waitForStatuses(e2e.db, [txn.transactionId], ['DELIVERED']);
    const n = (await notificationByTx(e2e.db, txn.transactionId))!;
    const url = `${e2e.stack.apiUrl}/webhooks/twilio/status`;
    const params = {
      MessageSid: n.provider_message_id as string,
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
    };
    const post = (signature: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
      });

    const forged = await post(twilio.getExpectedTwilioSignature('not-the-auth-token', url, params));
    expect(forged.status).toBe(403);
    expect((await post('')).status).toBe(403);

    const token = e2e.stack.env.TWILIO_AUTH_TOKEN ?? 'sandbox-twilio-auth-token';
    const late = await post(twilio.getExpectedTwilioSignature(token, url, params));
    expect(late.status).toBe(204);
    const repeated = { ...params, MessageStatus: 'delivered', ErrorCode: '' };
    expect(
      (
        await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, repeated),
          },
          body: new URLSearchParams(repeated).toString(),
        })
      ).status,
    ).toBe(204);

    expect(await notificationByTx(e2e.db, txn.transactionId)).toMatchObject({ status: 'DELIVERED' });
    const types = await timelineTypes(e2e.db, n.id as string);
    expect(types.filter((t) => t === 'DELIVERED')).toHaveLength(1);
    // The late UNDELIVERED is a history line; the repeated "delivered" is a replay of the stored receipt and
    // adds none.
    expect(types.filter((t) => t === 'RECEIPT')).toHaveLength(1);
  });

  it('requires an API key and audits every lookup', async () => {
    const anonymous = await fetch(`${e2e.stack.apiUrl}/v1/notifications?transactionId=x`);
    expect(anonymous.status).toBe(401);
    const bad = await api(e2e.stack, '/v1/notifications?cardLast4=12', 'support-demo-key');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toContain('cardholderId');
    const { rows } = await e2e.db.query(`SELECT outcome FROM audit_log ORDER BY id DESC LIMIT 2`);
    expect(rows.map((r) => r.outcome)).toEqual(['error 400', 'error 401']);
  });
});
