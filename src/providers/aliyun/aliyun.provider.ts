import Dysmsapi, {
  QuerySendDetailsRequest,
  QuerySendDetailsResponseBodySmsSendDetailDTOsSmsSendDetailDTO as SendDetail,
  SendSmsRequest,
} from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { signedText } from '../../rendering/alert-template';
import {
  OutboundSms,
  ProviderStatusReport,
  SendResult,
  SentMessageRef,
  SmsProvider,
} from '../provider.interface';
import { TransientProviderError } from '../provider.errors';
import { aliyunSegments, mapAliyunCode, mapAliyunError, mapAliyunSendStatus } from './aliyun.codes';
import { AliyunTemplateCodes, templateCode } from './aliyun.templates';
import { ALIYUN_PRODUCTION_ENDPOINT, aliyunSettings } from './aliyun.settings';
import { aliyunDay, aliyunPhone, sdkEndpoint } from './aliyun.wire';

interface AliyunProviderOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templates: AliyunTemplateCodes;
  /** http(s)://host[:port] */
  endpoint: string;
  timeoutMs: number;
}

const DAY_MS = 86_400_000;
// QuerySendDetails answers at most 50 rows a page and keeps 30 days.
const PAGE_SIZE = 50;
const MAX_PAGES = 20;
const MAX_LOOKUP_DAYS = 30;

/**
 * Aliyun SMS (dysmsapi 2017-05-25) through its own SDK. Aliyun sends only approved templates: the alert
 * goes as TemplateCode + TemplateParam with the registered SignName, and the handset shows 【SignName】
 * plus the filled template, which is what this adapter reports (and what segments are counted on).
 *
 * Our attempt id travels as OutId and is the message id we keep: QuerySendDetails returns OutId but not
 * BizId, and every SmsReport carries both, so OutId is the one id that the send, the lookup after a lost
 * answer, the sweeper's poll and the receipt all share.
 */
@Injectable()
export class AliyunProvider implements SmsProvider {
  readonly name = 'aliyun' as const;
  private readonly client: Dysmsapi;
  private readonly runtime: RuntimeOptions;
  private readonly options: AliyunProviderOptions;

  constructor(config: AppConfig) {
    const s = config.vendor(aliyunSettings);
    this.options = {
      accessKeyId: s.ALIYUN_ACCESS_KEY_ID,
      accessKeySecret: s.ALIYUN_ACCESS_KEY_SECRET,
      signName: s.ALIYUN_SIGN_NAME,
      templates: s.ALIYUN_TEMPLATES,
      // Outside production an unset endpoint is already the sandbox's (sandboxUrls).
      endpoint: s.ALIYUN_ENDPOINT ?? ALIYUN_PRODUCTION_ENDPOINT,
      timeoutMs: config.get('PROVIDER_TIMEOUT_MS'),
    };
    const options = this.options;
    const { endpoint, protocol } = sdkEndpoint(options.endpoint);
    this.client = new Dysmsapi(
      new $OpenApiUtil.Config({
        accessKeyId: options.accessKeyId,
        accessKeySecret: options.accessKeySecret,
        endpoint,
        protocol,
      }),
    );
    // No SDK retry (it would be a blind second send); our own timeout, so a slow answer is asked about.
    this.runtime = new RuntimeOptions({
      autoretry: false,
      maxAttempts: 1,
      readTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  async send(sms: OutboundSms): Promise<SendResult> {
    const template = sms.template;
    if (!template)
      throw new TransientProviderError(
        'aliyun',
        'NO_TEMPLATE',
        'alert has no template: Aliyun sends templates only',
      );
    const code = templateCode(this.options.templates, template.key, template.locale);
    if (!code)
      throw new TransientProviderError(
        'aliyun',
        'NO_TEMPLATE_CODE',
        `ALIYUN_TEMPLATES has no ${template.key}:${template.locale}`,
      );
    const handsetText = signedText(this.options.signName, template);
    const request = new SendSmsRequest({
      phoneNumbers: aliyunPhone(sms.to),
      signName: this.options.signName,
      templateCode: code,
      // Values are strings, as Aliyun requires ({"code":"123"}, never {"code":123}).
      templateParam: JSON.stringify(Object.fromEntries(template.params.map((p) => [p.name, p.value]))),
      outId: sms.attemptId,
    });
    let body: { code?: string; message?: string; bizId?: string } | undefined;
    try {
      body = (await this.client.sendSmsWithOptions(request, this.runtime)).body;
    } catch (err) {
      throw mapAliyunError(err);
    }
    if (body?.code !== 'OK') throw mapAliyunCode(body?.code ?? 'NO_CODE', body?.message);
    return { providerMessageId: sms.attemptId, segments: aliyunSegments(handsetText), handsetText };
  }

  /** QuerySendDetails by recipient, for each day since the attempt, matched on OutId = our attempt id. */
  async findSent(sms: OutboundSms, since: Date): Promise<ProviderStatusReport | null> {
    return this.lookup(sms.attemptId, { to: sms.to, acceptedAt: since });
  }

  /** QuerySendDetails is keyed by the recipient's number and the send date. */
  readonly statusNeedsRecipient = true;

  async fetchStatus(providerMessageId: string, sent?: SentMessageRef): Promise<ProviderStatusReport | null> {
    // QuerySendDetails needs the recipient and the day: without them Aliyun cannot be asked.
    return sent ? this.lookup(providerMessageId, sent) : null;
  }

  private async lookup(outId: string, sent: SentMessageRef): Promise<ProviderStatusReport | null> {
    const now = Date.now();
    // Aliyun's days are Beijing days; an hour of slack either side covers clock skew around midnight.
    const from = Math.max(sent.acceptedAt.getTime() - 3_600_000, now - MAX_LOOKUP_DAYS * DAY_MS);
    const days = new Set<string>();
    for (let t = now + 3_600_000; t >= from; t -= DAY_MS) days.add(aliyunDay(new Date(t)));
    days.add(aliyunDay(new Date(from)));
    for (const day of days) {
      const found = await this.searchDay(aliyunPhone(sent.to), day, outId);
      if (found) return report(outId, found);
    }
    return null;
  }

  private async searchDay(phone: string, sendDate: string, outId: string): Promise<SendDetail | undefined> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      let body;
      try {
        const request = new QuerySendDetailsRequest({
          phoneNumber: phone,
          sendDate,
          pageSize: PAGE_SIZE,
          currentPage: page,
        });
        body = (await this.client.querySendDetailsWithOptions(request, this.runtime)).body;
      } catch (err) {
        throw mapAliyunError(err);
      }
      if (body?.code !== 'OK') throw mapAliyunCode(body?.code ?? 'NO_CODE', body?.message);
      const rows = body.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
      const ours = rows.find((r) => r.outId === outId);
      if (ours) return ours;
      if (rows.length < PAGE_SIZE || page * PAGE_SIZE >= Number(body.totalCount ?? 0)) return undefined;
    }
    return undefined;
  }
}

function report(outId: string, row: SendDetail): ProviderStatusReport {
  const status = mapAliyunSendStatus(row.sendStatus);
  const errorCode = row.errCode && row.errCode !== 'DELIVERED' ? row.errCode : undefined;
  return {
    providerMessageId: outId,
    status,
    providerStatus: `SendStatus ${row.sendStatus ?? '?'}`,
    errorCode,
  };
}
