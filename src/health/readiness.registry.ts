import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<unknown>;

/** Each feature registers what it needs to be ready (its database, queue, Kafka consumer, SMPP bind). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** SIGTERM: answer not-ready from now on, so a load balancer stops sending before the server closes. */
  drain(): void {
    this.register('shutdown', () => Promise.reject(new Error('shutting down')));
  }

  entries(): Array<[string, ReadinessCheck]> {
    return [...this.checks.entries()];
  }
}
