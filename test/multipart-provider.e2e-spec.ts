import { randomBytes } from 'node:crypto';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { renderAlertText } from '../src/rendering/alert-text';
import { signVonageParams } from '../src/providers/vonage/vonage-signature';
import { publishContactsAndWait, waitForStatuses } from './support/e2e';
import {
  alertsByTx,
  ALL_PROVIDERS,
  attemptsOf,
  historyOf,
  providerStack,
  receivedBy,
} from './support/providers';

const env = { PROVIDERS: ALL_PROVIDERS, PROVIDER_TIMEOUT_MS: '1500', CIRCUIT_TIMEOUT_MS: '2500' };

/** Merchant name and city that make the zh-CN alert exactly `length` UTF-16 units long. */
function chineseMerchant(
  authorisedAt: string,
  length: number,
): { merchantName: string; merchantCity: string } {
  const render = (merchantName: string, merchantCity: string) =>
    renderAlertText({
      bankName: 'Alertline Bank',
      bankPhone: '+44 20 7946 0000',
      cardLast4: '4242',
      amountMinor: 8800,
      currency: 'CNY',
      merchantName,
      merchantCity,
      authorisedAt: new Date(authorisedAt),
      timeZone: 'UTC',
      locale: 'zh-CN',
    }).body.length;
  const rest = length - render('', '');
  const name = Math.min(100, rest - 1);
  return { merchantName: '星'.repeat(name), merchantCity: '城'.repeat(rest - name - 2) };
}

describe('long and Chinese alerts through every provider; Vonage specifics', () => {
  const t = providerStack(env);

  async function publishChinese() {
    const contact = makeContact({ locale: 'zh-CN' });
    await publishContactsAndWait(t.stack, t.db, [contact]);
    const authorisedAt = new Date().toISOString();
    const txn = makeTransaction(contact.cardholderId, {
      amountMinor: 8800,
      currency: 'CNY',
      authorisedAt,
      ...chineseMerchant(authorisedAt, 200),
    });
    await t.stack.publishTransactions([txn]);
    return { phone: contact.phoneNumber, id: txn.transactionId };
  }

  it.each([
    { provider: 'twilio', down: [] as string[] },
    { provider: 'vonage', down: ['twilio'] },
    { provider: 'smpp', down: ['twilio', 'vonage'] },
  ])(
    'a 200-character Chinese alert goes out through $provider as 3 UCS-2 segments',
    async ({ provider, down }) => {
      for (const p of down) await t.stack.sandboxClient.setFault(p, { mode: 'http500' });
      const { phone, id } = await publishChinese();
      await waitForStatuses(t.db, [id], ['DELIVERED']);
      const [alert] = await alertsByTx(t.db, [id]);
      expect(alert).toMatchObject({ provider, segments: 3, encoding: 'UCS-2' });
      expect(alert.body).toHaveLength(200);

      const [message] = await t.stack.sandboxClient.messages({ provider, to: phone });
      expect(message).toMatchObject({ segments: 3, encoding: 'UCS-2', body: alert.body });
      expect(await receivedBy(t.stack, phone)).toHaveLength(1);
      const accepted = (await attemptsOf(t.db, alert.id)).find((a) => a.status === 'ACCEPTED')!;
      expect(accepted).toMatchObject({ provider, segments: 3 });
      if (provider !== 'twilio') {
        // One id per part; a receipt for any part finds the alert, the first part's decides it.
        expect(accepted.part_message_ids).toHaveLength(3);
        expect(accepted.part_message_ids![0]).toBe(accepted.provider_message_id);
        await waitFor('receipts for the later parts', async () => {
          const parts = (await historyOf(t.db, alert.id)).filter((e) =>
            /^part [23]\/3: /.test(e.detail ?? ''),
          );
          return parts.length === 2;
        });
      }
    },
  );

  it('refuses a Vonage DLR with a missing or wrong signature and accepts a signed one', async () => {
    const url = `${t.stack.apiUrl}/webhooks/vonage/dlr`;
    const post = (body: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const dlr = {
      messageId: randomBytes(8).toString('hex').toUpperCase(),
      status: 'delivered',
      'err-code': '0',
      msisdn: '447911123456',
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: 'a-nonce',
    };
    expect((await post(dlr)).status).toBe(403);
    expect((await post({ ...dlr, sig: signVonageParams(dlr, 'not-the-secret', 'sha256') })).status).toBe(403);
    const secret = t.stack.env.VONAGE_SIGNATURE_SECRET ?? 'sandbox-vonage-signature-secret';
    expect((await post({ ...dlr, sig: signVonageParams(dlr, secret, 'sha256') })).status).toBe(204);
    const { rows } = await t.db.query(
      `SELECT status, notification_id FROM receipts WHERE provider_message_id = $1`,
      [dlr.messageId],
    );
    expect(rows).toEqual([{ status: 'DELIVERED', notification_id: null }]);
  });

  it('asks Vonage by client-ref after a timeout and does not send the alert again', async () => {
    await t.stack.sandboxClient.setFault('twilio', { mode: 'http500' });
    await t.stack.sandboxClient.setFault('vonage', { mode: 'slow', latencyMs: 2500 });
    const contact = makeContact();
    await publishContactsAndWait(t.stack, t.db, [contact]);
    const txn = makeTransaction(contact.cardholderId);
    await t.stack.publishTransactions([txn]);
    // Vonage answers the send and the lookup after the client gave up: the alert waits, unconfirmed.
    await waitFor('the unconfirmed Vonage attempt to be requeued', async () => {
      const [alert] = await alertsByTx(t.db, [txn.transactionId]);
      if (!alert) return false;
      const attempts = await attemptsOf(t.db, alert.id);
      const requeued = (await historyOf(t.db, alert.id)).some(
        (e) => e.type === 'REQUEUED' && e.error_code === 'TIMEOUT',
      );
      return requeued && attempts.some((a) => a.provider === 'vonage' && a.status === 'IN_FLIGHT');
    });
    await t.stack.sandboxClient.clearFaults();
    await waitForStatuses(t.db, [txn.transactionId], ['DELIVERED']);
    const [alert] = await alertsByTx(t.db, [txn.transactionId]);
    expect(alert.provider).toBe('vonage');
    expect((await historyOf(t.db, alert.id)).map((e) => e.type)).toContain('RECOVERED_IN_FLIGHT');
    expect(await receivedBy(t.stack, contact.phoneNumber)).toHaveLength(1);
  });
});
