import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import { ReadinessRegistry } from './readiness.registry';

/**
 * SIGTERM/SIGINT in the order a role can be stopped under load without a 5xx or a lost piece of work:
 * readiness goes red, the HTTP server stops accepting and finishes the requests in flight, and only then
 * does Nest run the destroy hooks (Bull workers finish their jobs, the Kafka consumer commits and leaves
 * its group, the pool ends). Nest's own enableShutdownHooks runs the destroy hooks before the HTTP server
 * closes (nest-application-context.js runShutdownSequence: callDestroyHook, then dispose), so webhooks
 * still in flight met an ended pool.
 */
export function installGracefulShutdown(app: INestApplication, logger: Logger, graceMs: number): void {
  let started = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.info({ signal }, 'shutting down');
    // Past the grace period the process goes anyway: what it still holds is redelivered (Kafka from the
    // committed offset, Bull's stalled-job check, the sweeper from PostgreSQL).
    setTimeout(() => {
      logger.warn({ graceMs }, 'shutdown grace period over: exiting with work in flight');
      process.exit(1);
    }, graceMs).unref();
    void (async () => {
      app.get(ReadinessRegistry).drain();
      await closeHttp(app.getHttpServer() as Server, graceMs / 2);
      await app.close();
      logger.info('shut down');
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Stops accepting, lets requests in flight finish, then cuts the rest. */
export async function closeHttp(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const cut = setTimeout(() => server.closeAllConnections(), graceMs);
  // A keep-alive socket whose request just finished would otherwise stay open until keepAliveTimeout.
  const idle = setInterval(() => server.closeIdleConnections(), 50);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  clearInterval(idle);
  clearTimeout(cut);
}
