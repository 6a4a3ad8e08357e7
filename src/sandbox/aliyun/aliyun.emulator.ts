import { AppConfig } from '../../config/app-config';
import { aliyun } from '../../providers/aliyun/aliyun.definition';
import { aliyunSettings } from '../../providers/aliyun/aliyun.settings';
import type { SandboxEmulator } from '../sandbox-emulator';
import { AliyunApiController } from './aliyun-api.controller';
import { ALIYUN_SANDBOX_ACCOUNT, AliyunApiService, AliyunSandboxAccount } from './aliyun-api.service';

/** Aliyun SMS (dysmsapi SendSms, QuerySendDetails) and its SmsReport push. */
export const aliyunEmulator: SandboxEmulator = {
  provider: aliyun,
  controllers: [AliyunApiController],
  services: [
    // The account as Aliyun's console holds it, read from the same settings block the adapter uses.
    {
      provide: ALIYUN_SANDBOX_ACCOUNT,
      useFactory: (c: AppConfig): AliyunSandboxAccount => {
        const s = c.vendor(aliyunSettings);
        return {
          accessKeyId: s.ALIYUN_ACCESS_KEY_ID,
          accessKeySecret: s.ALIYUN_ACCESS_KEY_SECRET,
          signName: s.ALIYUN_SIGN_NAME,
          templates: s.ALIYUN_TEMPLATES,
          // The console's HTTP batch push URL: our webhook with the secret token.
          reportUrl: `${s.SANDBOX_ALIYUN_REPORT_URL ?? `${c.get('PUBLIC_BASE_URL')}/webhooks/aliyun/report`}?token=${encodeURIComponent(s.ALIYUN_RECEIPT_SECRET)}`,
          receiptDelayMs: c.get('SANDBOX_RECEIPT_DELAY_MS'),
        };
      },
      inject: [AppConfig],
    },
    AliyunApiService,
  ],
  receipts: AliyunApiService,
};
