import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { exitOnStartupError, serve } from '../app/serve';
import { createLogger, PinoNestLogger } from '../common/logger';
import { loadConfig } from '../providers/provider-config';
import { ConfigError } from '../config/config.schema';
import { sandboxAppModule } from './sandbox.app';

// The provider emulator's own entry point (node dist/sandbox/sandbox.main.js): a development tool, kept
// out of dist/main.js so that the production build (tsconfig.build.json) holds none of it.
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.get('LOG_LEVEL'), 'sandbox');
  const app = await NestFactory.create(sandboxAppModule(config, logger), {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  await serve(app, config, logger, 'sandbox', config.get('SANDBOX_PORT'));
}

main().catch((err: unknown) => exitOnStartupError(err, (e) => e instanceof ConfigError));
