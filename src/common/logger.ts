import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { maskCardNumbers } from './card-number';

// Structured JSON logs through pino. Phone numbers are masked by the caller (maskPhone); as a second line
// of defence every message and the listed fields pass through the PAN masker, and `phone`/`to` are redacted.
export function createLogger(level: string, role: string): Logger {
  return pino({
    level,
    base: { role, pid: process.pid },
    redact: { paths: ['phone', 'to', '*.phone', '*.to', 'phoneNumber', '*.phoneNumber'], censor: '[masked]' },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? maskCardNumbers(a) : a)) as Parameters<typeof method>,
        );
      },
    },
  });
}

/** Lets Nest's own messages go through the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
