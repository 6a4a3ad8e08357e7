import { BadRequestException, ForbiddenException } from '@nestjs/common';
import type { Request } from 'express';
import twilioSdk from 'twilio';
import { Clock } from '../common/clock';
import { webhookGuard } from '../receipts/testing/webhook-guard';
import { loadConfig } from './provider-config';
import { parseSmppInbound, SMPP_INBOUND_DEDUPE_MS } from './smpp/smpp-inbound';
import type { EsmePdu } from './smpp/smpp.types';
import { TwilioInboundWebhook } from './twilio/twilio-inbound.webhook';
import { twilio } from './twilio/twilio.definition';
import { VonageInboundWebhook } from './vonage/vonage-inbound.webhook';
import { signVonageParams } from './vonage/vonage-signature';
import { vonage } from './vonage/vonage.definition';

// Each vendor's inbound text (a cardholder's reply): authenticated as its receipts are, parsed into one
// InboundSms with the sender as E.164. Through the same guard the api runs, refusals counted.
const TOKEN = 'sandbox-twilio-auth-token';
const SECRET = 'sandbox-vonage-signature-secret';
const NOW = Date.parse('2026-12-01T12:00:00Z');
const config = loadConfig({
  PUBLIC_BASE_URL: 'https://alerts.example',
  TWILIO_AUTH_TOKEN: TOKEN,
  VONAGE_SIGNATURE_SECRET: SECRET,
});
const clock: Clock = { now: () => new Date(NOW) };
const refused = async (metrics: ReturnType<typeof webhookGuard>['metrics'], status: string) =>
  (await metrics.receipts.get()).values.find((v) => v.labels.status === status)?.value ?? 0;

describe('Twilio incoming-message webhook', () => {
  const url = 'https://alerts.example/webhooks/twilio/inbound';
  const params = {
    MessageSid: 'SM00aa',
    From: '+447700900123',
    To: '+15005550006',
    Body: '不是我',
    NumMedia: '0',
  };
  const request = (signature: string | undefined, body: Record<string, string> = params) =>
    ({
      ip: '203.0.113.9',
      originalUrl: '/webhooks/twilio/inbound',
      body,
      header: (name: string) => (name === 'x-twilio-signature' ? signature : undefined),
    }) as unknown as Request;
  const handler = new TwilioInboundWebhook(config);

  it('accepts a message signed with the auth token and parses sender, recipient and text', async () => {
    const { run } = webhookGuard(config, twilio, 'inbound', handler);
    const req = request(twilioSdk.getExpectedTwilioSignature(TOKEN, url, params));
    await expect(run(req)).resolves.toBe(true);
    expect(handler.parse(req)).toEqual([
      { providerMessageId: 'SM00aa', from: '+447700900123', to: '+15005550006', text: '不是我' },
    ]);
  });

  it('refuses and counts a forged, missing or tampered signature', async () => {
    const good = twilioSdk.getExpectedTwilioSignature(TOKEN, url, params);
    const forged = twilioSdk.getExpectedTwilioSignature('not-the-token', url, params);
    for (const req of [request(forged), request(undefined), request(good, { ...params, Body: 'YES' })]) {
      const { run, metrics } = webhookGuard(config, twilio, 'inbound', handler);
      await expect(run(req)).rejects.toThrow(ForbiddenException);
      expect(await refused(metrics, 'BAD_SIGNATURE')).toBe(1);
    }
  });

  it('answers 400 naming the field for a message without sender or id, or with a text over 1600', () => {
    for (const body of [
      { ...params, From: '' },
      { ...params, MessageSid: undefined as unknown as string },
      { ...params, Body: 'x'.repeat(1601) },
    ])
      expect(() => handler.parse(request('x', body))).toThrow(BadRequestException);
  });

  it('keeps a text PostgreSQL could not store (U+0000) as U+FFFD, and an MMS without text as empty', () => {
    const [nul] = handler.parse(request('x', { ...params, Body: 'NOT\u0000ME' }));
    expect(nul.text).toBe('NOT\uFFFDME');
    const [mms] = handler.parse(request('x', { MessageSid: 'MM1', From: '+447700900123', To: '+1500' }));
    expect(mms.text).toBe('');
  });
});

