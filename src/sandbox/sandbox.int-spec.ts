// The sandbox booted in-process (the real Nest app) and driven by the real SDKs over real sockets.
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type * as VonageSms from '@vonage/sms';
import twilio from 'twilio';
import RestException from 'twilio/lib/base/RestException';
import { NestFactory } from '@nestjs/core';
import { SMS, SMSFailure } from '@vonage/sms';
import { AppModule } from '../app/app.module';
import { createLogger } from '../common/logger';
import { AppConfig } from '../config/app-config';
import { SandboxRequestClient } from '../providers/twilio/twilio.request-client';
import { smpp, SmppPdu, SmppSession } from './smpp-types';
import { verifyVonageSignature } from './vonage-signature';


const SID = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'int-test-auth-token';
const VONAGE = { apiKey: 'intkey', apiSecret: 'int-secret', signatureSecret: 'int-signature-secret' };
const SMPP_CREDS = { system_id: 'alertline', password: 'secret1' };
const ZH_200 = '您的尾号1234的银行卡于今日消费人民币元，如非本人操作请致电客服。'.repeat(8).slice(0, 200);

// ---------- helpers ----------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Polls with the real clock until `probe` returns something truthy. */
async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
}

/** A local webhook receiver (our api's stand-in) recording every status callback and DLR. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const json = (req.headers['content-type'] ?? '').startsWith('application/json');
      const params = json ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
      received.push({ path: req.url ?? '', headers: req.headers, params });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function startSandbox(dlrUrl: string) {
  const [httpPort, smppPort] = [await freePort(), await freePort()];
  const config = AppConfig.fromEnv({
    SANDBOX_PORT: String(httpPort),
    SANDBOX_SMPP_PORT: String(smppPort),
    SANDBOX_RECEIPT_DELAY_MS: '50',
    SANDBOX_VONAGE_DLR_URL: dlrUrl,
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    VONAGE_API_KEY: VONAGE.apiKey,
    VONAGE_API_SECRET: VONAGE.apiSecret,
    VONAGE_SIGNATURE_SECRET: VONAGE.signatureSecret,
    VONAGE_SIGNATURE_METHOD: 'sha256',
    SMPP_SYSTEM_ID: SMPP_CREDS.system_id,
    SMPP_PASSWORD: SMPP_CREDS.password,
  });
  const logger = createLogger('silent', 'sandbox');
  const app = await NestFactory.create(AppModule.forRole('sandbox', config, logger), { logger: false });
  await app.listen(httpPort, '127.0.0.1');
  return { app, baseUrl: `http://127.0.0.1:${httpPort}`, smppPort };
}

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

async function control(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${sandbox.baseUrl}${urlPath}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

const setFault = async (provider: string, fault: unknown) => {
  const res = await control('PUT', `/sandbox/faults/${provider}`, fault);
  expect(res.status).toBe(200);
};

async function stored(provider: string, id: string): Promise<any> {
  const { json } = await control('GET', `/sandbox/messages?provider=${provider}`);
  return json.messages.find((m: { partIds: string[] }) => m.partIds.includes(id));
}

const twilioClient = (timeout = 3000) =>
  twilio(SID, TOKEN, { httpClient: new SandboxRequestClient(sandbox.baseUrl, { timeout }) });

function vonageClient() {
  return new SMS({ apiKey: VONAGE.apiKey, apiSecret: VONAGE.apiSecret }, { restHost: sandbox.baseUrl });
}

/** An ESME on the real smpp package; answers deliver_sm and collects them. */
async function esme(creds = SMPP_CREDS) {
  const session = smpp.connect({ url: `smpp://127.0.0.1:${sandbox.smppPort}` });
  session.on('error', () => undefined);
  const receipts: SmppPdu[] = [];
  session.on('deliver_sm', (pdu: SmppPdu) => {
    receipts.push(pdu);
    session.send(pdu.response());
  });
  await new Promise<void>((resolve) => session.on('connect', () => resolve()));
  const bind = await call(session, 'bind_transceiver', creds);
  return { session, receipts, bind };
}

function call(
  session: SmppSession,
  command: string,
  options: Record<string, unknown> = {},
): Promise<SmppPdu> {
  return new Promise((resolve) => session.send(new smpp.PDU(command, options), resolve));
}

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox(`${receiver.url}/vonage/dlr`);
});

afterAll(async () => {
  await sandbox?.app.close();
  await receiver?.close();
});

afterEach(async () => {
  await control('DELETE', '/sandbox/faults');
});

// ---------- Twilio ----------

