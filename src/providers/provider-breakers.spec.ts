import pino from 'pino';
import { loadConfig } from './provider-config';
import { Metrics } from '../metrics/metrics.service';
import { ProviderBreakers } from './provider-breakers';
import {
  CannotSendMessageError,
  CircuitOpenError,
  PermanentRecipientError,
  ProviderTimeoutError,
  TransientProviderError,
} from './provider.errors';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ProviderBreakers', () => {
  let metrics: Metrics;
  let breakers: ProviderBreakers;
  const gauge = async () =>
    Object.fromEntries((await metrics.circuitState.get()).values.map((v) => [v.labels.provider, v.value]));
  const fail = () => Promise.reject(new TransientProviderError('twilio', 'HTTP_500', 'boom'));

  beforeEach(() => {
    metrics = new Metrics();
    const config = loadConfig({
      PROVIDERS: 'twilio,vonage',
      CIRCUIT_VOLUME_THRESHOLD: '2',
      CIRCUIT_ERROR_THRESHOLD_PERCENT: '50',
      CIRCUIT_RESET_MS: '200',
      CIRCUIT_TIMEOUT_MS: '100',
      PROVIDER_TIMEOUT_MS: '300',
    });
    breakers = new ProviderBreakers(config, metrics, pino({ level: 'silent' }));
  });
  afterEach(() => breakers.onModuleDestroy());

  it('opens on transient failures, lets one probe through half-open, and closes when it succeeds', async () => {
    expect(await gauge()).toEqual({ twilio: 0, vonage: 0 });
    for (let i = 0; i < 2; i++) await expect(breakers.fire('twilio', fail)).rejects.toThrow('boom');
    expect(breakers.state('twilio')).toBe('open');
    expect(breakers.admit('twilio')).toBeNull();
    expect(await gauge()).toEqual({ twilio: 2, vonage: 0 });

    await sleep(250);
    expect(breakers.state('twilio')).toBe('half-open');
    expect((await gauge()).twilio).toBe(1);
    const probe = breakers.admit('twilio');
    expect(probe?.probe).toBe(true);
    expect(breakers.admit('twilio')).toBeNull();
    await expect(breakers.fire('twilio', async () => 'SM1')).resolves.toBe('SM1');
    probe!.release();
    expect(breakers.state('twilio')).toBe('closed');
    expect((await gauge()).twilio).toBe(0);
  });

  it('does not count permanent recipient errors against the breaker', async () => {
    for (let i = 0; i < 5; i++) {
      await expect(
        breakers.fire('vonage', () => Promise.reject(new PermanentRecipientError('vonage', '7', 'barred'))),
      ).rejects.toBeInstanceOf(PermanentRecipientError);
    }
    expect(breakers.state('vonage')).toBe('closed');
  });

  it('does not open on repeated cannot-send, nor keep an opened breaker open, by type not text', async () => {
    const cannot = () =>
      Promise.reject(new CannotSendMessageError('vonage', 'NO_TEMPLATE', 'boom: no template'));
    for (let i = 0; i < 10; i++)
      await expect(breakers.fire('vonage', cannot)).rejects.toBeInstanceOf(CannotSendMessageError);
    expect(breakers.state('vonage')).toBe('closed');
    expect(breakers.lastFailure('vonage')).toBeUndefined();
    // The same words in a transient error do count: the type decides.
    const transient = () => Promise.reject(new TransientProviderError('vonage', 'NO_TEMPLATE', 'boom'));
    // (opossum counts a filtered error as a success: ten of those need eleven failures to pass 50%.)
    for (let i = 0; i < 11; i++) await expect(breakers.fire('vonage', transient)).rejects.toThrow('boom');
    expect(breakers.state('vonage')).toBe('open');
    // Half-open: a cannot-send trial is not a failure, so the breaker does not go back to open.
    await sleep(250);
    expect(breakers.state('vonage')).toBe('half-open');
    await expect(breakers.fire('vonage', cannot)).rejects.toBeInstanceOf(CannotSendMessageError);
    expect(breakers.state('vonage')).not.toBe('open');
  });

  it('turns a refused call into CircuitOpenError', async () => {
    for (let i = 0; i < 2; i++) await expect(breakers.fire('twilio', fail)).rejects.toThrow();
    await expect(breakers.fire('twilio', async () => 'x')).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('after its own timeout waits for the late answer, and without one reports a provider timeout', async () => {
    await expect(breakers.fire('twilio', () => sleep(150).then(() => 'late'))).resolves.toBe('late');
    await expect(breakers.fire('twilio', () => sleep(1000).then(() => 'too late'))).rejects.toBeInstanceOf(
      ProviderTimeoutError,
    );
  });
});
