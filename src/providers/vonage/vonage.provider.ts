import { Injectable } from '@nestjs/common';
import { Auth } from '@vonage/auth';
import { SMS } from '@vonage/sms';
import { AppConfig } from '../../config/app-config';
import {
  OutboundSms,
  ProviderStatusReport,
  SendResult,
  SmsProvider,
  SentLookup,
} from '../provider.interface';
import { TransientProviderError } from '../provider.errors';
import { vonageSettings } from './vonage.settings';
import { mapVonageError, mapVonageFinalStatus, VonageMessageStatus } from './vonage.codes';

const DAY_MS = 86_400_000;
const LOOKUP_SKEW_MS = 3_600_000;

/** One row of Vonage's Message Search (`/search/message`, `/search/messages`), kebab-case as Vonage sends it. */
interface SearchItem {
  'message-id': string;
  'client-ref'?: string;
  'final-status'?: string;
  'error-code'?: string;
  status?: string;
}

/**
 * Vonage SMS API through @vonage/sms (on Node's own fetch since 1.23, hence its Node 22+). Our attempt id
 * travels as `client-ref`, so "did you take this attempt?" is answered exactly, by Message Search, without
 * matching texts. Long messages come back as one message-id per part; all are kept for DLR correlation.
 */
@Injectable()
export class VonageProvider implements SmsProvider {
  readonly name = 'vonage' as const;
  // Vonage says its message records show up "after a delay of a few minutes" (SMS API logs).
  readonly lookup: SentLookup = { by: 'reference', visibilityLagMs: 120_000 };
  private readonly sms: SMS;
  private readonly restHost: string;
  private readonly from: string;
  private readonly callback: string;

  constructor(config: AppConfig) {
    const settings = config.vendor(vonageSettings);
    this.restHost = (settings.VONAGE_BASE_URL ?? 'https://rest.nexmo.com').replace(/\/+$/, '');
    this.sms = new SMS(
      new Auth({
        apiKey: settings.VONAGE_API_KEY,
        apiSecret: settings.VONAGE_API_SECRET,
        // @vonage/auth passes privateKey to fs.existsSync even when there is none, which Node 24 reports as
        // DEP0187 on every start. SMS authenticates with key and secret; no JWT key is ever used.
        privateKey: '',
      }),
      {
        restHost: this.restHost,
        timeout: config.get('PROVIDER_TIMEOUT_MS'),
      },
    );
    this.from = settings.VONAGE_FROM;
    this.callback = `${config.get('PUBLIC_BASE_URL')}/webhooks/vonage/dlr`;
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    let messages: VonageMessageStatus[];
    try {
      const response = await this.sms.send({
        to: digits(sms.to),
        from: this.from,
        text: sms.body,
        // GSM-7 text would be sent as 'text'; anything else must be 'unicode' or Vonage mangles it.
        type: (sms.encoding === 'UCS-2' ? 'unicode' : 'text') as never,
        clientRef: sms.attemptId,
        callback: this.callback,
        statusReportReq: true,
      });
      messages = response.messages;
    } catch (err) {
      // Some parts taken and some refused: the handset may get a partial text, so this is not failed over
      // (a second provider would send the whole message again). The parts that went are recorded.
      const partial = (err as { response?: { messages?: VonageMessageStatus[] } }).response?.messages ?? [];
      if (!partial.some((m) => m.status === '0')) throw mapVonageError(err);
      messages = partial;
    }
    const partIds = messages.filter((m) => m.status === '0' && m.messageId).map((m) => m.messageId!);
    if (partIds.length === 0)
      throw new TransientProviderError('vonage', 'NO_MESSAGE_ID', 'Vonage answered without a message-id');
    return { providerMessageId: partIds[0], segments: messages.length, partIds };
  }

  /** Message Search by recipient and day (the days of `since` up to today), matched on our client-ref. */
  async findSent(sms: OutboundSms, since: Date): Promise<ProviderStatusReport | null> {
    // Search takes one UTC day at a time; an hour of slack covers clock skew around midnight.
    const days: string[] = [];
    for (let t = Date.parse(isoDay(since.getTime() - LOOKUP_SKEW_MS)); t <= Date.now(); t += DAY_MS)
      days.unshift(isoDay(t));
    for (const date of days) {
      const items = await this.search<{ items?: SearchItem[] }>('/search/messages', {
        date,
        to: digits(sms.to),
      });
      const ours = (items?.items ?? []).filter((i) => i['client-ref'] === sms.attemptId);
      if (ours.length > 0) return report(ours[0]);
    }
    return null;
  }

  async fetchStatus(providerMessageId: string): Promise<ProviderStatusReport | null> {
    const item = await this.search<SearchItem>('/search/message', { id: providerMessageId });
    return item ? report(item) : null;
  }

  /** A Message Search call; null for 404 (no such message). */
  private async search<T>(path: string, query: Record<string, string>): Promise<T | null> {
    try {
      const res = await this.sms.sendGetRequest<T>(`${this.restHost}${path}`, query);
      return res.data;
    } catch (err) {
      if ((err as { response?: { status?: number } }).response?.status === 404) return null;
      throw mapVonageError(err);
    }
  }
}

function report(item: SearchItem): ProviderStatusReport {
  const errorCode = item['error-code'] && item['error-code'] !== '0' ? item['error-code'] : undefined;
  return {
    providerMessageId: item['message-id'],
    status: mapVonageFinalStatus(item['final-status']),
    providerStatus: item['final-status'] ?? item.status ?? 'accepted',
    errorCode,
  };
}

/** Vonage takes international numbers as digits without the leading +. */
function digits(e164: string): string {
  return e164.replace(/\D/g, '');
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
