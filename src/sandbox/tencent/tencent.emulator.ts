import { tencent } from '../../providers/tencent/tencent.definition';
import type { SandboxEmulator } from '../sandbox-emulator';
import { TencentApiController } from './tencent-api.controller';
import { tencentApiProvider } from './tencent-api.provider';
import { TencentApiService } from './tencent-api.service';

/** Tencent Cloud SMS API 3.0 (TC3-signed), its two queries and its status reports. */
export const tencentEmulator: SandboxEmulator = {
  provider: tencent,
  controllers: [TencentApiController],
  services: [tencentApiProvider],
  receipts: TencentApiService,
};
