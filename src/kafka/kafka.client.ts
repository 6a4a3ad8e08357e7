import { Inject, Injectable } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { AppLogger, LOGGER } from '../common/logger.module';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** One kafkajs client per process; its logs go through pino instead of the console. */
@Injectable()
export class KafkaClient {
  readonly kafka: Kafka;

  constructor(config: AppConfig, @Inject(LOGGER) logger: AppLogger) {
    const log = logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: config.get('KAFKA_CLIENT_ID'),
      brokers: config.get('KAFKA_BROKERS'),
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log: entry }: LogEntry) => {
          const { message, ...extra } = entry;
          log[LEVELS[level] ?? 'info'](extra, message);
        },
      retry: { retries: 8, initialRetryTime: 200 },
    });
  }
}
