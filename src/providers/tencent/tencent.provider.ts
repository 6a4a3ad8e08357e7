import http from 'node:http';
import https from 'node:https';
import { Injectable } from '@nestjs/common';
import { sms as tencentSms } from 'tencentcloud-sdk-nodejs-sms';
import type {
  DescribeSendRecordListResponse,
  PullSmsSendStatusByPhoneNumberResponse,
  SendSmsRequest,
  SendSmsResponse,
} from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_models';
import { AppConfig } from '../../config/app-config';
import {
  ClaimedMessages,
  OutboundSms,
  ProviderStatusReport,
  SendResult,
  SmsProvider,
  SentLookup,
} from '../provider.interface';
import type { RenderedTemplate } from '../../rendering/template.types';
import { CannotSendMessageError, TransientProviderError } from '../provider.errors';
import {
  mapTencentCode,
  mapTencentError,
  mapTencentReportStatus,
  mapTencentSendRecordStatus,
  TENCENT_OK,
} from './tencent.codes';
import { TENCENT_PRODUCTION_ENDPOINT, tencentSettings } from './tencent.settings';
import {
  parseTencentTemplates,
  TencentTemplateIds,
  templateIdFor,
  tencentHandsetText,
  tencentSegments,
} from './tencent.templates';

type SmsClient = InstanceType<typeof tencentSms.v20210111.Client>;

interface TencentProviderOptions {
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  signName: string;
  templates: TencentTemplateIds;
  region: string;
  /** The API's base URL: https://sms.tencentcloudapi.com, or the sandbox's http://127.0.0.1:3010/tencent. */
  endpoint: string;
  timeoutMs: number;
}

// Clock skew between Tencent's send time and ours when asking about an attempt.
const LOOKUP_SKEW_MS = 5 * 60 * 1000;
// PullSmsSendStatusByPhoneNumber reaches back 7 days, DescribeSendRecordList 72 hours.
const PULL_HORIZON_S = 7 * 86400 - 60;
const RECORD_HORIZON_S = 72 * 3600 - 60;

/**
 * Tencent Cloud SMS (API 3.0, sms 2021-01-11) through tencentcloud-sdk-nodejs-sms. Tencent sends only
 * approved templates: the alert goes as TemplateId (from TENCENT_TEMPLATES by key and locale) with its
 * params by position, under the configured signature. Our attempt id travels as SessionContext, which is
 * how "did you take this attempt?" is answered without sending again (findSent).
 */
@Injectable()
export class TencentProvider implements SmsProvider {
  readonly name = 'tencent' as const;
  // The send record list follows submission; a minute of slack for Tencent's query side.
  readonly lookup: SentLookup = { by: 'reference', visibilityLagMs: 60_000 };
  private readonly client: SmsClient;
  private readonly options: TencentProviderOptions;

  constructor(config: AppConfig) {
    const s = config.vendor(tencentSettings);
    const options = (this.options = {
      secretId: s.TENCENT_SECRET_ID,
      secretKey: s.TENCENT_SECRET_KEY,
      smsSdkAppId: s.TENCENT_SMS_SDK_APP_ID,
      signName: s.TENCENT_SIGN_NAME,
      templates: parseTencentTemplates(s.TENCENT_TEMPLATES),
      region: s.TENCENT_REGION,
      endpoint: s.TENCENT_SMS_ENDPOINT ?? TENCENT_PRODUCTION_ENDPOINT,
      timeoutMs: config.get('PROVIDER_TIMEOUT_MS'),
    });
    const url = new URL(options.endpoint);
    const secure = url.protocol === 'https:';
    this.client = new tencentSms.v20210111.Client({
      credential: { secretId: options.secretId, secretKey: options.secretKey },
      region: options.region,
      profile: {
        httpProfile: {
          // The SDK builds protocol + endpoint + "/": a path in the endpoint (the sandbox's /tencent) is kept.
          protocol: secure ? 'https://' : 'http://',
          endpoint: `${url.host}${url.pathname.replace(/\/+$/, '')}`,
          reqMethod: 'POST',
          // A backstop only: our own AbortSignal (below) ends a request at PROVIDER_TIMEOUT_MS.
          reqTimeout: Math.ceil(options.timeoutMs / 1000) + 5,
          agent: secure
            ? new https.Agent({ keepAlive: true, maxSockets: 64 })
            : new http.Agent({ keepAlive: true, maxSockets: 64 }),
        },
      },
    });
  }

