import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { AppConfig } from '../../config/app-config';
import { twilioSettings } from '../../providers/twilio/twilio.settings';
import { ReceiptSender } from '../receipt-sender';
import type { EmulatedInbound, SandboxInbound } from '../sandbox-emulator';

/** Twilio's incoming-message webhook: a form POST signed with X-Twilio-Signature, as Twilio sends it. */
@Injectable()
export class TwilioInboundSender implements EmulatedInbound {
  private readonly accountSid: string;
  private readonly authToken: string;
  private readonly baseUrl: string;

  constructor(
    config: AppConfig,
    private readonly sender: ReceiptSender,
  ) {
    this.accountSid = config.vendor(twilioSettings).TWILIO_ACCOUNT_SID;
    this.authToken = config.vendor(twilioSettings).TWILIO_AUTH_TOKEN;
    this.baseUrl = config.get('PUBLIC_BASE_URL');
  }

  sendInbound(sms: SandboxInbound): { id: string; sent: boolean } {
    const id = `SM${randomBytes(16).toString('hex')}`;
    const url = sms.url ?? `${this.baseUrl}/webhooks/twilio/inbound`;
    const params: Record<string, string> = {
      MessageSid: id,
      SmsSid: id,
      SmsMessageSid: id,
      AccountSid: this.accountSid,
      From: sms.from,
      To: sms.to,
      Body: sms.text,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    const token = sms.signature === 'forged' ? `${this.authToken}-forged` : this.authToken;
    const headers: Record<string, string> = { 'user-agent': 'TwilioProxy/1.1' };
    if (sms.signature !== 'none')
      headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(token, url, params);
    this.sender.post({
      provider: 'twilio',
      url,
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams(params).toString(),
      headers,
    });
    return { id, sent: true };
  }
}