describe('Twilio Messages API with twilio-node', () => {
  const to = '+447700900101';

  it('creates, fetches and lists by To and date; signed status callbacks follow', async () => {
    const client = twilioClient();
    const callbackUrl = `${receiver.url}/twilio/status?tenant=1`;
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
      const mine = receiver.received.filter((r) => r.params.MessageSid === created.sid);
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
    await expect(send('+15005550001')).rejects.toMatchObject({ status: 400, code: 21211 });
    await expect(send('+15005550009')).rejects.toMatchObject({ status: 400, code: 21614 });
    await expect(send('+15005550004')).rejects.toBeInstanceOf(RestException);
    const wrong = twilio(SID, 'not-the-token', { httpClient: new SandboxRequestClient(sandbox.baseUrl) });
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
    const callbackUrl = `${receiver.url}/twilio/undelivered`;
    await setFault('twilio', { receipt: 'undelivered', receiptErrorCode: 30005 });
    const m = await client.messages.create({
      to,
      from: '+15005550006',
      body: 'x',
      statusCallback: callbackUrl,
    });
    await waitFor(
      () =>
        receiver.received.find(
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
        receiver.received.find(
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

// ---------- Vonage ----------

describe('Vonage SMS API with @vonage/sms', () => {
  const dlrsFor = (ids: string[]) => receiver.received.filter((r) => ids.includes(r.params.messageId));

  it('sends, and the DLR arrives signed', async () => {
    const sent = await vonageClient().send({
      to: '447700900201',
      from: 'AlertlineBk',
      text: 'Card 1234 used',
      clientRef: 'attempt-1',
    });
    expect(sent).toMatchObject({
      'message-count': '1',
      messages: [{ status: '0', to: '447700900201', 'client-ref': 'attempt-1' }],
    });
    const id = sent.messages[0].messageId!;
    const [dlr] = await waitFor(() => dlrsFor([id]).length === 1 && dlrsFor([id]), 'DLR');
    expect(dlr.path).toBe('/vonage/dlr');
    expect(dlr.params).toMatchObject({
      msisdn: '447700900201',
      to: 'AlertlineBk',
      status: 'delivered',
      'err-code': '0',
      'client-ref': 'attempt-1',
    });
    expect(verifyVonageSignature(dlr.params, VONAGE.signatureSecret, 'sha256')).toBe(true);
    expect(verifyVonageSignature({ ...dlr.params, status: 'failed' }, VONAGE.signatureSecret, 'sha256')).toBe(
      false,
    );
    expect(
      vonageClient().verifySignature(
        dlr.params.sig,
        dlr.params,
        VONAGE.signatureSecret,
        'SHA256HMAC' as never,
      ),
    ).toBe(true);

    const search = await fetch(
      `${sandbox.baseUrl}/search/message?api_key=${VONAGE.apiKey}&api_secret=${VONAGE.apiSecret}&id=${id}`,
    );
    expect(await search.json()).toMatchObject({
      'message-id': id,
      'final-status': 'DELIVRD',
      'client-ref': 'attempt-1',
    });
    const day = new Date().toISOString().slice(0, 10);
    const many = await fetch(
      `${sandbox.baseUrl}/search/messages?api_key=${VONAGE.apiKey}&api_secret=${VONAGE.apiSecret}&date=${day}&to=447700900201`,
    );
    const { items } = (await many.json()) as { items: Array<{ 'client-ref'?: string }> };
    expect(items.map((i) => i['client-ref'])).toContain('attempt-1');
  });

  it('splits a 200-character Chinese unicode message into 3 parts, stored as 3 UCS-2 segments', async () => {
    const callback = `${receiver.url}/vonage/own-callback`;
    const sent = await vonageClient().send({
      to: '447700900202',
      from: 'AlertlineBk',
      text: ZH_200,
      type: 'unicode' as VonageSms.TypeEnum,
      callback,
    });
    // Vonage sends message-count as a string; the SDK's typing says number.
    expect(sent.messageCount).toBe('3');
    expect(sent.messages).toHaveLength(3);
    const ids = sent.messages.map((m) => m.messageId!);
    const message = await stored('vonage', ids[0]);
    expect(message).toMatchObject({ segments: 3, encoding: 'UCS-2', body: ZH_200, partIds: ids });
    const dlrs = await waitFor(() => dlrsFor(ids).length === 3 && dlrsFor(ids), 'one DLR per part');
    expect(new Set(dlrs.map((d) => d.path))).toEqual(new Set(['/vonage/own-callback']));
  });

  it('throws with status 7 for a barred number, and HTTP 500 when faulted', async () => {
    const failure = await vonageClient()
      .send({ to: '15005550004', from: 'AlertlineBk', text: 'x' })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SMSFailure);
    expect((failure as InstanceType<typeof SMSFailure>).getFailedMessages()).toMatchObject([{ status: '7' }]);

    await setFault('vonage', { mode: 'http500' });
    await expect(
      vonageClient().send({ to: '447700900203', from: 'AlertlineBk', text: 'x' }),
    ).rejects.toMatchObject({
      response: { status: 500 },
    });
    await setFault('vonage', { mode: 'http429', errorStyle: 'body' });
    const throttled = await vonageClient()
      .send({ to: '447700900203', from: 'AlertlineBk', text: 'x' })
      .catch((e: InstanceType<typeof SMSFailure>) => e.getFailedMessages());
    expect(throttled).toMatchObject([{ status: '1' }]);
  });
});

// ---------- SMPP ----------

describe('SMPP SMSC with the smpp package', () => {
  it('binds, submits, and sends a DELIVRD receipt; answers enquire_link and unbind', async () => {
    const { session, receipts, bind } = await esme();
    expect(bind.command_status).toBe(0);
    const resp = await call(session, 'submit_sm', {
      source_addr: 'AlertlineBk',
      destination_addr: '447700900301',
      short_message: 'Card 1234 used for GBP 12.00',
      registered_delivery: 1,
    });
    expect(resp.command_status).toBe(0);
    const id = resp.message_id as string;
    expect(id).toMatch(/^[0-9A-F]{16}$/);
    const receipt = await waitFor(
      () => receipts.find((r) => r.receipted_message_id === id),
      'deliver_sm receipt',
    );
    expect(receipt).toMatchObject({ esm_class: 0x04, message_state: 2, source_addr: '447700900301' });
    const text = (receipt.short_message as { message: string }).message;
    expect(text).toMatch(
      new RegExp(
        `^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:Card 1234`,
      ),
    );
    expect((await call(session, 'enquire_link')).command).toBe('enquire_link_resp');
    expect((await call(session, 'unbind')).command).toBe('unbind_resp');
    session.destroy();
  });

  it('reassembles a UDH-concatenated UCS-2 message, and counts a message_payload by its parts', async () => {
    const { session } = await esme();
    const parts = [ZH_200.slice(0, 67), ZH_200.slice(67, 134), ZH_200.slice(134)];
    const ids: string[] = [];
    for (const [i, part] of parts.entries()) {
      const resp = await call(session, 'submit_sm', {
        source_addr: 'AlertlineBk',
        destination_addr: '447700900302',
        data_coding: 8,
        short_message: { udh: Buffer.from([0x05, 0x00, 0x03, 0x4d, 3, i + 1]), message: part },
      });
      expect(resp.command_status).toBe(0);
      ids.push(resp.message_id as string);
    }
    expect(await stored('smpp', ids[2])).toMatchObject({
      body: ZH_200,
      segments: 3,
      encoding: 'UCS-2',
      partIds: ids,
    });

    const payload = await call(session, 'submit_sm', {
      destination_addr: '447700900303',
      data_coding: 8,
      message_payload: ZH_200,
    });
    expect(await stored('smpp', payload.message_id as string)).toMatchObject({
      body: ZH_200,
      segments: 3,
      encoding: 'UCS-2',
    });
    session.destroy();
  });

  it('refuses binds, bad passwords, throttles and rejects magic numbers as configured', async () => {
    await setFault('smpp', { smpp: { refuseBind: true } });
    const refused = await esme();
    expect(refused.bind.command_status).toBe(0x0d); // ESME_RBINDFAIL
    refused.session.destroy();
    await control('DELETE', '/sandbox/faults');

    const wrong = await esme({ ...SMPP_CREDS, password: 'nope' });
    expect(wrong.bind.command_status).toBe(0x0e); // ESME_RINVPASWD
    wrong.session.destroy();

    const { session } = await esme();
    const submit = (to: string) => call(session, 'submit_sm', { destination_addr: to, short_message: 'x' });
    expect((await submit('15005550001')).command_status).toBe(0x0b); // ESME_RINVDSTADR
    await setFault('smpp', { smpp: { throttle: true } });
    expect((await submit('447700900304')).command_status).toBe(0x58); // ESME_RTHROTTLED
    session.destroy();
  });
});

// ---------- control API ----------

describe('control API', () => {
  it('names the bad field in a 400', async () => {
    const res = await control('PUT', '/sandbox/faults/twilio', { mode: 'explode' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^mode: /);
    expect((await control('PUT', '/sandbox/faults/pigeon', {})).status).toBe(400);
    expect((await control('GET', '/sandbox/messages?since=yesterday')).json.message).toMatch(/^since: /);
    expect(
      (await control('POST', '/sandbox/messages/twilio/SMnope/receipt', { status: 'delivered' })).status,
    ).toBe(404);
  });

  it('counts and clears what the providers received', async () => {
    expect((await control('GET', '/sandbox/messages/count?provider=smpp')).json.count).toBeGreaterThan(0);
    expect((await control('DELETE', '/sandbox/messages')).status).toBe(200);
    expect((await control('GET', '/sandbox/messages/count')).json).toEqual({ provider: 'all', count: 0 });
  });
});
