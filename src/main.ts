import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app/app.module';
import { portFor } from './app/role-port';
import { isRole, ROLES } from './app/roles';
import { AppConfig } from './config/app-config';
import { ConfigError } from './config/config.schema';
import { applyHttpLimits } from './common/http/body-limits';
import { createLogger, PinoNestLogger } from './common/logger';
import { migrate } from './database/migrate';
import { installGracefulShutdown } from './health/graceful-shutdown';

const COMMANDS = ['migrate'] as const;

async function main(): Promise<void> {
  const arg = process.argv[2] ?? process.env.ALERTLINE_ROLE;
  if (!isRole(arg) && !(COMMANDS as readonly string[]).includes(arg ?? '')) {
    throw new UsageError(`Unknown role "${arg ?? ''}". Use one of: ${[...ROLES, ...COMMANDS].join(', ')}`);
  }
  const config = AppConfig.fromEnv();
  if (arg === 'migrate') {
    await migrate(config.get('DATABASE_URL'), process.argv[3] === 'down' ? 'down' : 'up');
    return;
  }
  if (!isRole(arg)) return;
  const logger = createLogger(config.get('LOG_LEVEL'), arg);
  if (arg !== 'sandbox') {
    // node-pg-migrate holds an advisory lock, so roles starting together migrate once.
    await migrate(config.get('DATABASE_URL'));
  }
  const app = await NestFactory.create(AppModule.forRole(arg, config, logger), {
    logger: new PinoNestLogger(logger),
    // Body parsers with a limit per route, after a 414 for over-long paths (src/common/http/body-limits.ts).
    bodyParser: false,
  });
  applyHttpLimits(app, config);
  // No ETag on API answers (every webhook and sandbox reply would be hashed for a cache nobody keeps), and
  // no framework banner in the headers.
  const http = app.getHttpAdapter().getInstance() as {
    set(k: string, v: unknown): void;
    disable(k: string): void;
  };
  http.set('etag', false);
  http.disable('x-powered-by');
  const port = portFor(arg, config);
  installGracefulShutdown(app, logger, config.get('SHUTDOWN_GRACE_MS'));
  // A dependency's failure surfaces as a rejected promise somewhere nobody awaited it; that must cost the
  // operation, not the role (the first chaos run lost a dispatcher and an api this way to a restart).
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  await app.listen(port, config.get('BIND_HOST'));
  logger.info({ port }, `alertline ${arg} listening`);
}

class UsageError extends Error {}

main().catch((err: unknown) => {
  // Start-up failures name the bad setting and stop the process before it takes any traffic.
  if (err instanceof ConfigError || err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `alertline failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
