import { DynamicModule, Module, Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { LoggerModule } from '../common/logger.module';
import { DatabaseModule } from '../database/database.module';
import { HealthModule } from '../health/health.module';
import { MetricsModule } from '../metrics/metrics.module';
import { refuseInProduction, Role } from './roles';
import { ROLE_MODULES } from './role-modules';

/** One build, one module graph per role: `npm start -- <role>` picks which features this process runs. */
@Module({})
export class AppModule {
  static forRole(role: Role, config: AppConfig, logger: Logger): DynamicModule {
    refuseInProduction(role, config.get('NODE_ENV'));
    const features: Array<Type | DynamicModule> = ROLE_MODULES[role];
    const needsDatabase = role !== 'sandbox';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logger),
        MetricsModule,
        HealthModule,
        ...(needsDatabase ? [DatabaseModule] : []),
        ...features,
      ],
    };
  }
}
