import { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppModule } from '../app/app.module';
import { AppConfig } from '../config/app-config';
import { ConfigError } from '../config/config.schema';
import { SandboxModule } from './sandbox.module';

/** The sandbox process's module graph: what every process has, plus the emulator; no database. */
export function sandboxAppModule(config: AppConfig, logger: Logger): DynamicModule {
  refuseInProduction(config.get('NODE_ENV'));
  return AppModule.compose(config, logger, [SandboxModule], { database: false });
}

/**
 * The sandbox answers any request with the sandbox's own credentials and never sends an SMS: in
 * production it would swallow alerts silently, so it does not start there (ConfigError, exit code 2).
 */
export function refuseInProduction(nodeEnv: string): void {
  if (nodeEnv === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  role sandbox: the provider emulator never runs under NODE_ENV=production ' +
        '(use development or test for the sandbox of a test environment)',
    );
  }
}