  cannotCarry(template: RenderedTemplate | undefined): CannotSendMessageError | undefined {
    // Not this provider's failure nor the number's: another provider on the route may carry it.
    if (!template)
      return new CannotSendMessageError('tencent', 'NO_TEMPLATE', 'Tencent sends templates only; none given');
    if (!templateIdFor(this.options.templates, template)) {
      const which = `${template.key}:${template.locale}`;
      return new CannotSendMessageError(
        'tencent',
        'NO_TEMPLATE_ID',
        `TENCENT_TEMPLATES has no id for ${which}`,
      );
    }
    return undefined;
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    const template = sms.template;
    const templateId = template && templateIdFor(this.options.templates, template);
    if (!template || !templateId)
      throw this.cannotCarry(template) ?? new CannotSendMessageError('tencent', 'NO_TEMPLATE', 'no template');
    // What the handset shows: the signature and the template filled by position (not our body, whose
    // prefix is the bank's name). Worked out before the call: nothing may throw once Tencent has it.
    const handsetText = tencentHandsetText(this.options.signName, template);
    const request: SendSmsRequest = {
      PhoneNumberSet: [sms.to],
      SmsSdkAppId: this.options.smsSdkAppId,
      SignName: this.options.signName,
      TemplateId: templateId,
      TemplateParamSet: template.params.map((p) => p.value),
      SessionContext: sms.attemptId,
    };
    const response = await this.call<SendSmsResponse>('SendSms', request);
    const status = response.SendStatusSet?.[0];
    if (!status?.Code)
      throw new TransientProviderError('tencent', 'NO_SEND_STATUS', 'Tencent answered without a SendStatus');
    if (status.Code !== TENCENT_OK) throw mapTencentCode(status.Code, status.Message);
    if (!status.SerialNo)
      throw new TransientProviderError('tencent', 'NO_SERIAL_NO', 'Tencent answered Ok without a SerialNo');
    // Fee is what Tencent bills; our own count of the handset text stands in when it says nothing.
    const fee = Number(status.Fee);
    const segments =
      Number.isInteger(fee) && fee > 0
        ? fee
        : tencentSegments(
            handsetText ?? `【${this.options.signName}】${sms.body.replace(/^【[^】]*】/, '')}`,
          );
    return { providerMessageId: status.SerialNo, segments, handsetText };
  }

  /**
   * Asked before anything is sent again. First the number's status reports (PullSmsSendStatusByPhoneNumber)
   * matched on SessionContext = our attempt id: exact, but only once the carrier has reported and only
   * where Tencent has SessionContext in reports enabled for the app. Then the number's send records
   * (DescribeSendRecordList) since the attempt started, which list a message as soon as it is submitted but
   * carry no SessionContext: a record taken there is one no other attempt has recorded (`claimed`) and whose
   * report did not name another attempt.
   */
  async findSent(
    sms: OutboundSms,
    since: Date,
    claimed?: ClaimedMessages,
  ): Promise<ProviderStatusReport | null> {
    const from = since.getTime() - LOOKUP_SKEW_MS;
    const pulled = await this.byNumber<PullSmsSendStatusByPhoneNumberResponse>(
      'PullSmsSendStatusByPhoneNumber',
      sms.to,
      from,
      PULL_HORIZON_S,
      100,
    );
    const reports = pulled.PullSmsSendStatusSet ?? [];
    const ours = reports.find((r) => r.SessionContext === sms.attemptId && r.SerialNo);
    if (ours) {
      const status = mapTencentReportStatus(ours.ReportStatus ?? '');
      return {
        providerMessageId: ours.SerialNo!,
        status,
        providerStatus: ours.ReportStatus ?? 'SENT',
        errorCode:
          ours.ReportStatus === 'FAIL' ? (ours.Description ?? '').slice(0, 64) || undefined : undefined,
      };
    }
    const others = new Set(
      reports.filter((r) => r.SessionContext && r.SessionContext !== sms.attemptId).map((r) => r.SerialNo),
    );
    const records = await this.byNumber<DescribeSendRecordListResponse>(
      'DescribeSendRecordList',
      sms.to,
      from,
      RECORD_HORIZON_S,
      50,
    );
    const candidates = (records.SendRecordSet ?? [])
      .filter((r) => r.SerialNo && r.RequestCode === TENCENT_OK && !others.has(r.SerialNo))
      .filter((r) => (r.SendTime ?? 0) * 1000 >= from)
      .sort((a, b) => (a.SendTime ?? 0) - (b.SendTime ?? 0));
    const taken =
      claimed && candidates.length ? await claimed(candidates.map((r) => r.SerialNo!)) : new Set();
    const match = candidates.find((r) => !taken.has(r.SerialNo!));
    if (!match) return null;
    return {
      providerMessageId: match.SerialNo!,
      status: mapTencentSendRecordStatus(match.SendStatus),
      providerStatus: `SendStatus ${match.SendStatus ?? '?'}`,
      errorCode: match.StatusCode ? match.StatusCode.slice(0, 64) : undefined,
    };
  }

  /**
   * Tencent has no lookup by SerialNo alone: both of its queries are by phone number, which this call is
   * not given. Receipts come by the status callback; the sweeper's overdue check says "knows nothing final".
   */
  fetchStatus(): Promise<ProviderStatusReport | null> {
    return Promise.resolve(null);
  }

  /** A query of one number's messages from `fromMs` (at most `horizonS` back, Tencent's limit) to now. */
  private byNumber<T>(
    action: string,
    phone: string,
    fromMs: number,
    horizonS: number,
    limit: number,
  ): Promise<T> {
    const nowS = Math.floor(Date.now() / 1000);
    return this.call<T>(action, {
      PhoneNumber: phone,
      SmsSdkAppId: this.options.smsSdkAppId,
      BeginTime: Math.max(Math.floor(fromMs / 1000), nowS - horizonS),
      EndTime: nowS,
      Offset: 0,
      Limit: limit,
    });
  }

  /** One API call, ended by our own signal at PROVIDER_TIMEOUT_MS (a timeout then means "ask first"). */
  private async call<T>(action: string, request: object): Promise<T> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.options.timeoutMs);
    try {
      return (await this.client.request(action, request, { signal: abort.signal })) as T;
    } catch (err) {
      throw mapTencentError(err, abort.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }
}
