// Shared by the sandbox's integration specs: the sandbox booted in-process (the real Nest app), driven by
// the real SDKs over real sockets.
import http from 'node:http';
import net from 'node:net';
import twilio from 'twilio';
import { NestFactory } from '@nestjs/core';
import { SMS } from '@vonage/sms';
import { createLogger } from '../../common/logger';
import { loadConfig } from '../../providers/provider-config';
import { SandboxRequestClient } from '../../providers/twilio/twilio.request-client';
import { sandboxAppModule } from '../sandbox.app';
import { smpp, SmppPdu, SmppSession } from '../smpp/smpp-types';

export const SID = 'AC0123456789abcdef0123456789abcdef';
export const TOKEN = 'int-test-auth-token';
export const VONAGE = { apiKey: 'intkey', apiSecret: 'int-secret', signatureSecret: 'int-signature-secret' };
export const SMPP_CREDS = { system_id: 'alertline', password: 'secret1' };
export const ZH_200 = '您的尾号1234的银行卡于今日消费人民币元，如非本人操作请致电客服。'
  .repeat(8)
  .slice(0, 200);

// ---------- helpers ----------

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Polls with the real clock until `probe` returns something truthy. */
export async function waitFor<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
}

/** A local webhook receiver (our api's stand-in) recording every status callback and DLR. */
export async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  close: () => Promise<void>;
}> {
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

export async function startSandbox(dlrUrl: string) {
  const [httpPort, smppPort] = [await freePort(), await freePort()];
  const config = loadConfig({
    SANDBOX_PORT: String(httpPort),
    SANDBOX_SMPP_PORT: String(smppPort),
    SANDBOX_RECEIPT_DELAY_MS: '50',
    SANDBOX_VONAGE_DLR_URL: dlrUrl,
    SANDBOX_ALIYUN_REPORT_URL: `${new URL(dlrUrl).origin}/aliyun/report`,
    // Where vendors without a per-send callback (Tencent's console setting) post: the receiver.
    PUBLIC_BASE_URL: new URL(dlrUrl).origin,
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
  const app = await NestFactory.create(sandboxAppModule(config, logger), { logger: false });
  await app.listen(httpPort, '127.0.0.1');
  return { app, baseUrl: `http://127.0.0.1:${httpPort}`, smppPort };
}

/** Filled by useSandbox(): the in-process sandbox and the webhook receiver standing in for our api. */
export const h = {} as {
  sandbox: Awaited<ReturnType<typeof startSandbox>>;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
};

export async function control(
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${h.sandbox.baseUrl}${urlPath}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

export const setFault = async (provider: string, fault: unknown) => {
  const res = await control('PUT', `/sandbox/faults/${provider}`, fault);
  expect(res.status).toBe(200);
};

export async function stored(provider: string, id: string): Promise<any> {
  const { json } = await control('GET', `/sandbox/messages?provider=${provider}`);
  return json.messages.find((m: { partIds: string[] }) => m.partIds.includes(id));
}

export const twilioClient = (timeout = 3000) =>
  twilio(SID, TOKEN, { httpClient: new SandboxRequestClient(h.sandbox.baseUrl, { timeout }) });

export function vonageClient() {
  // An empty privateKey, as in VonageProvider: @vonage/auth would pass undefined to fs.existsSync (DEP0187).
  return new SMS(
    { apiKey: VONAGE.apiKey, apiSecret: VONAGE.apiSecret, privateKey: '' },
    { restHost: h.sandbox.baseUrl },
  );
}

/** An ESME on the real smpp package; answers deliver_sm and collects them. */
export async function esme(creds = SMPP_CREDS) {
  const session = smpp.connect({ url: `smpp://127.0.0.1:${h.sandbox.smppPort}` });
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

export function call(
  session: SmppSession,
  command: string,
  options: Record<string, unknown> = {},
): Promise<SmppPdu> {
  return new Promise((resolve) => session.send(new smpp.PDU(command, options), resolve));
}

/** Boots one sandbox for the spec file and resets its faults after each test. */
export function useSandbox(): void {
  beforeAll(async () => {
    h.receiver = await startReceiver();
    h.sandbox = await startSandbox(`${h.receiver.url}/vonage/dlr`);
  });
  afterAll(async () => {
    await h.sandbox?.app.close();
    await h.receiver?.close();
  });
  afterEach(async () => {
    await control('DELETE', '/sandbox/faults');
  });
}
