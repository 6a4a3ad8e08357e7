// Integration spec: the sandbox in-process, driven by the real SDK over real sockets.
import twilio from 'twilio';
import RestException from 'twilio/lib/base/RestException';
import { SandboxRequestClient } from '../../providers/twilio/twilio.request-client';
import {
  SID,
  TOKEN,
  control,
  h,
  setFault,
  stored,
  twilioClient,
  waitFor,
  useSandbox,
} from '../testing/sandbox.harness';

useSandbox();

// ---------- Twilio ----------

describe('Twilio Messages API with twilio-node', () => {
  const to = '+447700900101';

  it('creates, fetches and lists by To and date; signed status callbacks follow', async () => {
    const client = twilioClient();
    const callbackUrl = `${h.receiver.url}/twilio/status?tenant=1`;
    const created = await client.messages.create({
      to,
      from: '+15005550006',
      body: 'Card 1234: GBP 12.00',
      statusCallback: callbackUrl,
    });
    expect(created.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(created).toMatchObject({ status: 'queued', to, numSegments: '1', accountSid: SID });
    expect(created.dateCreated).toBeInstanceOf(Date);

    const fetched = await client.messages(created.sid).fetch();
    expect(fetched).toMatchObject({ sid: created.sid, body: 'Card 1234: GBP 12.00' });

    const today = await client.messages.list({ to, dateSent: new Date() });
    expect(today.map((m) => m.sid)).toContain(created.sid);
    const recent = await client.messages.list({ to, dateSentAfter: new Date(Date.now() - 60_000) });
    expect(recent.map((m) => m.sid)).toContain(created.sid);
    expect(await client.messages.list({ to, dateSentBefore: new Date(Date.now() - 60_000) })).toEqual([]);
    expect(await client.messages.list({ to: '+447700900999' })).toEqual([]);

    const callbacks = await waitFor(() => {
      const mine = h.receiver.received.filter((r) => r.params.MessageSid === created.sid);
      return mine.length >= 2 && mine;
    }, 'sent and delivered callbacks');
    expect(callbacks.map((c) => c.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const c of callbacks) {
      expect(c.path).toBe('/twilio/status?tenant=1');
      expect(c.params).toMatchObject({
        AccountSid: SID,
        To: to,
        From: '+15005550006',
        ApiVersion: '2010-04-01',
      });
      const signature = c.headers['x-twilio-signature'] as string;
      expect(twilio.validateRequest(TOKEN, signature, callbackUrl, c.params)).toBe(true);
      expect(
        twilio.validateRequest(TOKEN, signature, callbackUrl, { ...c.params, MessageStatus: 'failed' }),
      ).toBe(false);
    }
    expect((await client.messages(created.sid).fetch()).status).toBe('delivered');
  });

  it('follows next_page_uri through the request client', async () => {
    const client = twilioClient();
    const pagedTo = '+447700900102';
    for (let i = 0; i < 5; i++)
      await client.messages.create({ to: pagedTo, from: '+15005550006', body: `m${i}` });
    const all = await client.messages.list({ to: pagedTo, pageSize: 2 });
    expect(all.map((m) => m.body)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
  });

  it('raises RestException with Twilio codes for magic numbers and bad credentials', async () => {
    const client = twilioClient();
    const send = (number: string) => client.messages.create({ to: number, from: '+15005550006', body: 'x' });
    // In Twilio's words, quoting the recipient as it was sent.
    await expect(send('+15005550001')).rejects.toMatchObject({
      status: 400,
      code: 21211,
      message: "The 'To' number +15005550001 is not a valid phone number.",
    });
    await expect(send('+15005550009')).rejects.toMatchObject({
      status: 400,
      code: 21614,
      message: 'To number: +15005550009, is not a mobile number',
    });
    await expect(send('+15005550002')).rejects.toMatchObject({
      code: 21612,
      message:
        "The 'To' phone number: +15005550002, is not currently reachable using the 'From' phone number: +15005550006 via SMS.",
    });
    await expect(send('+15005550004')).rejects.toBeInstanceOf(RestException);
    const wrong = twilio(SID, 'not-the-token', { httpClient: new SandboxRequestClient(h.sandbox.baseUrl) });
    await expect(wrong.messages.create({ to, from: '+15005550006', body: 'x' })).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
  });

  it('fails as configured: 500, 429, timeout, connection reset', async () => {
    const send = (client = twilioClient()) => client.messages.create({ to, from: '+15005550006', body: 'x' });
    await setFault('twilio', { mode: 'http500' });
    await expect(send()).rejects.toMatchObject({ status: 500, code: 20500 });
    await setFault('twilio', { mode: 'http429' });
    await expect(send()).rejects.toMatchObject({ status: 429, code: 20429 });
    await setFault('twilio', { mode: 'timeout' });
    const started = Date.now();
    await expect(send(twilioClient(300))).rejects.toMatchObject({ code: 'ECONNABORTED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await setFault('twilio', { mode: 'refuse' });
    await expect(send()).rejects.toMatchObject({ code: 'ECONNRESET' });
    await setFault('twilio', { mode: 'slow', latencyMs: 300 });
    const slowStart = Date.now();
    await send();
    expect(Date.now() - slowStart).toBeGreaterThanOrEqual(290);
  });

  it('reports undelivered with the configured code, and pushes receipts on demand', async () => {
    const client = twilioClient();
    const callbackUrl = `${h.receiver.url}/twilio/undelivered`;
    await setFault('twilio', { receipt: 'undelivered', receiptErrorCode: 30005 });
    const m = await client.messages.create({
      to,
      from: '+15005550006',
      body: 'x',
      statusCallback: callbackUrl,
    });
    await waitFor(
      () =>
        h.receiver.received.find(
          (r) => r.params.MessageSid === m.sid && r.params.MessageStatus === 'undelivered',
        ),
      'undelivered',
    );
    expect(await client.messages(m.sid).fetch()).toMatchObject({ status: 'undelivered', errorCode: 30005 });

    const pushed = await control('POST', `/sandbox/messages/twilio/${m.sid}/receipt`, {
      status: 'delivered',
    });
    expect(pushed).toMatchObject({ status: 202, json: { status: 'delivered', sent: true } });
    await waitFor(
      () =>
        h.receiver.received.find(
          (r) => r.params.MessageSid === m.sid && r.params.MessageStatus === 'delivered',
        ),
      'pushed receipt',
    );
    expect((await stored('twilio', m.sid)).statusHistory.map((h: { status: string }) => h.status)).toEqual([
      'queued',
      'sent',
      'undelivered',
      'delivered',
    ]);
  });
});
