import type { ProviderDefinition } from '../provider-definition';
import { AliyunReportWebhook } from './aliyun-report.webhook';
import { aliyunReportOperation } from './aliyun.openapi';
import { AliyunProvider } from './aliyun.provider';
import { ALIYUN_REPORT_ACK } from './aliyun.receipts';
import { aliyunSettings } from './aliyun.settings';

export const aliyun: ProviderDefinition = {
  name: 'aliyun',
  settings: aliyunSettings,
  adapter: AliyunProvider,
  // One SmsReport per message, whatever its parts (sms_size says how many were billed).
  receiptsPerPart: false,
  webhooks: {
    report: {
      handler: AliyunReportWebhook,
      reply: { status: 200, body: ALIYUN_REPORT_ACK },
      openapi: aliyunReportOperation,
    },
  },
};
