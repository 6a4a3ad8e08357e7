import { Injectable } from '@nestjs/common';
import twilio, { Twilio } from 'twilio';
import { AppConfig } from '../../config/app-config';
import {
  ClaimedMessages,
  OutboundSms,
  ProviderStatusReport,
  SendResult,
  SmsProvider,
  SentLookup,
} from '../provider.interface';
import { mapTwilioError, mapTwilioStatus } from './twilio.codes';
import { SandboxRequestClient } from './twilio.request-client';
import { twilioSettings } from './twilio.settings';

// Clock skew between Twilio's date_created and ours when matching a message left in flight.
const LOOKUP_SKEW_MS = 5 * 60 * 1000;

@Injectable()
export class TwilioProvider implements SmsProvider {
  readonly name = 'twilio' as const;
  // A Message is created before the 201 is answered; list reads are not promised to be instant: 5 s of slack.
  readonly lookup: SentLookup = { by: 'content', visibilityLagMs: 5000 };
  private readonly client: Twilio;
  private readonly from: string;
  private readonly statusCallback: string;

  constructor(config: AppConfig) {
    const settings = config.vendor(twilioSettings);
    const baseUrl = settings.TWILIO_BASE_URL;
    const timeout = config.get('PROVIDER_TIMEOUT_MS');
    this.client = twilio(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, {
      httpClient: baseUrl ? new SandboxRequestClient(baseUrl, { timeout, keepAlive: true }) : undefined,
      timeout,
      keepAlive: true,
      autoRetry: false,
    });
    this.from = settings.TWILIO_FROM;
    this.statusCallback = `${config.get('PUBLIC_BASE_URL')}/webhooks/twilio/status`;
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    try {
      const message = await this.client.messages.create({
        to: sms.to,
        from: this.from,
        body: sms.body,
        statusCallback: this.statusCallback,
      });
      return { providerMessageId: message.sid, segments: Number(message.numSegments) || undefined };
    } catch (err) {
      throw mapTwilioError(err);
    }
  }

  /**
   * Twilio has no idempotency key: list by recipient and date and match our exact body, skipping messages
   * already recorded for other attempts (identical alerts to one phone). Two attempts in flight at once
   * may still pick the same message: the unique message id in delivery_attempts lets one of them record
   * it, and the other asks again.
   */
  async findSent(
    sms: OutboundSms,
    since: Date,
    claimed?: ClaimedMessages,
  ): Promise<ProviderStatusReport | null> {
    try {
      const messages = await this.client.messages.list({
        to: sms.to,
        dateSentAfter: new Date(since.getTime() - LOOKUP_SKEW_MS),
        limit: 50,
      });
      const candidates = messages.filter(
        (m) => m.body === sms.body && (m.dateCreated?.getTime() ?? 0) >= since.getTime() - LOOKUP_SKEW_MS,
      );
      const taken = claimed && candidates.length ? await claimed(candidates.map((m) => m.sid)) : new Set();
      const match = candidates.find((m) => !taken.has(m.sid));
      return match
        ? {
            providerMessageId: match.sid,
            status: mapTwilioStatus(match.status),
            providerStatus: match.status,
          }
        : null;
    } catch (err) {
      throw mapTwilioError(err);
    }
  }

  async fetchStatus(providerMessageId: string): Promise<ProviderStatusReport | null> {
    try {
      const m = await this.client.messages(providerMessageId).fetch();
      return {
        providerMessageId: m.sid,
        status: mapTwilioStatus(m.status),
        providerStatus: m.status,
        errorCode: m.errorCode ? String(m.errorCode) : undefined,
      };
    } catch (err) {
      const mapped = mapTwilioError(err);
      if ((err as { status?: number }).status === 404) return null;
      throw mapped;
    }
  }
}
