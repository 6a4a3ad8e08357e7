import { Pool } from 'pg';
import { DevStack } from '../src/devstack/dev-stack';
import { makeContact, makeTransaction, ukMobile } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { notificationByTx, timelineTypes } from './support/db';
import { openAlert } from './support/opened';
import {
  api,
  publishContactsAndWait,
  startStack,
  stopStack,
  SUPERVISOR_KEY,
  SUPPORT_KEY,
  waitForStatuses,
} from './support/e2e';

const UNDELIVERED_RECEIPT = { receipt: 'undelivered', receiptErrorCode: 30003 };

describe('support API end to end (resend, OpenAPI document, console)', () => {
  const ctx: { stack?: DevStack; db?: Pool } = {};
  let stack: DevStack;
  let db: Pool;

  beforeAll(async () => {
    Object.assign(ctx, await startStack());
    stack = ctx.stack!;
    db = ctx.db!;
  });
  afterAll(async () => {
    await stack?.sandboxClient.clearFaults();
    await stopStack(ctx);
  });

  /**
   * A new cardholder and one transaction whose alert ends DELIVERED, or UNDELIVERED through the sandbox's
   * undelivered receipt (the fault is cleared again unless `keepFault`).
   */
  async function alertEndingAs(status: 'DELIVERED' | 'UNDELIVERED', keepFault = false) {
    const contact = makeContact();
    await publishContactsAndWait(stack, db, [contact]);
    if (status === 'UNDELIVERED') await stack.sandboxClient.setFault('twilio', UNDELIVERED_RECEIPT);
    const txn = makeTransaction(contact.cardholderId);
    await stack.publishTransactions([txn]);
    await waitForStatuses(db, [txn.transactionId], [status]);
    if (!keepFault) await stack.sandboxClient.clearFaults();
    const id = (await notificationByTx(db, txn.transactionId))!.id as string;
    return { contact, id, transactionId: txn.transactionId };
  }

  const resend = (id: string, key = SUPERVISOR_KEY) =>
    api(stack, `/v1/notifications/${id}/resend`, key, { method: 'POST' });

  it('lets a supervisor resend an UNDELIVERED alert: a second SMS, DELIVERED, RESEND_REQUESTED in the timeline', async () => {
    const { contact, ...alert } = await alertEndingAs('UNDELIVERED');

    const res = await resend(alert.id);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      id: alert.id,
      status: 'QUEUED',
      phone: contact.phoneNumber,
      lastErrorCode: null,
    });

    await waitForStatuses(db, [alert.transactionId], ['DELIVERED']);
    const sms = await stack.sandboxClient.messages({ provider: 'twilio', to: contact.phoneNumber });
    expect(sms).toHaveLength(2);
    expect(sms[1].body).toBe(sms[0].body);
    expect(await timelineTypes(db, alert.id)).toEqual([
      'RECEIVED',
      'QUEUED',
      'SENDING',
      'SENT',
      'UNDELIVERED',
      'RESEND_REQUESTED',
      'SENDING',
      'SENT',
      'DELIVERED',
    ]);
    const detail = await api(stack, `/v1/notifications/${alert.id}`, SUPERVISOR_KEY);
    expect(detail.body.attempts.map((a: { attemptNo: number }) => a.attemptNo)).toEqual([1, 2]);
    const requested = detail.body.timeline.find((e: { type: string }) => e.type === 'RESEND_REQUESTED');
    expect(requested.detail).toMatch(/^by key-[0-9a-f]{8} \(supervisor\) after UNDELIVERED/);

    const { rows } = await db.query(
      `SELECT role, outcome FROM audit_log WHERE action = 'POST /v1/notifications/:id/resend' AND target LIKE $1`,
      [`%${alert.id}%`],
    );
    expect(rows).toEqual([{ role: 'supervisor', outcome: 'ok' }]);
  });

  it('sends the resend to the contact’s current number', async () => {
    const { contact, ...alert } = await alertEndingAs('UNDELIVERED');
    const moved = { ...contact, phoneNumber: ukMobile(Math.floor(Math.random() * 88_999_999)), version: 2 };
    await stack.publishContacts([moved]);
    await waitFor('the new number projected', async () => {
      const { rows } = await db.query(`SELECT version FROM contacts WHERE cardholder_id = $1`, [
        moved.cardholderId,
      ]);
      return Number(rows[0]?.version) === moved.version;
    });

    expect(await resend(alert.id)).toMatchObject({ status: 202 });
    await waitForStatuses(db, [alert.transactionId], ['DELIVERED']);
    expect(await stack.sandboxClient.messages({ provider: 'twilio', to: moved.phoneNumber })).toHaveLength(1);
    const row = (await notificationByTx(db, alert.transactionId))!;
    expect(row).toMatchObject({ phone_e164: null, contact_version: '2' });
    expect(openAlert(row as unknown as Parameters<typeof openAlert>[0]).phone_e164).toBe(moved.phoneNumber);
  });

  it('refuses the support role (403, audited) and a DELIVERED alert (409 naming its status)', async () => {
    const { contact, ...alert } = await alertEndingAs('DELIVERED');

    const bySupport = await resend(alert.id, SUPPORT_KEY);
    expect(bySupport.status).toBe(403);
    expect(bySupport.body.message).toBe('requires the supervisor role');
    const { rows } = await db.query(`SELECT role, outcome FROM audit_log WHERE action = $1`, [
      `POST /v1/notifications/${alert.id}/resend`,
    ]);
    expect(rows).toEqual([{ role: 'support', outcome: 'error 403' }]);

    const delivered = await resend(alert.id);
    expect(delivered.status).toBe(409);
    expect(delivered.body.message).toContain('the alert is DELIVERED');
    expect(
      (
        await api(stack, `/v1/notifications/00000000-0000-4000-8000-000000000000/resend`, SUPERVISOR_KEY, {
          method: 'POST',
        })
      ).status,
    ).toBe(404);
    expect(await stack.sandboxClient.messages({ provider: 'twilio', to: contact.phoneNumber })).toHaveLength(
      1,
    );
  });

  it('stops the fourth resend of one alert within the hour with 429 and Retry-After', async () => {
    const { contact, ...alert } = await alertEndingAs('UNDELIVERED', true);
    for (let i = 1; i <= 3; i++) {
      expect(await resend(alert.id)).toMatchObject({ status: 202 });
      await waitFor(
        `resend ${i} to end UNDELIVERED`,
        async () => {
          const types = await timelineTypes(db, alert.id);
          return types.filter((t) => t === 'UNDELIVERED').length === i + 1;
        },
        60000,
        200,
      );
    }
    const limited = await fetch(`${stack.apiUrl}/v1/notifications/${alert.id}/resend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SUPERVISOR_KEY}` },
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { message: string }).message).toContain('RESEND_LIMIT_PER_HOUR');
    await stack.sandboxClient.clearFaults();
    expect(await stack.sandboxClient.messages({ provider: 'twilio', to: contact.phoneNumber })).toHaveLength(
      4,
    );
    expect(await notificationByTx(db, alert.transactionId)).toMatchObject({ status: 'UNDELIVERED' });
  });

  it('serves the OpenAPI document and the console without a key', async () => {
    const res = await fetch(`${stack.apiUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/notifications',
        '/v1/notifications/{id}',
        '/v1/notifications/{id}/resend',
        '/v1/reconciliations',
        '/webhooks/twilio/status',
      ]),
    );
    expect(doc.paths['/v1/notifications/{id}/resend'].post).toBeDefined();

    const page = await fetch(`${stack.apiUrl}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<title>Alertline support console</title>');
  });
});
