import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { scrubPersonalData } from './phone-mask';

// A JSON string literal in a serialised log line (escapes included).
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * Masks card and phone numbers in every string of a finished log line: the message, every nested field,
 * and what the err serializer made of an error (message, stack, a kafkajs or SDK error's request, config,
 * body and response). Scrubbing the line rather than the logged object reaches what serializers add and
 * what Nest passes in, and costs one pass over a line that is written anyway. Numbers outside strings
 * (JSON numbers: time, pid, counts) are left alone; the redact paths below cover a phone kept as a number.
 */
export function scrubLogLine(line: string): string {
  return line.replace(JSON_STRING, (literal) => (literal.length < 9 ? literal : scrubPersonalData(literal)));
}

// Structured JSON logs through pino. Callers mask what they log on purpose (maskPhone); every line is
// scrubbed as it is written (scrubLogLine) for what they log by accident, and `phone`/`to` are redacted.
export function createLogger(level: string, role: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { role, pid: process.pid },
      redact: {
        paths: ['phone', 'to', '*.phone', '*.to', 'phoneNumber', '*.phoneNumber'],
        censor: '[masked]',
      },
      hooks: { streamWrite: scrubLogLine },
    },
    destination,
  );
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
