import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<unknown>;

/** Each feature registers what it needs to be ready (its database, queue, Kafka consumer, SMPP bind). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): Array<[string, ReadinessCheck]> {
    return [...this.checks.entries()];
  }
}
