import { countSegments } from '../../rendering/sms-segments';
import {
  fillTencentTemplate,
  parseTencentTemplates,
  tencentSegments,
} from '../../providers/tencent/tencent.templates';
import { isPlausibleNumber, PermanentReason, recipientReason } from '../magic-numbers';
import { ReceiptSender } from '../receipt-sender';
import type { EmulatedReceipts } from '../sandbox-emulator';
import { ReceiptOutcome, SandboxFaults } from '../sandbox.faults';
import { SandboxMetrics } from '../sandbox.metrics';
import { phoneKey, SandboxStore, StoredMessage } from '../sandbox.store';
import { TimerWheel } from '../timer-wheel';
import { apiError, callbackItem, ok, pullItem, recordItem, serialNo, TencentReply } from './tencent-format';
import { tc3Problem, Tc3Request } from './tencent-tc3';
import { TENCENT_TEMPLATE_TEXTS } from './tencent-template-texts';

export interface TencentSandboxOptions {
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  signName: string;
  /** TENCENT_TEMPLATES: which approved template each TemplateId is. */
  templates: string;
  /** Where status reports are pushed: the account's callback URL in Tencent's console. */
  callbackUrl: string;
  receiptDelayMs: number;
}

type Params = Record<string, unknown>;

// Per-number refusals in SendStatusSet for the sandbox's magic and `permanentNumbers` recipients.
const REFUSAL: Record<PermanentReason, [string, string]> = {
  invalid: ['InvalidParameterValue.IncorrectPhoneNumber', '手机号格式错误'],
  unreachable: ['InvalidParameterValue.IncorrectPhoneNumber', '手机号格式错误'],
  'not-mobile': ['InvalidParameterValue.IncorrectPhoneNumber', '手机号格式错误'],
  unsubscribed: ['FailedOperation.PhoneNumberInBlacklist', '手机号在免打扰名单库中'],
};

/**
 * Tencent Cloud SMS API 3.0 (sms 2021-01-11) as tencentcloud-sdk-nodejs-sms calls it: POST with the action
 * in X-TC-Action, a JSON body, TC3-HMAC-SHA256 signed with the sandbox's SecretKey. Answers are HTTP 200
 * with `Response.Error` or per-number `SendStatusSet[].Code`, as Tencent's. Status reports are pushed to
 * the callback URL as Tencent's JSON array; no Tencent callback is signed.
 */
export class TencentApiService implements EmulatedReceipts {
  private readonly templateById = new Map<string, { key: string; locale: 'en' | 'zh-CN' }>();

  constructor(
    private readonly options: TencentSandboxOptions,
    private readonly store: SandboxStore,
    private readonly faults: SandboxFaults,
    private readonly wheel: TimerWheel,
    private readonly receipts: ReceiptSender,
    private readonly metrics: SandboxMetrics,
  ) {
    for (const [keyLocale, id] of parseTencentTemplates(options.templates, [])) {
      const [key, locale] = keyLocale.split(':') as [string, 'en' | 'zh-CN'];
      this.templateById.set(id, { key, locale });
    }
  }

  /** One API call; `body` is the parsed JSON, `raw` the bytes the signature covers. */
  handle(req: Tc3Request, action: string | undefined, body: Params): TencentReply {
    const problem = tc3Problem(req, this.options, Date.now());
    if (problem) {
      this.metrics.requests.inc({ provider: 'tencent', outcome: 'auth_failed' });
      return apiError(problem.code, problem.message);
    }
    switch (action) {
      case 'SendSms':
        return this.send(body);
      case 'PullSmsSendStatusByPhoneNumber':
        return this.pull(body);
      case 'DescribeSendRecordList':
        return this.records(body);
      case undefined:
      default:
        return apiError('InvalidAction', `The action ${String(action).slice(0, 64)} is not supported`);
    }
  }

  /** http500 / http429 in Tencent's words when `errorStyle` is `body`, else the bare HTTP status. */
  renderFault(fault: 'http500' | 'http429', action: string | undefined): TencentReply {
    if (this.faults.get('tencent').errorStyle === 'http')
      return { status: fault === 'http429' ? 429 : 500, body: { message: fault } };
    if (fault === 'http500') return apiError('InternalError.OtherError', '其他错误');
    if (action !== 'SendSms') return apiError('RequestLimitExceeded', '请求的次数超过了频率限制');
    return ok({
      SendStatusSet: [
        {
          SerialNo: '',
          PhoneNumber: '',
          Fee: 0,
          SessionContext: '',
          Code: 'LimitExceeded.DeliveryFrequencyLimit',
          Message: '下发短信命中了频率限制策略',
          IsoCode: 'CN',
        },
      ],
    });
  }

  /** A status report on demand (control API): late, repeated, or with another outcome. */
  pushReceipt(
    message: StoredMessage,
    _id: string,
    outcome: ReceiptOutcome | 'sent',
    errorCode?: string,
  ): boolean {
    // Tencent reports only final outcomes: there is no "sent" report to push.
    if (outcome === 'sent') return false;
    this.settle(message, outcome, errorCode);
    this.post([message]);
    return true;
  }

