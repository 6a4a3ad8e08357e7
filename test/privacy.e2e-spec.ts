import { phoneHash } from './support/opened';
import { ContactEvent, makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import type { PermanentReason } from '../src/sandbox/magic-numbers';
import { readDeadLetters } from './support/dead-letters';
import { api, SUPERVISOR_KEY, SUPPORT_KEY, waitForStatuses } from './support/e2e';
import { ALL_PROVIDERS, alertsByTx, providerStack, publishAlerts, receivedBy } from './support/providers';

// Traffic whose permanent errors quote the recipient the way the vendors do (Twilio 21211/21612/21614 name
// the 'To' number, Vonage names it in the refusal, the SMSC in additional_status_info_text), with normal
// deliveries and failovers around them, at the most verbose log level. Then every line api, ingest and
// dispatcher wrote, every stored error text and every support answer is searched for the test numbers in
// any formatting and for the card number: none may be there. The sandbox's own logs are not searched: it
// plays the vendor, and the vendor has the number.
const env = {
  PROVIDERS: ALL_PROVIDERS,
  LOG_LEVEL: 'trace',
  CIRCUIT_VOLUME_THRESHOLD: '3',
  CIRCUIT_ERROR_THRESHOLD_PERCENT: '50',
};
const PAN = '4111111111111111';

/** Where `text` holds one of `phones` in any formatting (E.164, digits, national, spaced, %2B), or the PAN. */
function findNumbers(text: string, phones: string[]): string[] {
  // Separators between digits go, so "+44 7400 123-456" and "%2B447400123456" read as digit runs.
  const joined = text.replace(/(?<=\d)[ ().-]+(?=\d)/g, '');
  const hits: string[] = [];
  for (const secret of [...phones.map((p) => p.slice(3)), PAN]) {
    // +4474xxxxxxxx: the 10 digits after +44 are in the E.164, digit-only and 0-prefixed national forms.
    const at = joined.indexOf(secret);
    if (at >= 0) hits.push(`${secret} in ...${joined.slice(Math.max(0, at - 80), at + 40)}...`);
  }
  return hits;
}

describe('no full phone number reaches a support user or a log', () => {
  const t = providerStack(env);
  const phones: string[] = [];
  const alerts: Array<{ txn: string; phone: string }> = [];
  let smppRefused = '';

  async function phase(
    faults: Record<string, Record<string, unknown>>,
    refused: PermanentReason[],
    delivered: number,
  ): Promise<{ failed: string[]; ok: string[]; contacts: ContactEvent[] }> {
    const bad = refused.map((reason) => ({ contact: makeContact(), reason }));
    const good = Array.from({ length: delivered }, () => makeContact());
    for (const [provider, fault] of Object.entries(faults)) {
      const permanentNumbers = fault.refuses
        ? bad.map((b) => ({ number: b.contact.phoneNumber, reason: b.reason }))
        : [];
      const { refuses: _, ...rest } = fault;
      await t.stack.sandboxClient.setFault(provider, { ...rest, permanentNumbers });
    }
    const contacts = [...bad.map((b) => b.contact), ...good];
    const { ids } = await publishAlerts(t.stack, t.db, contacts);
    contacts.forEach((c, i) => {
      phones.push(c.phoneNumber);
      alerts.push({ txn: ids[i], phone: c.phoneNumber });
    });
    const failed = ids.slice(0, bad.length);
    const ok = ids.slice(bad.length);
    await waitForStatuses(t.db, ids, (txn) => (failed.includes(txn) ? ['FAILED'] : ['DELIVERED']), 90000);
    await t.stack.sandboxClient.clearFaults();
    return { failed, ok, contacts };
  }

  beforeAll(async () => {
    // Twilio refuses four numbers, each for one of its reasons; two more are delivered by Twilio.
    const twilio = await phase(
      { twilio: { refuses: true } },
      ['invalid', 'unreachable', 'unsubscribed', 'not-mobile'],
      2,
    );
    // Twilio answers 500 (failover, then its breaker opens); Vonage refuses two, delivers one.
    const vonage = await phase(
      { twilio: { mode: 'http500' }, vonage: { refuses: true } },
      ['invalid', 'unsubscribed'],
      1,
    );
    // Twilio and Vonage down; the SMSC refuses one and delivers one.
    const smpp = await phase(
      { twilio: { mode: 'http500' }, vonage: { mode: 'http500' }, smpp: { refuses: true } },
      ['invalid'],
      1,
    );
    smppRefused = smpp.contacts[0].phoneNumber;
    // Every provider down for one alert: it is requeued (and the retry logged), then delivered.
    for (const provider of ['twilio', 'vonage', 'smpp'])
      await t.stack.sandboxClient.setFault(provider, { mode: 'http500' });
    const retried = await publishAlerts(t.stack, t.db, 1);
    phones.push(retried.contacts[0].phoneNumber);
    alerts.push({ txn: retried.ids[0], phone: retried.contacts[0].phoneNumber });
    await waitFor('the alert to be requeued after every provider failed', async () => {
      const { rows } = await t.db.query(
        `SELECT 1 FROM notification_events e JOIN notifications n ON n.id = e.notification_id
         WHERE n.transaction_id = $1 AND e.type = 'REQUEUED'`,
        [retried.ids[0]],
      );
      return rows.length > 0;
    });
    await t.stack.sandboxClient.clearFaults();
    await waitForStatuses(t.db, retried.ids, ['DELIVERED'], 90000);
    // A card number where none belongs: dead-lettered by ingest, whose logs must not show it either.
    const withPan = makeTransaction('ch-privacy', { merchantName: `SHOP ${PAN} LTD` });
    await t.stack.publishTransactions([{ key: 'pan', raw: JSON.stringify(withPan) }]);
    const letters = await readDeadLetters(t.stack, 1);
    expect(letters[0].headers['x-error-code']).toBe('CARD_NUMBER_DETECTED');
    const sent = await alertsByTx(t.db, [...twilio.ok, ...vonage.ok, ...smpp.ok]);
    expect(new Set(sent.map((a) => a.provider))).toEqual(new Set(['twilio', 'vonage', 'smpp']));
    const refused = await alertsByTx(t.db, [...twilio.failed, ...vonage.failed, ...smpp.failed]);
    expect(refused.map((a) => a.last_error_code).sort()).toEqual(
      ['21211', '21612', '21610', '21614', '6', '7', 'ESME_RINVDSTADR'].sort(),
    );
  });

  it('the grep finds the numbers where they belong: the sandbox, and a supervisor answer', async () => {
    for (const { phone } of alerts.slice(4, 6)) expect(await receivedBy(t.stack, phone)).toHaveLength(1);
    const received = JSON.stringify(await t.stack.sandboxClient.messages({ provider: 'twilio' }));
    expect(findNumbers(received, phones).length).toBeGreaterThanOrEqual(2);
    const { body } = await api(t.stack, `/v1/notifications?transactionId=${alerts[0].txn}`, SUPERVISOR_KEY);
    expect(body.items[0].phone).toBe(alerts[0].phone);
    expect(findNumbers(JSON.stringify(body), phones)).toEqual([
      expect.stringContaining(alerts[0].phone.slice(3)),
    ]);
    // Formatted as people write it, still found.
    const spaced = `${alerts[0].phone.slice(0, 3)} ${alerts[0].phone.slice(3, 7)} ${alerts[0].phone.slice(7)}`;
    expect(findNumbers(`call 0${spaced.slice(4)} or ${spaced}`, phones)).toHaveLength(1);
  });

  it('every stored error text is masked, and still says what the vendor said', async () => {
    const { rows } = await t.db.query<{ text: string }>(
      `SELECT last_error_detail AS text FROM notifications WHERE transaction_id = ANY($1) AND last_error_detail IS NOT NULL
       UNION ALL SELECT a.error_detail FROM delivery_attempts a JOIN notifications n ON n.id = a.notification_id
         WHERE n.transaction_id = ANY($1) AND a.error_detail IS NOT NULL
       UNION ALL SELECT e.detail FROM notification_events e JOIN notifications n ON n.id = e.notification_id
         WHERE n.transaction_id = ANY($1) AND e.detail IS NOT NULL
       UNION ALL SELECT flagged_reason FROM contacts WHERE phone_hash = ANY($2) AND flagged_reason IS NOT NULL`,
      [alerts.map((a) => a.txn), phones.map(phoneHash)],
    );
    const texts = rows.map((r) => r.text).join('\n');
    expect(findNumbers(texts, phones)).toEqual([]);
    const first = alerts[0].phone;
    expect(texts).toContain(`The 'To' number +*********${first.slice(-3)} is not a valid phone number.`);
    expect(texts).toContain(`Invalid destination address *********${smppRefused.slice(-3)}`);
  });

  it('support answers (search, detail with attempts and timeline, cardholder search, console) hold none', async () => {
    const answers: string[] = [];
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    for (const { txn } of alerts) {
      const found = await api(t.stack, `/v1/notifications?transactionId=${txn}`, SUPPORT_KEY);
      expect(found.status).toBe(200);
      const [item] = found.body.items as Array<{ id: string; cardholderId: string }>;
      const detail = await api(t.stack, `/v1/notifications/${item.id}`, SUPPORT_KEY);
      const byHolder = await api(
        t.stack,
        `/v1/notifications?cardholderId=${item.cardholderId}&from=${from}&to=${to}`,
        SUPPORT_KEY,
      );
      answers.push(JSON.stringify(found.body), JSON.stringify(detail.body), JSON.stringify(byHolder.body));
    }
    const byCard = await api(t.stack, `/v1/notifications?cardLast4=4242&from=${from}&to=${to}`, SUPPORT_KEY);
    answers.push(JSON.stringify(byCard.body), await (await fetch(`${t.stack.apiUrl}/console`)).text());
    const all = answers.join('\n');
    expect(findNumbers(all, phones)).toEqual([]);
    // The vendors' texts reached support, masked.
    expect(all).toContain(`+*********${alerts[1].phone.slice(-3)}, is not currently reachable`);
    expect(all).toContain(`To number: +*********${alerts[3].phone.slice(-3)}, is not a mobile number`);
  });

  it('no role logged a full number or card number, at trace level', () => {
    const roles = (['api', 'ingest', 'dispatcher'] as const).map((r) => t.stack.role(r));
    for (const role of roles) {
      // RoleProcess keeps 2000 chunks and then drops the oldest 1000: at most 1000 means none was dropped.
      expect(role.logs.length).toBeLessThanOrEqual(1000);
      const text = role.logs.join('');
      expect(text).toContain(`alertline ${role.role} listening`);
      expect([role.role, findNumbers(text, phones)]).toEqual([role.role, []]);
    }
    // The vendors' texts did reach the logs (refusals and the retry are logged with the whole error),
    // masked: so the logs are where an unmasked number would have been found.
    const dispatcher = t.stack.role('dispatcher').logs.join('');
    expect(dispatcher).toContain('send will be retried');
    expect(dispatcher).toContain('alert failed: the provider refused the number; contact flagged');
    expect(dispatcher).toContain(
      `The 'To' number +*********${alerts[0].phone.slice(-3)} is not a valid phone number.`,
    );
    expect(dispatcher).toContain(`Invalid destination address *********${smppRefused.slice(-3)}`);
  });
});
