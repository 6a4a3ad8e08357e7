import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from './provider-config';
import { ProviderRateLimiter } from './provider-rate-limiter';

// Two limiters with their own Redis connections stand for two dispatcher processes.
describe('provider rate limit shared through Redis', () => {
  const logger = pino({ level: 'silent' });
  let a: ProviderRateLimiter;
  let b: ProviderRateLimiter;

  beforeEach(async () => {
    const config = loadConfig({
      ...process.env,
      QUEUE_PREFIX: `alertline-int-${randomUUID()}`,
      PROVIDERS: 'twilio,vonage',
      PROVIDER_RATE_LIMITS: 'twilio:5',
      PROVIDER_RATE_LIMIT_WAIT_MS: '0',
    });
    a = new ProviderRateLimiter(config, logger);
    b = new ProviderRateLimiter(config, logger);
    await Promise.all([a.onModuleInit(), b.onModuleInit()]);
  });
  afterEach(async () => {
    await a.onModuleDestroy();
    await b.onModuleDestroy();
  });

  it('lets through the configured rate in total, however the sends are spread over dispatchers', async () => {
    // The window opens with the first send and lasts a second: all ten tries fall into it.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).acquire('twilio')),
    );
    expect(results.filter(Boolean)).toHaveLength(5);
    // A provider without a configured limit is never held back.
    expect(await a.acquire('vonage')).toBe(true);
  });

  it('a throttle seen by one dispatcher holds every dispatcher back', async () => {
    expect(await b.acquire('twilio')).toBe(true);
    await a.backOff('twilio', 1000);
    expect(await b.acquire('twilio')).toBe(false);
    expect(await a.acquire('twilio')).toBe(false);
  });
});

describe('provider rate limit in blocks', () => {
  it('sends asking together share Redis calls and the total still never exceeds the rate', async () => {
    const config = loadConfig({
      ...process.env,
      QUEUE_PREFIX: `alertline-int-${randomUUID()}`,
      PROVIDERS: 'twilio',
      PROVIDER_RATE_LIMITS: 'twilio:100',
      PROVIDER_RATE_LIMIT_WAIT_MS: '0',
    });
    const logger = pino({ level: 'silent' });
    const limiters = [new ProviderRateLimiter(config, logger), new ProviderRateLimiter(config, logger)];
    await Promise.all(limiters.map((l) => l.onModuleInit()));
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => limiters[i % 2].acquire('twilio')),
      );
      const granted = results.filter(Boolean).length;
      // Blocks of at most 10: a refused block may leave up to 9 permits of the window unused.
      expect(granted).toBeLessThanOrEqual(100);
      expect(granted).toBeGreaterThanOrEqual(91);
    } finally {
      await Promise.all(limiters.map((l) => l.onModuleDestroy()));
    }
  });
});
