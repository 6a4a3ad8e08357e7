import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { AppConfig } from '../config/app-config';
import { ProviderName } from '../config/config.schema';
import { AppLogger, LOGGER } from '../common/logger.module';
import { Metrics } from '../metrics/metrics.service';
import {
  CannotSendMessageError,
  CircuitOpenError,
  PermanentRecipientError,
  ProviderError,
  ProviderTimeoutError,
  RateLimitedError,
} from './provider.errors';

export type CircuitState = 'closed' | 'half-open' | 'open';

const GAUGE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/** Leave to go through a provider's breaker; `probe` is the one trial request of a half-open breaker. */
export interface BreakerPass {
  readonly provider: ProviderName;
  readonly probe: boolean;
  release(): void;
}

type Action = () => Promise<unknown>;

/**
 * One opossum breaker per configured provider, in this process. Permanent recipient errors, rate limits
 * and messages the provider cannot carry (CannotSendMessageError: no template for it) pass the
 * errorFilter: the provider answered, or was never asked, so they neither open the breaker nor keep it open.
 * The state gauge alertline_circuit_state is driven from the breaker's own events.
 */
@Injectable()
export class ProviderBreakers implements OnModuleDestroy {
  private readonly breakers = new Map<ProviderName, CircuitBreaker<[Action], unknown>>();
  // A half-open breaker lets one request through; this keeps every other send from recording an attempt
  // that the breaker would then refuse.
  private readonly probing = new Set<ProviderName>();
  // What made the breaker open, for the history and the reason an alert could not be sent.
  private readonly lastFailures = new Map<ProviderName, string>();
  private readonly lateAnswerMs: number;

  constructor(
    config: AppConfig,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.lateAnswerMs = config.get('PROVIDER_TIMEOUT_MS');
    for (const name of config.get('PROVIDERS')) {
      const breaker = new CircuitBreaker<[Action], unknown>((action) => action(), {
        name,
        timeout: config.get('CIRCUIT_TIMEOUT_MS'),
        errorThresholdPercentage: config.get('CIRCUIT_ERROR_THRESHOLD_PERCENT'),
        resetTimeout: config.get('CIRCUIT_RESET_MS'),
        volumeThreshold: config.get('CIRCUIT_VOLUME_THRESHOLD'),
        rollingCountTimeout: config.get('CIRCUIT_ROLLING_WINDOW_MS'),
        errorFilter: (err: unknown) =>
          err instanceof PermanentRecipientError ||
          err instanceof RateLimitedError ||
          err instanceof CannotSendMessageError,
      });
      breaker.on('failure', (err: unknown) => this.lastFailures.set(name, describe(err)));
      breaker.on('open', () => this.changed(name, 'open'));
      breaker.on('halfOpen', () => this.changed(name, 'half-open'));
      breaker.on('close', () => this.changed(name, 'closed'));
      this.breakers.set(name, breaker);
      this.metrics.circuitState.set({ provider: name }, GAUGE.closed);
    }
  }

  state(provider: ProviderName): CircuitState {
    const breaker = this.breaker(provider);
    if (breaker.opened) return 'open';
    return breaker.halfOpen ? 'half-open' : 'closed';
  }

  lastFailure(provider: ProviderName): string | undefined {
    return this.lastFailures.get(provider);
  }

  /** Null when the provider must be skipped: its breaker is open, or half-open with the probe already out. */
  admit(provider: ProviderName): BreakerPass | null {
    const state = this.state(provider);
    if (state === 'open') return null;
    if (state === 'closed') return { provider, probe: false, release: () => undefined };
    if (this.probing.has(provider)) return null;
    this.probing.add(provider);
    let released = false;
    return {
      provider,
      probe: true,
      release: () => {
        if (!released) this.probing.delete(provider);
        released = true;
      },
    };
  }

  /**
   * Runs a provider call through its breaker. When the breaker's own timeout fires first the request goes
   * on: its late answer (bounded by PROVIDER_TIMEOUT_MS) decides, and no answer is a ProviderTimeoutError,
   * which makes the caller ask the provider before sending anywhere else.
   */
  async fire<T>(provider: ProviderName, call: () => Promise<T>): Promise<T> {
    let inner: Promise<T> | undefined;
    try {
      return (await this.breaker(provider).fire(() => (inner = call()))) as T;
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      const code = (err as { code?: unknown }).code;
      if (code === 'EOPENBREAKER') throw new CircuitOpenError(provider, this.lastFailure(provider));
      if (code === 'ETIMEDOUT' && inner) return this.lateAnswer(provider, inner);
      throw err;
    }
  }

  onModuleDestroy(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
  }

  private async lateAnswer<T>(provider: ProviderName, inner: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProviderTimeoutError(provider, 'no answer within the breaker and request timeouts')),
        this.lateAnswerMs,
      );
    });
    try {
      return await Promise.race([inner, gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }

  private changed(provider: ProviderName, state: CircuitState): void {
    this.metrics.circuitState.set({ provider }, GAUGE[state]);
    const log = state === 'open' ? this.logger.warn.bind(this.logger) : this.logger.info.bind(this.logger);
    log({ provider, circuit: state }, `${provider} circuit ${state}`);
  }

  private breaker(provider: ProviderName): CircuitBreaker<[Action], unknown> {
    const breaker = this.breakers.get(provider);
    if (!breaker) throw new Error(`no circuit breaker for provider ${provider}`);
    return breaker;
  }
}

function describe(err: unknown): string {
  if (err instanceof ProviderError) return `${err.code}: ${err.message}`.slice(0, 120);
  const e = err as { code?: unknown; message?: unknown };
  return `${typeof e.code === 'string' ? e.code : 'ERROR'}: ${String(e.message ?? err)}`.slice(0, 120);
}
