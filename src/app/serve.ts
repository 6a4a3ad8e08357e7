import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { applyHttpLimits } from '../common/http/body-limits';
import { AppConfig } from '../config/app-config';
import { installGracefulShutdown } from '../health/graceful-shutdown';

/** The HTTP side every process shares (product roles and the sandbox): limits, headers, shutdown, listen. */
export async function serve(
  app: INestApplication,
  config: AppConfig,
  logger: Logger,
  name: string,
  port: number,
): Promise<void> {
  applyHttpLimits(app, config);
  // No ETag on API answers (every webhook and sandbox reply would be hashed for a cache nobody keeps), and
  // no framework banner in the headers.
  const http = app.getHttpAdapter().getInstance() as {
    set(k: string, v: unknown): void;
    disable(k: string): void;
  };
  http.set('etag', false);
  http.disable('x-powered-by');
  installGracefulShutdown(app, logger, config.get('SHUTDOWN_GRACE_MS'));
  // A dependency's failure surfaces as a rejected promise somewhere nobody awaited it; that must cost the
  // operation, not the role (the first chaos run lost a dispatcher and an api this way to a restart).
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  await app.listen(port, config.get('BIND_HOST'));
  logger.info({ port }, `alertline ${name} listening`);
}

/** Start-up failures name the bad setting and stop the process before it takes any traffic. */
export function exitOnStartupError(err: unknown, isUsageError: (err: unknown) => boolean): never {
  if (isUsageError(err)) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `alertline failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
}
