import type { FactoryProvider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { tencentSettings } from '../../providers/tencent/tencent.settings';
import { ReceiptSender } from '../receipt-sender';
import { SandboxFaults } from '../sandbox.faults';
import { SandboxMetrics } from '../sandbox.metrics';
import { SandboxStore } from '../sandbox.store';
import { TimerWheel } from '../timer-wheel';
import { TencentApiService } from './tencent-api.service';

/**
 * The Tencent emulator, built from the product's own settings: the same SecretId/SecretKey, SmsSdkAppId,
 * signature and TemplateIds; status reports go to the product's callback URL with its token, as the
 * account's callback setting in Tencent's console would.
 */
export const tencentApiProvider: FactoryProvider<TencentApiService> = {
  provide: TencentApiService,
  inject: [AppConfig, SandboxStore, SandboxFaults, TimerWheel, ReceiptSender, SandboxMetrics],
  useFactory: (
    config: AppConfig,
    ...deps: [SandboxStore, SandboxFaults, TimerWheel, ReceiptSender, SandboxMetrics]
  ) => {
    const s = config.vendor(tencentSettings);
    const token = encodeURIComponent(s.TENCENT_CALLBACK_TOKEN);
    return new TencentApiService(
      {
        secretId: s.TENCENT_SECRET_ID,
        secretKey: s.TENCENT_SECRET_KEY,
        smsSdkAppId: s.TENCENT_SMS_SDK_APP_ID,
        signName: s.TENCENT_SIGN_NAME,
        templates: s.TENCENT_TEMPLATES,
        callbackUrl: `${config.get('PUBLIC_BASE_URL')}/webhooks/tencent/status?token=${token}`,
        receiptDelayMs: config.get('SANDBOX_RECEIPT_DELAY_MS'),
      },
      ...deps,
    );
  },
};
