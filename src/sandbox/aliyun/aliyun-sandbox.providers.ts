import type { Provider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { aliyunSettings } from '../../providers/aliyun/aliyun.settings';
import { ALIYUN_SANDBOX_ACCOUNT, AliyunApiService, AliyunSandboxAccount } from './aliyun-api.service';

/** The Aliyun emulator's Nest providers: its account, read from the same settings the adapter uses. */
export const aliyunSandboxProviders: Provider[] = [
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
];
