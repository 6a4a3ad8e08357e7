import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { isPlausibleNumber, recipientRejection } from '../magic-numbers';
import { ReceiptOutcome, SandboxFaults } from '../sandbox.faults';
import { vonageMessageId } from '../sandbox.ids';
import { SandboxMetrics } from '../sandbox.metrics';
import { phoneKey, SandboxStore, StoredMessage } from '../sandbox.store';
import { ReceiptSender } from '../receipt-sender';
import { countSegments } from '../../rendering/sms-segments';
import { TimerWheel } from '../timer-wheel';
import {
  basicCredentials,
  dlrParams,
  PRICE_PER_PART,
  NETWORK,
  rejection,
  renderSearchItem,
  str,
  VonageReply,
} from './vonage-format';
import { signVonageParams, VonageSignatureMethod } from '../../providers/vonage/vonage-signature';
import { vonageSettings } from '../../providers/vonage/vonage.settings';

export type { VonageReply } from './vonage-format';

type Params = Record<string, unknown>;

// Vonage DLR status and default err-code for each simulated carrier outcome.
const OUTCOME: Record<ReceiptOutcome, { status: string; errCode: string }> = {
  delivered: { status: 'delivered', errCode: '0' },
  undelivered: { status: 'failed', errCode: '2' }, // absent subscriber (temporary)
  failed: { status: 'failed', errCode: '99' }, // general error
  expired: { status: 'expired', errCode: '2' },
  rejected: { status: 'rejected', errCode: '6' }, // anti-spam rejection
};

/**
 * Vonage's SMS API (`POST /sms/json`) as @vonage/sms 1.24 calls it: a JSON body with kebab-case keys and
 * HTTP Basic api_key:api_secret (the classic form/query api_key + api_secret is accepted too). Problems are
 * answered HTTP 200 with a non-"0" messages[].status, as Vonage does. DLRs are signed JSON POSTs.
 */
@Injectable()
export class VonageApiService {
  private readonly apiKey: string;
  private readonly apiSecret: string;
  private readonly signatureSecret: string;
  private readonly signatureMethod: VonageSignatureMethod;
  private readonly defaultDlrUrl: string;
  private readonly receiptDelayMs: number;
  private balance = 1000;

  constructor(
    config: AppConfig,
    private readonly store: SandboxStore,
    private readonly faults: SandboxFaults,
    private readonly wheel: TimerWheel,
    private readonly receipts: ReceiptSender,
    private readonly metrics: SandboxMetrics,
  ) {
    const vonage = config.vendor(vonageSettings);
    this.apiKey = vonage.VONAGE_API_KEY;
    this.apiSecret = vonage.VONAGE_API_SECRET;
    this.signatureSecret = vonage.VONAGE_SIGNATURE_SECRET;
    this.signatureMethod = vonage.VONAGE_SIGNATURE_METHOD;
    this.defaultDlrUrl = vonage.SANDBOX_VONAGE_DLR_URL;
    this.receiptDelayMs = config.get('SANDBOX_RECEIPT_DELAY_MS');
  }

  authenticated(params: Params, authorization: string | undefined): boolean {
    const [key, secret] = basicCredentials(authorization) ?? [str(params.api_key), str(params.api_secret)];
    const ok = key === this.apiKey && secret === this.apiSecret;
    if (!ok) this.metrics.requests.inc({ provider: 'vonage', outcome: 'auth_failed' });
    return ok;
  }

  send(params: Params, authorization: string | undefined): VonageReply {
    if (!this.authenticated(params, authorization)) return rejection('4', 'Bad Credentials');
    const from = str(params.from);
    const to = str(params.to);
    const text = str(params.text);
    const type = str(params.type) ?? 'text';
    const callback = str(params.callback);
    const clientRef = str(params['client-ref']);
    if (!from) return this.reject('2', 'Missing from param');
    if (!to) return this.reject('2', 'Missing to param');
    if (!text) return this.reject('2', 'Missing text param');
    if (!/^[A-Za-z0-9 ]{1,11}$/.test(from) && !/^\+?\d{1,15}$/.test(from)) {
      return this.reject('15', 'Illegal Sender Address - rejected');
    }
    if (type !== 'text' && type !== 'unicode') return this.reject('3', `Invalid type param: ${type}`);
    if (!isPlausibleNumber(to)) return this.reject('3', 'Invalid to param');
    const magic = recipientRejection(to, this.faults.get('vonage').permanentNumbers);
    if (magic) return this.reject(magic.vonage.status, magic.vonage.errorText, magic.vonage.to);
    if (callback !== undefined && !/^https?:\/\/\S+$/.test(callback))
      return this.reject('23', 'Invalid callback url');
    if (clientRef !== undefined && clientRef.length > 100) return this.reject('3', 'client-ref too long');

    // type=unicode forces UCS-2 (70/67 per part); text is GSM-7 (160/153) unless it needs UCS-2.
    const { encoding, segments } = countSegments(text, type === 'unicode');
    const partIds = Array.from({ length: segments }, () => vonageMessageId());
    const fault = this.faults.get('vonage');
    const reportRequested = !['false', '0'].includes(
      String((params['status-report-req'] as string | boolean | undefined) ?? 'true'),
    );
    const message = this.store.add({
      provider: 'vonage',
      id: partIds[0],
      partIds,
      to: phoneKey(to),
      from,
      body: text,
      segments,
      encoding,
      status: 'accepted',
      clientRef,
      receivedAt: Date.now(),
      callbackUrl: reportRequested ? (callback ?? this.defaultDlrUrl) : undefined,
      account: this.apiKey,
      plannedReceipt: fault.receipt,
      plannedErrorCode: fault.receiptErrorCode?.toString(),
    });
    this.metrics.requests.inc({ provider: 'vonage', outcome: 'accepted' });
    if (message.plannedReceipt !== 'none') {
      const outcome = message.plannedReceipt;
      this.wheel.schedule(this.receiptDelayMs, () => this.finish(message, outcome, message.plannedErrorCode));
    }
    this.balance -= PRICE_PER_PART * segments;
    return {
      status: 200,
      body: {
        'message-count': String(segments), // a string, as Vonage sends it
        messages: partIds.map((id) => ({
          to: message.to,
          'message-id': id,
          status: '0',
          'remaining-balance': this.balance.toFixed(8),
          'message-price': PRICE_PER_PART.toFixed(8),
          network: NETWORK,
          ...(clientRef !== undefined ? { 'client-ref': clientRef } : {}),
        })),
      },
    };
  }