describe('Vonage inbound SMS webhook', () => {
  const handler = new VonageInboundWebhook(config, clock);
  const message = (timestamp: number, secret = SECRET) => {
    const params: Record<string, string> = {
      msisdn: '447700900123',
      to: '447700900000',
      messageId: '0A0000001',
      text: 'NOT ME',
      type: 'text',
      timestamp: String(Math.floor(timestamp / 1000)),
      nonce: 'n-1',
    };
    return { ...params, sig: signVonageParams(params, secret, 'sha256') };
  };
  const request = (body: Record<string, string>) =>
    ({ ip: '198.51.100.4', query: {}, body }) as unknown as Request;

  it('accepts a signed message within the window; the sender becomes E.164', async () => {
    const { run } = webhookGuard(config, vonage, 'inbound', handler);
    const req = request(message(NOW));
    await expect(run(req)).resolves.toBe(true);
    expect(handler.parse(req)).toEqual([
      { providerMessageId: '0A0000001', from: '+447700900123', to: '+447700900000', text: 'NOT ME' },
    ]);
  });

  it('refuses a wrong signature and a stale signed timestamp, each counted under its reason', async () => {
    const forged = webhookGuard(config, vonage, 'inbound', handler);
    await expect(forged.run(request(message(NOW, 'wrong-secret')))).rejects.toThrow(ForbiddenException);
    expect(await refused(forged.metrics, 'BAD_SIGNATURE')).toBe(1);
    const stale = webhookGuard(config, vonage, 'inbound', handler);
    await expect(stale.run(request(message(NOW - 3_600_000)))).rejects.toThrow(ForbiddenException);
    expect(await refused(stale.metrics, 'STALE_TIMESTAMP')).toBe(1);
  });

  it('keeps a binary message (no text) as an empty reply rather than refusing it', () => {
    const binary: Record<string, string> = { ...message(NOW) };
    delete binary.text;
    expect(handler.parse(request(binary))[0].text).toBe('');
  });
});

describe('SMPP deliver_sm that is not a receipt', () => {
  const pdu = (fields: Partial<EsmePdu>) => ({ command: 'deliver_sm', esm_class: 0, ...fields }) as EsmePdu;

  it('is a text from source_addr, decoded, its id stable for a redelivery within the bucket', () => {
    const mo = pdu({
      source_addr: '8613800138001',
      destination_addr: '10690000',
      short_message: { message: '非本人' },
    });
    const first = parseSmppInbound(mo, NOW);
    expect(first).toEqual(
      expect.objectContaining({ from: '+8613800138001', to: '+10690000', text: '非本人' }),
    );
    expect(parseSmppInbound(mo, NOW + 1000)?.providerMessageId).toBe(first?.providerMessageId);
    const other = pdu({ ...mo, short_message: { message: 'NOT ME' } });
    expect(parseSmppInbound(other, NOW)?.providerMessageId).not.toBe(first?.providerMessageId);
    expect(parseSmppInbound(mo, NOW + SMPP_INBOUND_DEDUPE_MS)?.providerMessageId).not.toBe(
      first?.providerMessageId,
    );
  });

  it('prefers message_payload, and is null for a receipt (esm_class 0x04), other types, or no sender', () => {
    const long = pdu({
      source_addr: '447700900123',
      message_payload: { message: 'long text' },
      short_message: '',
    });
    expect(parseSmppInbound(long, NOW)?.text).toBe('long text');
    expect(parseSmppInbound(pdu({ source_addr: '447700900123', esm_class: 0x04 }), NOW)).toBeNull();
    expect(parseSmppInbound(pdu({ source_addr: '447700900123', esm_class: 0x08 }), NOW)).toBeNull();
    expect(parseSmppInbound(pdu({ short_message: 'x' }), NOW)).toBeNull();
  });
});
