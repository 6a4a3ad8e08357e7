import { Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { AppLogger, LOGGER } from '../common/logger.module';
import { AppConfig } from '../config/app-config';
import { HttpFaultGate } from './http-fault-gate';
import { ReceiptSender } from './receipt-sender';
import { SandboxControlController } from './sandbox-control.controller';
import { SandboxControlService } from './sandbox-control.service';
import { SandboxFaults } from './sandbox.faults';
import { SandboxMetrics } from './sandbox.metrics';
import { SandboxStore } from './sandbox.store';
import { SmppSmsc } from './smpp-server';
import { TencentApiController } from './tencent/tencent-api.controller';
import { tencentApiProvider } from './tencent/tencent-api.provider';
import { TimerWheel } from './timer-wheel';
import { TwilioApiController } from './twilio-api.controller';
import { TwilioApiService } from './twilio-api.service';
import { VonageApiController } from './vonage-api.controller';
import { VonageApiService } from './vonage-api.service';

/**
 * Role `sandbox`: a local SMS provider emulator the real SDKs talk to over real sockets (Twilio REST,
 * Vonage SMS API, an SMPP SMSC), with faults and a record of what each provider received. Never part of a
 * production deployment; it needs no database.
 */
@Module({
  controllers: [TwilioApiController, VonageApiController, TencentApiController, SandboxControlController],
  providers: [
    // Plain classes (unit-tested without Nest), built from config here.
    {
      provide: SandboxStore,
      useFactory: (c: AppConfig) => new SandboxStore(c.get('SANDBOX_STORE_LIMIT')),
      inject: [AppConfig],
    },
    {
      provide: SandboxFaults,
      useFactory: (c: AppConfig) => new SandboxFaults(c.get('SANDBOX_LATENCY_MS')),
      inject: [AppConfig],
    },
    {
      provide: TimerWheel,
      useFactory: (logger: AppLogger) =>
        new TimerWheel(5, (err) => logger.error({ err }, 'sandbox timer callback failed')),
      inject: [LOGGER],
    },
    SandboxMetrics,
    ReceiptSender,
    HttpFaultGate,
    TwilioApiService,
    VonageApiService,
    SmppSmsc,
    tencentApiProvider,
    SandboxControlService,
  ],
})
export class SandboxModule implements OnModuleDestroy {
  constructor(@Inject(TimerWheel) private readonly wheel: TimerWheel) {}

  onModuleDestroy(): void {
    this.wheel.stop();
  }
}
