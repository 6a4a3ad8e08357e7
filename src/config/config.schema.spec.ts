import { ConfigError, parseConfig } from './config.schema';

describe('parseConfig', () => {
  it('applies defaults that point at the local stack', () => {
    const config = parseConfig({});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.PROVIDERS).toEqual(['twilio', 'vonage', 'smpp']);
    expect(config.PROVIDER_RATE_LIMITS).toEqual({ twilio: 100, vonage: 50, smpp: 50 });
    expect(config.API_KEYS.get('support-demo-key')).toBe('support');
  });

  it('names every bad setting', () => {
    const run = () =>
      parseConfig({ API_PORT: 'eighty', TWILIO_ACCOUNT_SID: 'XY123', PROVIDERS: 'twilio,carrier-pigeon' });
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain('API_PORT');
      expect(message).toContain('TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits');
      expect(message).toContain('PROVIDERS');
    }
  });

  it('rejects API keys without a known role', () => {
    expect(() => parseConfig({ API_KEYS: 'short:support' })).toThrow(/API_KEYS/);
    expect(() => parseConfig({ API_KEYS: 'long-enough-key:admin' })).toThrow(/API_KEYS/);
  });

  it('reads per-provider rate limits and rejects malformed ones', () => {
    expect(parseConfig({ PROVIDER_RATE_LIMITS: 'twilio:10, smpp:5' }).PROVIDER_RATE_LIMITS).toEqual({
      twilio: 10,
      smpp: 5,
    });
    expect(() => parseConfig({ PROVIDER_RATE_LIMITS: 'twilio:fast' })).toThrow(/PROVIDER_RATE_LIMITS/);
    expect(() => parseConfig({ PROVIDER_RATE_LIMITS: 'pigeon:1' })).toThrow(/PROVIDER_RATE_LIMITS/);
  });
});
