import { Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { AppConfig } from '../../config/app-config';
import { isPlausibleNumber, magicRejection, recipientRejection } from '../magic-numbers';
import { ReceiptOutcome, SandboxFaults } from '../sandbox.faults';
import { twilioSid } from '../sandbox.ids';
import { SandboxMetrics } from '../sandbox.metrics';
import { SandboxStore, StoredMessage } from '../sandbox.store';
import { ReceiptSender } from '../receipt-sender';
import { countSegments } from '../../rendering/sms-segments';
import { TimerWheel } from '../timer-wheel';
import {
  API_VERSION,
  basicCredentials,
  field,
  parseDateFilter,
  rawDlrDate,
  renderTwilioMessage,
  twilioError,
  TwilioReply,
} from './twilio-format';
import { twilioSettings } from '../../providers/twilio/twilio.settings';

export type { TwilioReply } from './twilio-format';

type Form = Record<string, unknown>;
const MAX_BODY = 1600;
const MAX_PAGE_SIZE = 1000;
// Twilio's status word and default error code for each simulated carrier outcome.
const OUTCOME: Record<ReceiptOutcome, { status: string; errorCode?: string }> = {
  delivered: { status: 'delivered' },
  undelivered: { status: 'undelivered', errorCode: '30003' }, // unreachable handset
  failed: { status: 'failed', errorCode: '30008' }, // unknown error
  expired: { status: 'failed', errorCode: '30036' }, // validity period expired
  rejected: { status: 'undelivered', errorCode: '30007' }, // carrier filtering
};

/** Twilio's Messages resource as twilio-node 6 calls it: create, fetch, list; status callbacks. */
@Injectable()
export class TwilioApiService {
  private readonly accountSid: string;
  private readonly authToken: string;
  private readonly receiptDelayMs: number;

  constructor(
    config: AppConfig,
    private readonly store: SandboxStore,
    private readonly faults: SandboxFaults,
    private readonly wheel: TimerWheel,
    private readonly receipts: ReceiptSender,
    private readonly metrics: SandboxMetrics,
  ) {
    const twilio = config.vendor(twilioSettings);
    this.accountSid = twilio.TWILIO_ACCOUNT_SID;
    this.authToken = twilio.TWILIO_AUTH_TOKEN;
    this.receiptDelayMs = config.get('SANDBOX_RECEIPT_DELAY_MS');
  }

  /** HTTP Basic AccountSid:AuthToken, and the URL's account must be that account. */
  authenticate(pathAccountSid: string, authorization: string | undefined): TwilioReply | undefined {
    const [user, pass] = basicCredentials(authorization);
    if (user !== this.accountSid || pass !== this.authToken) {
      this.metrics.requests.inc({ provider: 'twilio', outcome: 'auth_failed' });
      return twilioError(401, 20003, 'Authenticate');
    }
    if (pathAccountSid !== this.accountSid) {
      return twilioError(
        404,
        20404,
        `The requested resource /${API_VERSION}/Accounts/${pathAccountSid} was not found`,
      );
    }
    return undefined;
  }

  create(form: Form): TwilioReply {
    const to = field(form, 'To');
    const from = field(form, 'From');
    const serviceSid = field(form, 'MessagingServiceSid');
    const body = field(form, 'Body');
    const callback = field(form, 'StatusCallback');
    const invalid = this.validate(to, from, serviceSid, body, callback);
    if (invalid) {
      this.metrics.requests.inc({ provider: 'twilio', outcome: 'rejected' });
      return invalid;
    }
    const fault = this.faults.get('twilio');
    const now = Date.now();
    const { encoding, segments } = countSegments(body!);
    const sid = twilioSid();
    const message = this.store.add({
      provider: 'twilio',
      id: sid,
      partIds: [sid],
      to: to!,
      from: from ?? '',
      body: body!,
      segments,
      encoding,
      // With only a Messaging Service, Twilio answers "accepted" and picks the sender later.
      status: from ? 'queued' : 'accepted',
      receivedAt: now,
      callbackUrl: callback,
      account: this.accountSid,
      messagingServiceSid: serviceSid,
      plannedReceipt: fault.receipt,
      plannedErrorCode: fault.receiptErrorCode?.toString(),
    });
    this.metrics.requests.inc({ provider: 'twilio', outcome: 'accepted' });
    // Both run after this request's response is written: the wheel fires on a later tick.
    this.wheel.schedule(0, () => this.advance(message, 'sent'));
    if (message.plannedReceipt !== 'none') {
      const outcome = message.plannedReceipt;
      this.wheel.schedule(this.receiptDelayMs, () => this.finish(message, outcome, message.plannedErrorCode));
    }
    return { status: 201, body: renderTwilioMessage(message) };
  }

  fetch(sid: string): TwilioReply {
    const message = this.store.get('twilio', sid);
    if (!message) {
      const path = `/${API_VERSION}/Accounts/${this.accountSid}/Messages/${sid}.json`;
      return twilioError(404, 20404, `The requested resource ${path} was not found`);
    }
    return { status: 200, body: renderTwilioMessage(message) };
  }

  /** Newest first, filtered by To/From/DateSent, in Twilio's paging envelope (next_page_uri + PageToken). */
  list(query: Form): TwilioReply {
    const to = field(query, 'To');
    const from = field(query, 'From');
    const on = parseDateFilter(field(query, 'DateSent'));
    const before = parseDateFilter(field(query, 'DateSent<'));
    const after = parseDateFilter(field(query, 'DateSent>'));
    if (on === null || before === null || after === null)
      return twilioError(400, 20001, 'Invalid DateSent filter');
    const pageSize = Math.min(Math.max(Number(field(query, 'PageSize') ?? 50) || 50, 1), MAX_PAGE_SIZE);
    const page = Math.max(Number(field(query, 'Page') ?? 0) || 0, 0);
    const token = field(query, 'PageToken');
    const beforeSeq = token?.startsWith('PA') ? Number(token.slice(2)) || undefined : undefined;

    // Twilio filters on date_sent; a message still queued is matched on when it was received.
    const predicate = (m: StoredMessage) => {
      const sent = m.sentAt ?? m.receivedAt;
      return (
        (from === undefined || m.from === from) &&
        (on === undefined || (sent >= on.dayStart && sent < on.dayStart + 86_400_000)) &&
        (before === undefined || sent <= before.at) &&
        (after === undefined || sent >= after.at)
      );
    };
    const found = this.store.newestFirst('twilio', { to, beforeSeq, limit: pageSize + 1, predicate });
    const items = found.slice(0, pageSize);
    const filters: Record<string, string> = {};
    for (const key of ['To', 'From', 'DateSent', 'DateSent<', 'DateSent>']) {
      const value = field(query, key);
      if (value !== undefined) filters[key] = value;
    }
    const base = `/${API_VERSION}/Accounts/${this.accountSid}/Messages.json`;
    const uri = (extra: Record<string, string>) =>
      `${base}?${new URLSearchParams({ ...filters, PageSize: String(pageSize), ...extra }).toString()}`;
    const start = page * pageSize;
    const next =
      found.length > pageSize
        ? uri({ Page: String(page + 1), PageToken: `PA${items[items.length - 1].seq}` })
        : null;
    return {
      status: 200,
      body: {
        first_page_uri: uri({ Page: '0' }),
        end: items.length ? start + items.length - 1 : start,
        previous_page_uri: page > 0 ? uri({ Page: '0' }) : null,
        messages: items.map((m) => renderTwilioMessage(m)),
        uri: uri(token ? { Page: String(page), PageToken: token } : { Page: String(page) }),
        page_size: pageSize,
        start,
        next_page_uri: next,
        page,
      },
    };
  }

  /**
   * A receipt on demand (control API): the final status and its callback, even a late or repeated one.
   * A Twilio message is one id whatever its parts, so the asked id is the message's.
   */
  pushReceipt(
    message: StoredMessage,
    _id: string,
    outcome: ReceiptOutcome | 'sent',
    errorCode?: string,
  ): boolean {
    if (outcome === 'sent') this.advance(message, 'sent');
    else this.finish(message, outcome, errorCode);
    return message.callbackUrl !== undefined;
  }

  renderError(status: 429 | 500): TwilioReply {
    return status === 429
      ? twilioError(429, 20429, 'Too Many Requests')
      : twilioError(500, 20500, 'An internal server error has occurred');
  }

  private validate(
    to?: string,
    from?: string,
    serviceSid?: string,
    body?: string,
    callback?: string,
  ): TwilioReply | undefined {
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!isPlausibleNumber(to))
      return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const magic = recipientRejection(to, this.faults.get('twilio').permanentNumbers, from ?? serviceSid);
    if (magic) return twilioError(400, magic.twilio.code, magic.twilio.message);
    if (!from && !serviceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (from && magicRejection(from)?.twilio.code === 21211) {
      return twilioError(400, 21212, `Invalid From Number (caller ID): ${from}`);
    }
    if (!body) return twilioError(400, 21602, 'Message body is required.');
    if (body.length > MAX_BODY) {
      return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    if (callback !== undefined && !/^https?:\/\/[^\s]+$/.test(callback)) {
      return twilioError(400, 21609, `Invalid StatusCallback url: ${callback}`);
    }
    return undefined;
  }

  private advance(message: StoredMessage, status: 'sent'): void {
    const now = Date.now();
    message.sentAt ??= now;
    // Under load the wheel can run this after the final receipt: the message stays final (a real Twilio
    // resource never goes back from delivered), while the late callback still goes out, as Twilio's may.
    if (message.finalAt === undefined) this.store.setStatus(message, status, now);
    this.callback(message, status);
  }

  private finish(message: StoredMessage, outcome: ReceiptOutcome, errorCode?: string): void {
    const mapped = OUTCOME[outcome];
    const code = outcome === 'delivered' ? undefined : (errorCode ?? mapped.errorCode);
    const now = Date.now();
    message.sentAt ??= now;
    message.finalAt = now;
    this.store.setStatus(message, mapped.status, now, code);
    this.callback(message, mapped.status, code);
  }

  /** Form POST signed exactly as Twilio signs: the SDK's own getExpectedTwilioSignature. */
  private callback(message: StoredMessage, status: string, errorCode?: string): void {
    if (!message.callbackUrl) return;
    const params: Record<string, string> = {
      MessageSid: message.id,
      SmsSid: message.id,
      AccountSid: message.account,
      From: message.from,
      To: message.to,
      MessageStatus: status,
      SmsStatus: status,
      ApiVersion: API_VERSION,
    };
    if (message.messagingServiceSid) params.MessagingServiceSid = message.messagingServiceSid;
    if (errorCode) params.ErrorCode = errorCode;
    if (status === 'delivered' || status === 'undelivered')
      params.RawDlrDoneDate = rawDlrDate(message.finalAt!);
    this.receipts.post({
      provider: 'twilio',
      url: message.callbackUrl,
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams(params).toString(),
      headers: {
        'x-twilio-signature': twilio.getExpectedTwilioSignature(this.authToken, message.callbackUrl, params),
        'user-agent': 'TwilioProxy/1.1',
      },
    });
  }
}