  /** http500/http429 the Vonage way when `errorStyle` is `body`: HTTP 200 with status 5 or 1. */
  renderFault(fault: 'http500' | 'http429'): VonageReply {
    const style = this.faults.get('vonage').errorStyle;
    if (style === 'body')
      return fault === 'http429' ? rejection('1', 'Throttled') : rejection('5', 'Internal Error');
    return fault === 'http429'
      ? {
          status: 429,
          body: { type: 'https://developer.vonage.com/api-errors#throttled', title: 'Throttled' },
        }
      : {
          status: 500,
          body: { type: 'https://developer.vonage.com/api-errors#internal', title: 'Internal Error' },
        };
  }

  /** GET /search/message?id= (by the id of any part). */
  searchOne(id: string | undefined): VonageReply {
    const message = id ? this.store.get('vonage', id) : undefined;
    if (!message)
      return { status: 404, body: { 'error-code': '404', 'error-code-label': 'Message not found' } };
    return { status: 200, body: renderSearchItem(message, id!) };
  }

  /** GET /search/messages?date=YYYY-MM-DD&to= or ?ids=...: one item per part, newest first. */
  searchMany(query: Params): VonageReply {
    const ids = ([] as unknown[])
      .concat(query.ids ?? [])
      .map(String)
      .slice(0, 10);
    if (ids.length) {
      const items = ids.flatMap((id) => {
        const m = this.store.get('vonage', id);
        return m ? [renderSearchItem(m, id)] : [];
      });
      return { status: 200, body: { count: items.length, items } };
    }
    const date = str(query.date);
    const to = str(query.to);
    if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !to) {
      return {
        status: 400,
        body: { 'error-code': '400', 'error-code-label': 'date (YYYY-MM-DD) and to are required' },
      };
    }
    const day = Date.parse(`${date}T00:00:00Z`);
    const found = this.store.newestFirst('vonage', {
      to,
      limit: 1000,
      predicate: (m) => m.receivedAt >= day && m.receivedAt < day + 86_400_000,
    });
    const items = found.flatMap((m) => m.partIds.map((id) => renderSearchItem(m, id)));
    return { status: 200, body: { count: items.length, items } };
  }

  /** A DLR on demand (control API): for the given part id only, late or repeated as a test needs. */
  pushReceipt(
    message: StoredMessage,
    partId: string,
    outcome: ReceiptOutcome | 'sent',
    errorCode?: string,
  ): boolean {
    const url = message.callbackUrl ?? this.defaultDlrUrl;
    if (outcome === 'sent') {
      this.store.setStatus(message, 'accepted', Date.now());
      this.postDlr(message, partId, url, 'accepted', '0');
      return true;
    }
    this.settle(message, outcome, errorCode);
    this.postDlr(message, partId, url, message.status, message.errorCode ?? '0');
    return true;
  }

  private reject(status: string, text: string, to?: string): VonageReply {
    this.metrics.requests.inc({ provider: 'vonage', outcome: 'rejected' });
    return rejection(status, text, to);
  }

  private finish(message: StoredMessage, outcome: ReceiptOutcome, errorCode?: string): void {
    this.settle(message, outcome, errorCode);
    if (!message.callbackUrl) return;
    // Vonage reports each part of a long message separately.
    for (const id of message.partIds)
      this.postDlr(message, id, message.callbackUrl, message.status, message.errorCode!);
  }

  private settle(message: StoredMessage, outcome: ReceiptOutcome, errorCode?: string): void {
    const mapped = OUTCOME[outcome];
    message.finalAt = Date.now();
    this.store.setStatus(
      message,
      mapped.status,
      message.finalAt,
      outcome === 'delivered' ? '0' : (errorCode ?? mapped.errCode),
    );
  }

  private postDlr(
    message: StoredMessage,
    partId: string,
    url: string,
    status: string,
    errCode: string,
  ): void {
    const params = dlrParams(message, partId, status, errCode, Date.now(), randomUUID());
    params.sig = signVonageParams(params, this.signatureSecret, this.signatureMethod);
    this.receipts.post({
      provider: 'vonage',
      url,
      contentType: 'application/json',
      body: JSON.stringify(params),
    });
  }
}
