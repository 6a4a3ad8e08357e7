import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { signVonageParams } from '../../providers/vonage/vonage-signature';
import { vonageSettings } from '../../providers/vonage/vonage.settings';
import { ReceiptSender } from '../receipt-sender';
import type { EmulatedInbound, SandboxInbound } from '../sandbox-emulator';

/** Vonage's inbound SMS webhook: a JSON POST signed like its DLRs (sig over the rest, timestamp, nonce). */
@Injectable()
export class VonageInboundSender implements EmulatedInbound {
  private readonly secret: string;
  private readonly method: Parameters<typeof signVonageParams>[2];
  private readonly apiKey: string;
  private readonly baseUrl: string;

  constructor(
    config: AppConfig,
    private readonly sender: ReceiptSender,
  ) {
    const vonage = config.vendor(vonageSettings);
    this.secret = vonage.VONAGE_SIGNATURE_SECRET;
    this.method = vonage.VONAGE_SIGNATURE_METHOD;
    this.apiKey = vonage.VONAGE_API_KEY;
    this.baseUrl = config.get('PUBLIC_BASE_URL');
  }

  sendInbound(sms: SandboxInbound): { id: string; sent: boolean } {
    const id = randomBytes(8).toString('hex').toUpperCase();
    const now = new Date();
    const params: Record<string, string> = {
      msisdn: sms.from.replace(/^\+/, ''),
      to: sms.to.replace(/^\+/, ''),
      messageId: id,
      text: sms.text,
      // Vonage: "unicode" when the text needs UCS-2, else "text"; keyword is the first word, upper case.
      type: /^[\x20-\x7E\n\r]*$/.test(sms.text) ? 'text' : 'unicode',
      keyword: (sms.text.trim().split(/\s+/)[0] ?? '').toUpperCase(),
      'api-key': this.apiKey,
      'message-timestamp': now.toISOString().slice(0, 19).replace('T', ' '),
      timestamp: String(Math.floor(now.getTime() / 1000)),
      nonce: randomUUID(),
    };
    if (sms.signature !== 'none') {
      const secret = sms.signature === 'forged' ? `${this.secret}-forged` : this.secret;
      params.sig = signVonageParams(params, secret, this.method);
    }
    this.sender.post({
      provider: 'vonage',
      url: sms.url ?? `${this.baseUrl}/webhooks/vonage/inbound`,
      contentType: 'application/json',
      body: JSON.stringify(params),
    });
    return { id, sent: true };
  }
}
