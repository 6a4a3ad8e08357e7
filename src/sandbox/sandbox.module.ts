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
import { EMULATED_INBOUND, EMULATED_RECEIPTS, EmulatedInbound, EmulatedReceipts } from './sandbox-emulator';
import { SANDBOX_EMULATORS, SANDBOX_PROVIDERS } from './sandbox.emulators';
import { TimerWheel } from './timer-wheel';

const INBOUND_EMULATORS = SANDBOX_EMULATORS.filter((e) => e.inbound);

/**
 * Role `sandbox`: a local SMS provider emulator the real SDKs talk to over real sockets (one emulator per
 * provider, SANDBOX_EMULATORS), with faults and a record of what each provider received. Never part of a
 * production deployment; it needs no database.
 */
@Module({
  controllers: [...SANDBOX_EMULATORS.flatMap((e) => e.controllers), SandboxControlController],
  providers: [
    // Plain classes (unit-tested without Nest), built from config here.
    {
      provide: SandboxStore,
      useFactory: (c: AppConfig) => new SandboxStore(c.get('SANDBOX_STORE_LIMIT')),
      inject: [AppConfig],
    },
    {
      provide: SandboxFaults,
      useFactory: (c: AppConfig) => new SandboxFaults(c.get('SANDBOX_LATENCY_MS'), SANDBOX_PROVIDERS),
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
    ...SANDBOX_EMULATORS.flatMap((e) => e.services),
    {
      provide: EMULATED_RECEIPTS,
      inject: SANDBOX_EMULATORS.map((e) => e.receipts),
      useFactory: (...senders: EmulatedReceipts[]) =>
        new Map(SANDBOX_EMULATORS.map((e, i) => [e.provider.name, senders[i]])),
    },
    {
      provide: EMULATED_INBOUND,
      inject: INBOUND_EMULATORS.map((e) => e.inbound!),
      useFactory: (...senders: EmulatedInbound[]) =>
        new Map(INBOUND_EMULATORS.map((e, i) => [e.provider.name, senders[i]])),
    },
    SandboxControlService,
  ],
})
export class SandboxModule implements OnModuleDestroy {
  constructor(@Inject(TimerWheel) private readonly wheel: TimerWheel) {}

  onModuleDestroy(): void {
    this.wheel.stop();
  }
}
