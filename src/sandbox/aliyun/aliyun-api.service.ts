import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { signedText, TemplateError } from '../../rendering/alert-template';
import type { RenderedTemplate } from '../../rendering/template.types';
import { aliyunSegments } from '../../providers/aliyun/aliyun.codes';
import type { AliyunTemplateCodes } from '../../providers/aliyun/aliyun.templates';
import { aliyunDay, aliyunTime, e164FromAliyun } from '../../providers/aliyun/aliyun.wire';
import { recipientReason } from '../magic-numbers';
import { ReceiptSender } from '../receipt-sender';
import type { EmulatedReceipts } from '../sandbox-emulator';
import { ReceiptOutcome, SandboxFaults } from '../sandbox.faults';
import { SandboxMetrics } from '../sandbox.metrics';
import { phoneKey, SandboxStore, StoredMessage } from '../sandbox.store';
import { TimerWheel } from '../timer-wheel';
import { NonceMemory, SignedRequest, verifyAcs3 } from './aliyun-signature';

export interface AliyunReply {
  status: number;
  body: Record<string, unknown>;
}

type Params = ReadonlyMap<string, string>;

/** The sandbox's Aliyun account: what Aliyun's console holds for it (credentials, signature, templates). */
export interface AliyunSandboxAccount {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templates: AliyunTemplateCodes;
  /** The console's HTTP batch push URL for SmsReport (our webhook with its secret path segment). */
  reportUrl: string;
  receiptDelayMs: number;
}
export const ALIYUN_SANDBOX_ACCOUNT = Symbol('ALIYUN_SANDBOX_ACCOUNT');

// SmsReport err_code and success for each simulated carrier outcome (carrier codes as Aliyun passes them on).
const OUTCOME: Record<ReceiptOutcome, { success: boolean; errCode: string; errMsg: string }> = {
  delivered: { success: true, errCode: 'DELIVERED', errMsg: '用户接收成功' },
  undelivered: { success: false, errCode: 'MN:0017', errMsg: '号码状态异常' },
  failed: { success: false, errCode: 'MK:0001', errMsg: '运营商网关拒绝' },
  expired: { success: false, errCode: 'EXPIRED', errMsg: '短信超时' },
  rejected: { success: false, errCode: 'REJECTD', errMsg: '运营商拒绝' },
};

/**
 * Aliyun SMS (dysmsapi 2017-05-25) as @alicloud/dysmsapi20170525 4.x calls it: POST / with the action in
 * x-acs-action, the parameters in the query string and an ACS3-HMAC-SHA256 signature, checked here with
 * the sandbox's AccessKey secret. It renders the template it is given from our own template texts (the
 * ones approved with Aliyun), keeps the exact handset text and pushes SmsReport batches to Alertline.
 */
@Injectable()
export class AliyunApiService implements EmulatedReceipts {
  private readonly templates: Map<string, { key: string; locale: RenderedTemplate['locale'] }>;
  private readonly nonces = new NonceMemory();
  /** The store's message shape is shared by every provider; the template code is Aliyun's alone. */
  private readonly templateCodes = new WeakMap<StoredMessage, string>();

  constructor(
    @Inject(ALIYUN_SANDBOX_ACCOUNT) private readonly account: AliyunSandboxAccount,
    private readonly store: SandboxStore,
    private readonly faults: SandboxFaults,
    private readonly wheel: TimerWheel,
    private readonly receipts: ReceiptSender,
    private readonly metrics: SandboxMetrics,
  ) {
    this.templates = reverse(account.templates);
  }

