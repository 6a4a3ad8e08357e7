import { PRODUCTION_ENV } from '../../test/support/production-env';
import { parseConfig } from '../providers/provider-config';
import { ConfigError } from './config.schema';

describe('parseConfig', () => {
  it('applies defaults that point at the local stack', () => {
    const config = parseConfig({});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.PROVIDERS).toEqual(['twilio', 'vonage', 'smpp', 'aliyun', 'tencent']);
    expect(config.PROVIDER_RATE_LIMITS).toEqual({
      twilio: 100,
      vonage: 50,
      smpp: 50,
      aliyun: 50,
      tencent: 50,
    });
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

  it('bounds SEND_LEASE_MS: renewable anywhere, and above twice a provider step in production', () => {
    expect(() => parseConfig({ SEND_LEASE_MS: '1500' })).toThrow(/SEND_LEASE_MS: must be at least 2000/);
    // Outside production a lease shorter than a call is allowed: renewals and the takeover wait cover it.
    expect(parseConfig({ SEND_LEASE_MS: '3000', PROVIDER_TIMEOUT_MS: '12000' }).SEND_LEASE_MS).toBe(3000);
    expect(parseConfig(PRODUCTION_ENV).SEND_LEASE_MS).toBe(60000);
    const slow = { ...PRODUCTION_ENV, PROVIDER_TIMEOUT_MS: '20000', CIRCUIT_TIMEOUT_MS: '30000' };
    // 1000 (rate-limit wait) + 30000 (the later timeout) + 1000 (lookup grace) = 32000 per step.
    expect(() => parseConfig(slow)).toThrow(
      'SEND_LEASE_MS: 60000 must be at least twice the longest provider step in production, 64000: ' +
        'PROVIDER_RATE_LIMIT_WAIT_MS 1000 + the later of PROVIDER_TIMEOUT_MS 20000 and CIRCUIT_TIMEOUT_MS ' +
        '30000 + PROVIDER_LOOKUP_GRACE_MS 1000',
    );
    expect(parseConfig({ ...slow, SEND_LEASE_MS: '64000' }).SEND_LEASE_MS).toBe(64000);
  });

  it('holds the delivery-health thresholds apart (hysteresis) and reachable, naming the setting', () => {
    const d = parseConfig({});
    expect([d.DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT, d.DELIVERY_HEALTH_RESTORE_AT_PERCENT]).toEqual([80, 90]);
    expect(d.DELIVERY_HEALTH_ROUTING).toBeUndefined();
    expect(() => parseConfig({ DELIVERY_HEALTH_RESTORE_AT_PERCENT: '80' })).toThrow(
      /DELIVERY_HEALTH_RESTORE_AT_PERCENT: 80 must be above DELIVERY_HEALTH_DEMOTE_BELOW_PERCENT \(80\)/,
    );
    expect(() => parseConfig({ DELIVERY_HEALTH_RESTORE_DELAY_SECONDS: '60' })).toThrow(
      /DELIVERY_HEALTH_RESTORE_DELAY_SECONDS: 60 must be below DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS/,
    );
    expect(() => parseConfig({ DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS: '60' })).toThrow(
      /DELIVERY_HEALTH_DEMOTE_DELAY_SECONDS: 60 must be below DELIVERY_HEALTH_RECEIPT_WAIT_SECONDS \(60\)/,
    );
    expect(() => parseConfig({ DELIVERY_HEALTH_MIN_SAMPLE: '50', DELIVERY_HEALTH_MAX_SAMPLE: '40' })).toThrow(
      /DELIVERY_HEALTH_MIN_SAMPLE: 50 must be at most DELIVERY_HEALTH_MAX_SAMPLE/,
    );
    expect(() => parseConfig({ DELIVERY_HEALTH_TRIAL_PERCENT: '0' })).toThrow(
      /DELIVERY_HEALTH_TRIAL_PERCENT/,
    );
    expect(() => parseConfig({ DELIVERY_HEALTH_WINDOW_SECONDS: '1' })).toThrow(
      /DELIVERY_HEALTH_WINDOW_SECONDS/,
    );
  });
});
