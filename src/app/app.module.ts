import { DynamicModule, Module, Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { LoggerModule } from '../common/logger.module';
import { CryptoModule } from '../crypto/crypto.module';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { MetricsModule } from '../metrics/metrics.module';
import { Role } from './roles';
import { ROLE_MODULES } from './role-modules';

/** One build, one module graph per role: `npm start -- <role>` picks which features this process runs. */
@Module({})
export class AppModule {
  static forRole(role: Role, config: AppConfig, logger: Logger): DynamicModule {
    return AppModule.compose(config, logger, ROLE_MODULES[role], { database: true });
  }

  /**
   * What every process has (config, logs, metrics, health) around its features. The sandbox composes
   * its own from here, so the product's role table never imports it (the production build leaves it out).
   */
  static compose(
    config: AppConfig,
    logger: Logger,
    features: Array<Type | DynamicModule>,
    options: { database: boolean },
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        MetricsModule,
        HealthModule,
        ...(options.database ? [DatabaseModule, CryptoModule] : []),
        ...features,
      ],
    };
  }
}
