import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app/app.module';
import { portFor } from './app/role-port';
import { isRole, ROLES } from './app/roles';
import { exitOnStartupError, serve } from './app/serve';
import { loadConfig } from './providers/provider-config';
import { ConfigError } from './config/config.schema';
import { createLogger, PinoNestLogger } from './common/logger';
import { migrate } from './database/migrate';

const COMMANDS = ['migrate'] as const;

async function main(): Promise<void> {
  const arg = process.argv[2] ?? process.env.ALERTLINE_ROLE;
  if (arg === 'sandbox') {
    // The emulator is a development tool, not a role of the product (the production build has no copy).
    throw new UsageError('The sandbox is not a role of dist/main.js; run node dist/sandbox/sandbox.main.js');
  }
  if (!isRole(arg) && !(COMMANDS as readonly string[]).includes(arg ?? '')) {
    throw new UsageError(`Unknown role "${arg ?? ''}". Use one of: ${[...ROLES, ...COMMANDS].join(', ')}`);
  }
  const config = loadConfig();
  if (arg === 'migrate') {
    await migrate(config.get('DATABASE_URL'), process.argv[3] === 'down' ? 'down' : 'up');
    return;
  }
  if (!isRole(arg)) return;
  const logger = createLogger(config.get('LOG_LEVEL'), arg);
  // node-pg-migrate holds an advisory lock, so roles starting together migrate once.
  await migrate(config.get('DATABASE_URL'));
  const app = await NestFactory.create(AppModule.forRole(arg, config, logger), {
    logger: new PinoNestLogger(logger),
    // Body parsers with a limit per route, after a 414 for over-long paths (src/common/http/body-limits.ts).
    bodyParser: false,
  });
  await serve(app, config, logger, arg, portFor(arg, config));
}

class UsageError extends Error {}

main().catch((err: unknown) =>
  exitOnStartupError(err, (e) => e instanceof ConfigError || e instanceof UsageError),
);
