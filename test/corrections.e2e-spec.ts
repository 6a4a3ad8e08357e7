import { makeContact, makeReversal, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { readDeadLetters } from './support/dead-letters';
import { notificationByTx, timelineTypes } from './support/db';
import { api, publishContactsAndWait, SUPERVISOR_KEY, useStack, waitForStatuses } from './support/e2e';
import { reversalStates, waitForCorrections } from './support/reversals';

// Correction alerts through real Kafka, the running roles and the sandbox (docs/design.md, "Correction
// alerts"): one SMS per reversal, after its original, skipped or refused with a reason, never twice.
describe('correction alerts end to end (reversals topic -> Postgres -> dispatcher -> sandbox)', () => {
  const e2e = useStack();

  const bodiesTo = async (phone: string) =>
    (await e2e.stack.sandboxClient.messages({ to: phone }))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt))
      .map((m) => m.body);

  it('sends a correction after a delivered original, in the cardholder locale, linked both ways', async () => {
    const en = makeContact({ locale: 'en-GB' });
    const zh = makeContact({ locale: 'zh-CN', phoneNumber: '13800138001', region: 'CN' });
    await publishContactsAndWait(e2e.stack, e2e.db, [en, zh]);
    const txn = makeTransaction(en.cardholderId, {
      amountMinor: 12800,
      currency: 'EUR',
      merchantName: 'CAFE',
    });
    const txnZh = makeTransaction(zh.cardholderId, {
      amountMinor: 12800,
      currency: 'CNY',
      merchantName: 'Starbucks',
    });
    await e2e.stack.publishTransactions([txn, txnZh]);
    await waitForStatuses(e2e.db, [txn.transactionId, txnZh.transactionId], ['DELIVERED']);

    const rev = makeReversal(txn);
    const revZh = makeReversal(txnZh, { kind: 'REFUND' });
    await e2e.stack.publishReversals([rev, revZh]);
    const done = await waitForCorrections(e2e.db, [rev.reversalId, revZh.reversalId], ['DELIVERED']);

    expect(await bodiesTo(en.phoneNumber)).toEqual([
      expect.stringContaining('was used for EUR 128.00 at CAFE'),
      expect.stringMatching(
        /the EUR 128\.00 payment at CAFE, London on .* card ending 4242 was reversed in full/,
      ),
    ]);
    expect((await bodiesTo('+8613800138001'))[1]).toMatch(
      /您尾号4242的卡于.*在Starbucks, London消费CNY 128\.00，已全额退款/,
    );

    const original = (await notificationByTx(e2e.db, txn.transactionId))!;
    const correction = done.get(rev.reversalId)!;
    expect(correction.original_notification_id).toBe(original.id);
    expect(await timelineTypes(e2e.db, correction.notification_id)).toEqual([
      'RECEIVED',
      'WAITING_FOR_ORIGINAL',
      'QUEUED',
      'SENDING',
      'SENT',
      'DELIVERED',
    ]);
    const ofOriginal = await api(e2e.stack, `/v1/notifications/${String(original.id)}`);
    expect(ofOriginal.body.corrections).toEqual([
      expect.objectContaining({
        reversalId: rev.reversalId,
        correctionId: correction.notification_id,
        state: 'QUEUED',
      }),
    ]);
    const ofCorrection = await api(e2e.stack, `/v1/notifications/${correction.notification_id}`);
    expect(ofCorrection.body).toMatchObject({
      kind: 'CORRECTION',
      originalNotificationId: original.id,
      correctionOf: { originalId: original.id, originalTransactionId: txn.transactionId },
    });
  });

  it('holds a reversal that arrives before its original, visibly, and sends it only after the original', async () => {
    const contact = makeContact();
    await publishContactsAndWait(e2e.stack, e2e.db, [contact]);
    const txn = makeTransaction(contact.cardholderId, { amountMinor: 5000 });
    const rev = makeReversal(txn);
    await e2e.stack.publishReversals([rev]);

    const waiting = await waitFor('the reversal to wait for its original', async () => {
      const r = (await reversalStates(e2e.db, [rev.reversalId])).get(rev.reversalId);
      return r?.state === 'WAITING_FOR_ORIGINAL' ? r : undefined;
    });
    expect(waiting.status).toBe('RECEIVED');
    const shown = await api(e2e.stack, `/v1/notifications/${waiting.notification_id}`);
    expect(shown.body.timeline.map((e: { type: string }) => e.type)).toContain('WAITING_FOR_ORIGINAL');
    expect(shown.body.correctionOf).toMatchObject({ state: 'WAITING_FOR_ORIGINAL', originalId: null });
    expect(await e2e.stack.sandboxClient.messages({ to: contact.phoneNumber })).toEqual([]);

    await e2e.stack.publishTransactions([txn]);
    await waitForCorrections(e2e.db, [rev.reversalId], ['DELIVERED']);
    const bodies = await bodiesTo(contact.phoneNumber);
    expect(bodies).toEqual([
      expect.stringContaining('was used for GBP 50.00'),
      expect.stringContaining('GBP 50.00 payment at CORNER SHOP, London'),
    ]);
    const original = (await notificationByTx(e2e.db, txn.transactionId))!;
    const correction = (await reversalStates(e2e.db, [rev.reversalId])).get(rev.reversalId)!;
    const { rows } = await e2e.db.query<{ id: string; started_at: Date }>(
      `SELECT notification_id AS id, started_at FROM delivery_attempts WHERE notification_id = ANY($1)`,
      [[correction.notification_id]],
    );
    expect(rows[0].started_at.getTime()).toBeGreaterThanOrEqual((original.accepted_at as Date).getTime());
  });

  it('skips the correction of a skipped original with the reason an alert would have', async () => {
    const disabled = makeContact({ smsAlerts: false });
    const threshold = makeContact({ minAmountMinor: 10_000 });
    await publishContactsAndWait(e2e.stack, e2e.db, [disabled, threshold]);
    const off = makeTransaction(disabled.cardholderId);
    const small = makeTransaction(threshold.cardholderId, { amountMinor: 9_000 });
    await e2e.stack.publishTransactions([off, small]);
    await waitForStatuses(e2e.db, [off.transactionId, small.transactionId], ['SKIPPED']);
    const revOff = makeReversal(off);
    const revSmall = makeReversal(small, { kind: 'PARTIAL_REFUND', amountMinor: 100 });
    await e2e.stack.publishReversals([revOff, revSmall]);
    const done = await waitForCorrections(e2e.db, [revOff.reversalId, revSmall.reversalId], ['SKIPPED']);
    expect(done.get(revOff.reversalId)).toMatchObject({ state: 'SKIPPED', skip_reason: 'ALERTS_DISABLED' });
    expect(done.get(revSmall.reversalId)).toMatchObject({ state: 'SKIPPED', skip_reason: 'BELOW_THRESHOLD' });
    expect(await e2e.stack.sandboxClient.messages({ to: threshold.phoneNumber })).toEqual([]);
  });

  it('adds up partial reversals and refuses one that would exceed the original', async () => {
    const contact = makeContact();
    await publishContactsAndWait(e2e.stack, e2e.db, [contact]);
    const txn = makeTransaction(contact.cardholderId, { amountMinor: 10_000 });
    await e2e.stack.publishTransactions([txn]);
    await waitForStatuses(e2e.db, [txn.transactionId], ['DELIVERED']);
    const first = makeReversal(txn, { kind: 'PARTIAL_REVERSAL', amountMinor: 3_000 });
    const second = makeReversal(txn, { kind: 'PARTIAL_REVERSAL', amountMinor: 7_000 });
    const third = makeReversal(txn, { kind: 'PARTIAL_REVERSAL', amountMinor: 1 });
    await e2e.stack.publishReversals([first, second, third]);
    const done = await waitForCorrections(e2e.db, [first.reversalId, second.reversalId], ['DELIVERED']);
    const refused = await waitForCorrections(e2e.db, [third.reversalId], ['SKIPPED']);
    expect(refused.get(third.reversalId)).toMatchObject({ state: 'REFUSED', reason: 'EXCEEDS_ORIGINAL' });
    expect(done.get(first.reversalId)!.body).toContain('reversed by GBP 30.00 (GBP 30.00 in all)');
    expect(done.get(second.reversalId)!.body).toContain('reversed by GBP 70.00 (GBP 100.00 in all)');
    expect(await bodiesTo(contact.phoneNumber)).toHaveLength(3);

    const now = Date.now();
    const report = await api(e2e.stack, '/v1/reconciliations', SUPERVISOR_KEY, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: new Date(now - 600_000).toISOString(),
        to: new Date(now + 60_000).toISOString(),
        transactionIds: [txn.transactionId],
      }),
    });
    expect(report.status).toBe(200);
    expect(report.body.delivered.transactionIds).toEqual([txn.transactionId]);
    expect(report.body.reversalsWithoutCorrection.EXCEEDS_ORIGINAL.transactionIds).toContain(
      txn.transactionId,
    );
  });

  it('sends nothing twice for a redelivered reversal event', async () => {
    const contact = makeContact();
    await publishContactsAndWait(e2e.stack, e2e.db, [contact]);
    const txn = makeTransaction(contact.cardholderId);
    await e2e.stack.publishTransactions([txn]);
    await waitForStatuses(e2e.db, [txn.transactionId], ['DELIVERED']);
    const rev = makeReversal(txn);
    await e2e.stack.publishReversals([rev, rev]);
    await waitForCorrections(e2e.db, [rev.reversalId], ['DELIVERED']);
    // Once more after the first was delivered: a redelivery long after the decision.
    await e2e.stack.publishReversals([{ ...rev, eventId: `${rev.eventId}-again` }]);
    const marker = makeReversal(txn, { kind: 'PARTIAL_REVERSAL', amountMinor: 1 });
    await e2e.stack.publishReversals([marker]);
    // The marker is behind the redelivery on the same partition: once it is decided, so was the redelivery.
    await waitForCorrections(e2e.db, [marker.reversalId], ['SKIPPED']);
    const { rows } = await e2e.db.query(`SELECT count(*)::int AS n FROM reversals WHERE reversal_id = $1`, [
      rev.reversalId,
    ]);
    expect(rows[0].n).toBe(1);
    expect(await bodiesTo(contact.phoneNumber)).toHaveLength(2);
  });

  it('dead-letters a bad reversal event with its reason and goes on with the partition', async () => {
    const contact = makeContact();
    await publishContactsAndWait(e2e.stack, e2e.db, [contact]);
    const txn = makeTransaction(contact.cardholderId);
    await e2e.stack.publishTransactions([txn]);
    await waitForStatuses(e2e.db, [txn.transactionId], ['DELIVERED']);
    const { kind: _, ...noKind } = makeReversal(txn);
    const withPan = makeReversal(txn, { merchantName: 'SHOP 4111111111111111 LTD' });
    const good = makeReversal(txn);
    await e2e.stack.publishReversals([
      { key: txn.cardId, raw: '{"reversalId": "broken' },
      { key: txn.cardId, raw: JSON.stringify(noKind) },
      { key: txn.cardId, raw: JSON.stringify(withPan) },
      good,
    ]);
    await waitForCorrections(e2e.db, [good.reversalId], ['DELIVERED']);
    const letters = await readDeadLetters(e2e.stack, 3, 30000, e2e.stack.topics.reversals);
    expect(letters.map((l) => l.headers['x-error-code'])).toEqual([
      'INVALID_JSON',
      'MISSING_FIELD',
      'CARD_NUMBER_DETECTED',
    ]);
    expect(letters[1].headers['x-error-detail']).toBe('kind: is required');
    expect(letters[2].value).not.toContain('4111111111111111');
    for (const l of letters) expect(l.headers['x-original-topic']).toBe(e2e.stack.topics.reversals);
  });
});