  private send(p: Params): TencentReply {
    const numbers = Array.isArray(p.PhoneNumberSet) ? p.PhoneNumberSet : [];
    if (numbers.length === 0) return apiError('MissingParameter.EmptyPhoneNumberSet', '传入的号码列表为空');
    if (numbers.length > 200) return apiError('LimitExceeded.PhoneNumberCountLimit', '手机号个数超过200个');
    if (p.SmsSdkAppId !== this.options.smsSdkAppId)
      return apiError('UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId 校验失败');
    if (p.SignName !== this.options.signName)
      return apiError('FailedOperation.SignatureIncorrectOrUnapproved', '签名未审批或格式错误');
    const template = this.templateById.get(String(p.TemplateId));
    const text = template && TENCENT_TEMPLATE_TEXTS[template.key]?.[template.locale];
    if (!text) return apiError('FailedOperation.TemplateIncorrectOrUnapproved', '模板未审批或内容不匹配');
    const params = Array.isArray(p.TemplateParamSet) ? p.TemplateParamSet : [];
    const wanted = new Set(text.match(/\{\d{1,2}\}/g) ?? []).size;
    if (params.length !== wanted || !params.every((v) => typeof v === 'string'))
      return apiError('FailedOperation.TemplateParamSetNotMatchApprovedTemplate', '模板参数个数不匹配');
    const context = typeof p.SessionContext === 'string' ? p.SessionContext : '';
    if (Buffer.byteLength(context) >= 512)
      return apiError('InvalidParameter', 'SessionContext 长度需小于512字节');
    const values = params;
    const handset = `【${this.options.signName}】${fillTencentTemplate(text, values)}`;
    const statuses = numbers.map((n) => this.sendOne(String(n), handset, context));
    return ok({ SendStatusSet: statuses });
  }

  private sendOne(to: string, handset: string, context: string): Record<string, unknown> {
    const base = { PhoneNumber: to, SessionContext: context, IsoCode: to.startsWith('+86') ? 'CN' : 'DEF' };
    const fault = this.faults.get('tencent');
    const reason = recipientReason(to, fault.permanentNumbers);
    const refusal = reason
      ? REFUSAL[reason]
      : isPlausibleNumber(to) && to.startsWith('+')
        ? undefined
        : REFUSAL.invalid;
    if (refusal) {
      this.metrics.requests.inc({ provider: 'tencent', outcome: 'rejected' });
      return { ...base, SerialNo: '', Fee: 0, Code: refusal[0], Message: refusal[1] };
    }
    const segments = tencentSegments(handset);
    const id = serialNo();
    const message = this.store.add({
      provider: 'tencent',
      id,
      partIds: [id],
      to: phoneKey(to),
      from: this.options.signName,
      body: handset,
      segments,
      encoding: countSegments(handset).encoding,
      status: 'accepted',
      clientRef: context || undefined,
      receivedAt: Date.now(),
      callbackUrl: this.options.callbackUrl,
      account: this.options.secretId,
      plannedReceipt: fault.receipt,
      plannedErrorCode: fault.receiptErrorCode?.toString(),
    });
    this.metrics.requests.inc({ provider: 'tencent', outcome: 'accepted' });
    if (message.plannedReceipt !== 'none') {
      const outcome = message.plannedReceipt;
      this.wheel.schedule(this.options.receiptDelayMs, () => {
        this.settle(message, outcome, message.plannedErrorCode);
        this.post([message]);
      });
    }
    return { ...base, SerialNo: id, Fee: segments, Code: 'Ok', Message: 'send success' };
  }

  private pull(p: Params): TencentReply {
    const found = this.byNumber(p, 100, (m) => m.finalAt !== undefined);
    return Array.isArray(found) ? ok({ PullSmsSendStatusSet: found.map(pullItem) }) : found;
  }

  private records(p: Params): TencentReply {
    const found = this.byNumber(p, 50);
    return Array.isArray(found)
      ? ok({ SendRecordSet: found.map(recordItem), TotalCount: found.length })
      : found;
  }

  /** One number's messages sent in [BeginTime, EndTime], newest first; or Tencent's answer to bad input. */
  private byNumber(
    p: Params,
    maxLimit: number,
    predicate: (m: StoredMessage) => boolean = () => true,
  ): StoredMessage[] | TencentReply {
    const window = this.window(p, maxLimit);
    if ('status' in window) return window;
    return this.store.newestFirst('tencent', {
      to: String(p.PhoneNumber),
      limit: window.limit,
      predicate: (m) => m.receivedAt >= window.from && m.receivedAt <= window.to && predicate(m),
    });
  }

  private window(p: Params, maxLimit: number): { from: number; to: number; limit: number } | TencentReply {
    if (p.SmsSdkAppId !== this.options.smsSdkAppId)
      return apiError('UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId 校验失败');
    if (typeof p.PhoneNumber !== 'string' || p.PhoneNumber === '')
      return apiError('MissingParameter', '缺少参数 PhoneNumber');
    if (typeof p.BeginTime !== 'number' || !Number.isInteger(p.BeginTime))
      return apiError('InvalidParameterValue.BeginTimeVerifyFail', '参数 BeginTime 校验失败');
    const end = p.EndTime === undefined ? Date.now() / 1000 : p.EndTime;
    if (typeof end !== 'number' || end < p.BeginTime)
      return apiError('InvalidParameterValue.EndTimeVerifyFail', '参数 EndTime 校验失败');
    const limit = p.Limit === undefined ? 20 : p.Limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > maxLimit)
      return apiError('InvalidParameterValue.LimitVerifyFail', '参数 Limit 校验失败');
    return { from: p.BeginTime * 1000, to: end * 1000 + 999, limit };
  }

  private settle(message: StoredMessage, outcome: ReceiptOutcome, errorCode?: string): void {
    message.finalAt = Date.now();
    this.store.setStatus(message, outcome, message.finalAt, outcome === 'delivered' ? undefined : errorCode);
  }

  private post(messages: StoredMessage[]): void {
    const url = messages[0].callbackUrl;
    if (!url) return;
    this.receipts.post({
      provider: 'tencent',
      url,
      contentType: 'application/json',
      body: JSON.stringify(messages.map((m) => callbackItem(m, m.finalAt ?? Date.now()))),
    });
  }
}