  /** One signed API call: the signature first, then the action. */
  handle(req: SignedRequest): AliyunReply {
    const check = verifyAcs3(req, this.account, Date.now());
    if (!check.ok) return this.refuse(check.status, check.code, check.message);
    if (!this.nonces.remember(check.nonce, Date.now()))
      return this.refuse(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    const params = new Map(req.query);
    const action = String(req.headers['x-acs-action'] ?? '');
    if (req.headers['x-acs-version'] !== '2017-05-25')
      return this.refuse(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    if (action === 'SendSms') return this.send(params);
    if (action === 'QuerySendDetails') return this.query(params);
    return this.refuse(404, 'InvalidAction.NotFound', `Specified api ${action} is not found.`);
  }

  /** http500 / http429 faults: Aliyun's own error bodies (`errorStyle: body` answers HTTP 200 with a Code). */
  renderFault(fault: 'http500' | 'http429'): AliyunReply {
    const body = this.faults.get('aliyun').errorStyle === 'body';
    if (fault === 'http429')
      return body
        ? ok({ Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发号码天级流控Permits:40' })
        : { status: 429, body: error('Throttling.User', 'Request was denied due to user flow control.') };
    return body
      ? ok({ Code: 'isp.SYSTEM_ERROR', Message: 'isp.SYSTEM_ERROR' })
      : {
          status: 503,
          body: error(
            'ServiceUnavailable',
            'The request has failed due to a temporary failure of the server.',
          ),
        };
  }

  /** An SmsReport for one message now (control API): late, repeated or with another outcome. */
  pushReceipt(
    message: StoredMessage,
    _id: string,
    outcome: ReceiptOutcome | 'sent',
    errorCode?: string,
  ): boolean {
    if (outcome === 'sent') return false; // Aliyun reports only the final word
    this.settle(message, outcome, errorCode);
    this.postReport(message);
    return true;
  }

  private send(p: Params): AliyunReply {
    const phone = p.get('PhoneNumbers') ?? '';
    const signName = p.get('SignName') ?? '';
    const code = p.get('TemplateCode') ?? '';
    const outId = p.get('OutId');
    if (!phone || !signName || !code)
      return this.reject('isv.INVALID_PARAMETERS', 'PhoneNumbers, SignName and TemplateCode are required');
    if (phone.includes(','))
      return this.reject('isv.INVALID_PARAMETERS', 'the sandbox sends to one number at a time');
    if (!/^\d{6,15}$/.test(phone)) return this.reject('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    const to = e164FromAliyun(phone);
    const refused = recipientReason(to, this.faults.get('aliyun').permanentNumbers);
    if (refused)
      return refused === 'unsubscribed'
        ? this.reject('isv.CUSTOMER_REFUSED', '用户已退订')
        : this.reject('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (signName !== this.account.signName)
      return this.reject('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    const ref = this.templates.get(code);
    if (!ref) return this.reject('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    if (outId !== undefined && outId.length > 256)
      return this.reject('isv.INVALID_PARAMETERS', 'OutId too long');
    const params = templateParams(p.get('TemplateParam'));
    if (!params) return this.reject('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    let text: string;
    try {
      text = signedText(signName, { key: ref.key, locale: ref.locale, params });
    } catch (err) {
      if (err instanceof TemplateError) return this.reject('isv.TEMPLATE_MISSING_PARAMETERS', err.message);
      throw err;
    }
    const bizId = `${randomInt(1e9, 1e10 - 1)}${randomInt(1e8, 1e9 - 1)}^0`;
    const fault = this.faults.get('aliyun');
    const message = this.store.add({
      provider: 'aliyun',
      id: bizId,
      partIds: [bizId],
      to: phoneKey(to),
      from: signName,
      body: text,
      segments: aliyunSegments(text),
      encoding: 'UCS-2',
      status: 'sending',
      clientRef: outId,
      receivedAt: Date.now(),
      callbackUrl: this.account.reportUrl,
      account: this.account.accessKeyId,
      plannedReceipt: fault.receipt,
      plannedErrorCode: fault.receiptErrorCode?.toString(),
    });
    this.templateCodes.set(message, code);
    this.metrics.requests.inc({ provider: 'aliyun', outcome: 'accepted' });
    if (message.plannedReceipt !== 'none') {
      const outcome = message.plannedReceipt;
      this.wheel.schedule(this.account.receiptDelayMs, () => {
        this.settle(message, outcome, message.plannedErrorCode);
        this.postReport(message);
      });
    }
    return ok({ Code: 'OK', Message: 'OK', BizId: bizId, RequestId: randomUUID() });
  }

  /** QuerySendDetails: one number's messages on one (Beijing) day, newest first, a page at a time. */
  private query(p: Params): AliyunReply {
    const phone = p.get('PhoneNumber') ?? '';
    const day = p.get('SendDate') ?? '';
    const pageSize = Number(p.get('PageSize'));
    const page = Number(p.get('CurrentPage'));
    const bizId = p.get('BizId');
    if (!/^\d{6,15}$/.test(phone)) return this.reject('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (!/^\d{8}$/.test(day)) return this.reject('isv.QUERY_DATE_ILLEGAL', 'SendDate must be yyyyMMdd');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50)
      return this.reject('isv.INVALID_PARAMETERS', 'PageSize must be 1 to 50');
    if (!Number.isInteger(page) || page < 1)
      return this.reject('isv.INVALID_PARAMETERS', 'CurrentPage must be 1 or more');
    const all = this.store.newestFirst('aliyun', {
      to: e164FromAliyun(phone),
      limit: 10_000,
      predicate: (m) => aliyunDay(new Date(m.receivedAt)) === day && (!bizId || m.id === bizId),
    });
    const rows = all.slice((page - 1) * pageSize, page * pageSize).map((m) => ({
      PhoneNum: phone,
      SendStatus: m.finalAt === undefined ? 1 : m.status === 'DELIVERED' ? 3 : 2,
      ErrCode: m.finalAt === undefined ? '' : (m.errorCode ?? 'DELIVERED'),
      TemplateCode: this.templateCodes.get(m) ?? '',
      Content: m.body,
      SendDate: aliyunTime(new Date(m.receivedAt)),
      ReceiveDate: m.finalAt === undefined ? '' : aliyunTime(new Date(m.finalAt)),
      OutId: m.clientRef ?? '',
    }));
    this.metrics.requests.inc({ provider: 'aliyun', outcome: 'queried' });
    return ok({
      Code: 'OK',
      Message: 'OK',
      RequestId: randomUUID(),
      TotalCount: String(all.length),
      SmsSendDetailDTOs: { SmsSendDetailDTO: rows },
    });
  }

  private settle(message: StoredMessage, outcome: ReceiptOutcome, errorCode?: string): void {
    const mapped = OUTCOME[outcome];
    message.finalAt = Date.now();
    this.store.setStatus(
      message,
      mapped.success ? 'DELIVERED' : 'FAILED',
      message.finalAt,
      mapped.success ? undefined : (errorCode ?? mapped.errCode),
    );
  }

  private postReport(message: StoredMessage): void {
    const delivered = message.status === 'DELIVERED';
    const report = {
      phone_number: message.to.startsWith('86') ? message.to.slice(2) : message.to,
      send_time: aliyunTime(new Date(message.receivedAt)),
      report_time: aliyunTime(new Date(message.finalAt ?? Date.now())),
      success: delivered,
      err_code: delivered ? 'DELIVERED' : (message.errorCode ?? 'UNDELIV'),
      err_msg: delivered ? '用户接收成功' : '用户接收失败',
      sms_size: String(message.segments),
      biz_id: message.id,
      out_id: message.clientRef ?? '',
    };
    this.receipts.post({
      provider: 'aliyun',
      url: message.callbackUrl ?? this.account.reportUrl,
      contentType: 'application/json',
      body: JSON.stringify([report]),
    });
  }

  private reject(code: string, message: string): AliyunReply {
    this.metrics.requests.inc({ provider: 'aliyun', outcome: 'rejected' });
    return ok({ Code: code, Message: message, RequestId: randomUUID() });
  }

  private refuse(status: number, code: string, message: string): AliyunReply {
    this.metrics.requests.inc({ provider: 'aliyun', outcome: 'auth_failed' });
    return { status, body: error(code, message) };
  }
}

function ok(body: Record<string, unknown>): AliyunReply {
  return { status: 200, body };
}

function error(code: string, message: string): Record<string, unknown> {
  return { Code: code, Message: message, RequestId: randomUUID(), HostId: 'dysmsapi.aliyuncs.com' };
}

/** TemplateParam: a JSON object of string values, in its own order; undefined when it is not one. */
function templateParams(raw: string | undefined): RenderedTemplate['params'] | undefined {
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== 'string')) return undefined;
  return entries.map(([name, value]) => ({ name, value: value as string }));
}

function reverse(
  codes: AliyunTemplateCodes,
): Map<string, { key: string; locale: RenderedTemplate['locale'] }> {
  const out = new Map<string, { key: string; locale: RenderedTemplate['locale'] }>();
  for (const [ref, code] of codes) {
    const [key, locale] = ref.split(':');
    out.set(code, { key, locale: locale === 'zh-CN' ? 'zh-CN' : 'en' });
  }
  return out;
}
