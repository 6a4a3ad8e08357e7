import type { Browser, Page } from 'playwright-core';
import type { DevStack } from '../src/devstack/dev-stack';
import { ContactEvent, makeContact, makeReversal, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { notificationByTx, timelineTypes } from './support/db';
import {
  launchChromium,
  openConsole,
  pageErrors,
  screenshot,
  searchBy,
  timeline,
  useKey,
} from './support/browser';
import { api, publishContactsAndWait, SUPERVISOR_KEY, SUPPORT_KEY, waitForStatuses } from './support/e2e';
import { closeReplies, waitForReplies } from './support/replies';
import { startSweeperStack, SweeperStack } from './support/sweeper';

/**
 * The support console in Debian's headless chromium against the real stack. A database of its own (the
 * fast sweeper flags the overdue alert, and a card-last-4 search then sees only this spec's alerts).
 */
describe('support console in a real browser', () => {
  let ctx: SweeperStack | undefined;
  let stack: DevStack;
  let browser: Browser | undefined;
  const pages: Page[] = [];
  const last4 = String(1000 + Math.floor(Math.random() * 9000));
  const seen = makeContact();
  const optedOut = makeContact({ smsAlerts: false });
  const tx = {
    delivered: makeTransaction(seen.cardholderId, { cardLast4: last4 }),
    overdue: makeTransaction(seen.cardholderId, { cardLast4: last4 }),
    undelivered: makeTransaction(seen.cardholderId, { cardLast4: last4 }),
    // Same last 4, another cardholder: the card search finds 4 alerts where the cardholder search found 3.
    skipped: makeTransaction(optedOut.cardholderId, { cardLast4: last4 }),
  };

  /** Publishes one transaction with the sandbox's Twilio answering as `fault` says, until it is `status`. */
  async function alertEndingAs(
    txn: (typeof tx)[keyof typeof tx],
    status: string,
    fault?: Record<string, unknown>,
  ) {
    if (fault) await stack.sandboxClient.setFault('twilio', fault);
    await stack.publishTransactions([txn]);
    await waitForStatuses(ctx!.db, [txn.transactionId], [status]);
    await stack.sandboxClient.clearFaults();
  }

  beforeAll(async () => {
    [ctx, browser] = await Promise.all([startSweeperStack(), launchChromium()]);
    stack = ctx.stack;
    await publishContactsAndWait(stack, ctx.db, [seen, optedOut] as ContactEvent[]);
    // No fault for these two, so they go together.
    await Promise.all([alertEndingAs(tx.delivered, 'DELIVERED'), alertEndingAs(tx.skipped, 'SKIPPED')]);
    await alertEndingAs(tx.undelivered, 'UNDELIVERED', { receipt: 'undelivered', receiptErrorCode: 30003 });
    // Accepted, then no receipt ever: the sweeper flags it past RECEIPT_SLA_SECONDS (2 s here).
    await stack.sandboxClient.setFault('twilio', { receipt: 'none' });
    await stack.publishTransactions([tx.overdue]);
    await waitFor('the sweeper to flag the alert overdue', async () => {
      return (await notificationByTx(ctx!.db, tx.overdue.transactionId))?.overdue === true;
    });
    await stack.sandboxClient.clearFaults();
  });
  afterEach(() => {
    // A script error on the page fails the test that caused it, whatever the assertions saw.
    for (const page of pages.splice(0)) expect(pageErrors(page)).toEqual([]);
  });
  afterAll(async () => {
    await closeReplies();
    await browser?.close();
    await ctx?.stop();
  });

  async function consoleWith(key: string): Promise<Page> {
    const page = await openConsole(browser!, stack.apiUrl);
    pages.push(page);
    await useKey(page, key);
    return page;
  }
  const text = (page: Page, selector: string) => page.locator(selector).textContent();

  it('support key: a delivered alert by transaction id, its timeline with the time between steps, the phone masked and marked, ids copied', async () => {
    const page = await consoleWith(SUPPORT_KEY);
    await page.locator('#who', { hasText: '· support' }).waitFor();
    await searchBy(page, 'transactionId', tx.delivered.transactionId);
    // One match opens by itself.
    await page.locator('#why', { hasText: 'Delivered' }).waitFor();
    expect(await text(page, '#why')).toMatch(
      /^Delivered: the phone network confirmed the SMS reached the cardholder's phone at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.$/,
    );

    const steps = await timeline(page);
    expect(steps.map((s) => s[2])).toEqual([
      'Received from the bank RECEIVED',
      'Queued for sending QUEUED',
      'Handing to a provider SENDING',
      'Accepted by the provider SENT',
      'Delivered to the phone DELIVERED',
    ]);
    expect(steps[0][1]).toBe('start');
    // A receipt can come in before the dispatcher recorded SENT: that step is dated earlier, and says so.
    for (const s of steps.slice(1)) expect(s[1]).toMatch(/^(\+\d+ ms|\+\d+\.\d s|\d+ ms earlier)$/);
    // Each gap is the one between that step and the step before it, as the API dates them.
    const detail = (await api(stack, `/v1/notifications/${await alertId(tx.delivered.transactionId)}`)).body;
    const at = (detail.timeline as { at: string }[]).map((e) => Date.parse(e.at));
    const gaps = await page.evaluate(
      (ms) => ms.slice(1).map((t, i) => (globalThis as any).gapText(t - ms[i])),
      at,
    );
    expect(steps.slice(1).map((s) => s[1])).toEqual(gaps);
    expect(await text(page, '#timelineSummary')).toMatch(
      /^Received from the bank → Delivered to the phone: /,
    );

    const phone = page.locator('#facts dd .phone');
    expect(await phone.locator('.mono').textContent()).toBe(
      seen.phoneNumber.slice(0, 3) + '*'.repeat(seen.phoneNumber.length - 6) + seen.phoneNumber.slice(-3),
    );
    expect(await phone.locator('.tag.masked').textContent()).toBe('masked');

    await page.getByRole('button', { name: 'Copy transaction id' }).last().click();
    await page.locator('#facts button.copy', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(
      tx.delivered.transactionId,
    );
    // Every copy button on one line (they wrapped to "Co/py" beside long ids in the facts grid).
    const heights = await page.$$eval('button.copy', (bs) => bs.map((b) => b.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThanOrEqual(4);
    expect(new Set(heights).size).toBe(1);
    // The SMS text starts a row of its own, its label beside it (it wrapped under a blank label once the
    // empty facts were left out).
    const [label, value] = await page.$$eval('#facts .wide', (els) =>
      els.map((e) => e.getBoundingClientRect().top),
    );
    expect(value).toBe(label);
    await screenshot(page, '1-delivered-support-key');
  });

  it('support key: by cardholder and by card last 4 with the why of each row in plain words; a skipped alert says why', async () => {
    const page = await consoleWith(SUPPORT_KEY);
    await page.locator('#who', { hasText: '· support' }).waitFor();
    await searchBy(page, 'cardholderId', seen.cardholderId);
    await page.locator('#resultsTitle', { hasText: 'Results (3)' }).waitFor();
    const rows = async () =>
      page.$$eval('#rows tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
      );
    const byTx = (all: string[][], t: { transactionId: string }) =>
      all.find((r) => r[2].startsWith(t.transactionId));
    let found = await rows();
    expect(byTx(found, tx.delivered)?.[0]).toBe('DELIVERED');
    expect(byTx(found, tx.overdue)?.slice(0, 2)).toEqual(['SENTOVERDUE', 'no delivery receipt in time']);
    expect(byTx(found, tx.undelivered)?.slice(0, 2)).toEqual([
      'UNDELIVERED',
      'the phone was switched off or out of coverage (code 30003)',
    ]);
    await screenshot(page, '2-by-cardholder');

    await searchBy(page, 'cardLast4', last4);
    await page.locator('#resultsTitle', { hasText: 'Results (4)' }).waitFor();
    found = await rows();
    expect(found.map((r) => r[3])).toEqual(Array(4).fill(`•• ${last4}`));
    expect(byTx(found, tx.skipped)?.slice(0, 2)).toEqual([
      'SKIPPED',
      'the cardholder has turned SMS alerts off',
    ]);

    await searchBy(page, 'transactionId', tx.skipped.transactionId);
    await page.locator('#why', { hasText: 'No SMS' }).waitFor();
    expect(await text(page, '#why')).toBe(
      'No SMS was sent because the cardholder has turned SMS alerts off. This is expected; nothing will be retried.',
    );
    expect(await page.locator('#why').getAttribute('class')).toBe('msg warn');
    expect(await page.locator('#resend').isHidden()).toBe(true);
    expect(await text(page, '#attempts')).toBe('No attempt: nothing was handed to an SMS provider.');
    expect(await page.locator('#facts dt', { hasText: 'Provider' }).count()).toBe(0);
    expect((await timeline(page))[1].slice(2)).toEqual([
      'Not sent (skipped) SKIPPED',
      'the cardholder has turned SMS alerts off (ALERTS_DISABLED)',
    ]);
    await screenshot(page, '3-skipped');

    await searchBy(page, 'transactionId', tx.overdue.transactionId);
    await page.locator('#why', { hasText: 'overdue' }).waitFor();
    expect(await text(page, '#why')).toMatch(/^Sent through twilio, but no delivery receipt came within/);
    expect((await timeline(page)).map((s) => s[2])).toContain('No receipt in time (overdue) OVERDUE');
    expect(await text(page, '#timelineSummary')).toMatch(
      /^Received from the bank → No receipt in time \(overdue\): .+; nothing since, for /,
    );
    await screenshot(page, '4-overdue');
  });

  it('supervisor key: the whole number, and a resend of an UNDELIVERED alert recorded in its timeline', async () => {
    const page = await consoleWith(SUPERVISOR_KEY);
    await page.locator('#who', { hasText: '· supervisor' }).waitFor();
    await searchBy(page, 'transactionId', tx.undelivered.transactionId);
    await page.locator('#why', { hasText: 'could not deliver' }).waitFor();
    expect(await text(page, '#why')).toBe(
      'The provider took the SMS but the phone network could not deliver it: the phone was switched off or out of coverage (code 30003). A supervisor can resend it.',
    );
    expect(await page.locator('#facts dd .mono', { hasText: seen.phoneNumber }).count()).toBe(1);
    expect(await page.locator('#facts .tag.masked').count()).toBe(0);
    await screenshot(page, '5-undelivered-supervisor');

    page.once('dialog', (d) => void d.accept());
    await page.click('#resend');
    await page.locator('#detailMsg', { hasText: 'Queued again' }).waitFor();
    await page.locator('#timeline td', { hasText: 'Resend requested' }).waitFor();
    const id = await alertId(tx.undelivered.transactionId);
    expect(await timelineTypes(ctx!.db, id)).toContain('RESEND_REQUESTED');

    await waitForStatuses(ctx!.db, [tx.undelivered.transactionId], ['DELIVERED']);
    await page.click('#refresh');
    await page.locator('#why', { hasText: 'Delivered' }).waitFor();
    // The refresh leaves no stale word behind: the resend's message is gone and the results row is current.
    expect(await page.locator('#detailMsg').isHidden()).toBe(true);
    expect(await text(page, '#rows tr td:first-child')).toBe('DELIVERED');
    const steps = (await timeline(page)).map((s) => s[2].split(' ').pop());
    expect(steps.slice(steps.indexOf('RESEND_REQUESTED'))).toEqual([
      'RESEND_REQUESTED',
      'SENDING',
      'SENT',
      'DELIVERED',
    ]);
    expect((await timeline(page)).find((s) => s[2].endsWith('RESEND_REQUESTED'))?.[3]).toMatch(
      /by key-[0-9a-f]{8} \(supervisor\) after UNDELIVERED/,
    );
    await screenshot(page, '6-resent-supervisor');
  });

  it('a bad key: says the key was refused, forgets it, and a search asks for a key', async () => {
    const page = await consoleWith('not-a-real-key');
    await page.locator('#keyMsg', { hasText: 'not accepted' }).waitFor();
    expect(await text(page, '#keyMsg')).toBe(
      'This API key was not accepted (401: unknown API key). Paste the whole key again.',
    );
    expect(
      await page.evaluate(() => (globalThis as any).sessionStorage.getItem('alertline.apiKey')),
    ).toBeNull();
    await searchBy(page, 'transactionId', tx.delivered.transactionId);
    await page.locator('#searchMsg', { hasText: 'Paste your API key first.' }).waitFor();
    expect(await page.locator('#results').isHidden()).toBe(true);
    await screenshot(page, '7-bad-key');
  });

  it('a correction and its original open each other', async () => {
    // A cardholder and card of their own, so the searches above still see only their alerts.
    const refunded = makeContact();
    await publishContactsAndWait(stack, ctx!.db, [refunded]);
    const original = makeTransaction(refunded.cardholderId, { cardLast4: '0042', amountMinor: 6400 });
    await alertEndingAs(original, 'DELIVERED');
    const refund = makeReversal(original, { kind: 'PARTIAL_REFUND', amountMinor: 1400 });
    await stack.publishReversals([refund]);
    await waitFor('the correction to be delivered', async () => {
      const { rows } = await ctx!.db.query(
        `SELECT n.status FROM reversals r JOIN notifications n ON n.id = r.notification_id WHERE r.reversal_id = $1`,
        [refund.reversalId],
      );
      return rows[0]?.status === 'DELIVERED';
    });
    const page = await consoleWith(SUPPORT_KEY);
    await searchBy(page, 'transactionId', original.transactionId);
    await page.locator('#links', { hasText: `Reversal ${refund.reversalId}` }).waitFor();
    expect(await text(page, '#links')).toContain('PARTIAL_REFUND GBP 14.00: QUEUED');
    await page.getByRole('button', { name: 'Open the correction' }).click();
    await page.locator('#detailTitle', { hasText: 'Correction' }).waitFor();
    expect(await text(page, '#facts')).toContain('refunded by GBP 14.00 (GBP 14.00 in all)');
    await page.getByRole('button', { name: 'Open the original alert' }).click();
    await page.locator('#detailTitle', { hasText: 'Alert' }).waitFor();
    await screenshot(page, '8-correction-links');
  });

  it("a cardholder's reply shows under its alert, a report highlighted, the number masked", async () => {
    const replying = makeContact();
    await publishContactsAndWait(stack, ctx!.db, [replying]);
    const txn = makeTransaction(replying.cardholderId, { cardLast4: '0077' });
    await alertEndingAs(txn, 'DELIVERED');
    await stack.sandboxClient.sendInbound('twilio', { from: replying.phoneNumber, text: 'Not me!' });
    await waitForReplies(ctx!.db, replying.phoneNumber);
    const page = await consoleWith(SUPPORT_KEY);
    await searchBy(page, 'transactionId', txn.transactionId);
    const report = page.locator('#links .reply.alarm');
    await report.waitFor();
    expect(await report.textContent()).toMatch(
      /^Cardholder NOT RECOGNISED \("not me"\) from \+\d{2}\*+\d{3}masked at .*Not me!$/,
    );
    expect(await report.textContent()).not.toContain(replying.phoneNumber);
    await screenshot(page, '9-reply');
  });

  async function alertId(transactionId: string): Promise<string> {
    return (await notificationByTx(ctx!.db, transactionId))!.id as string;
  }
});
