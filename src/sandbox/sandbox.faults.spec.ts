import { ControlInputError, parseFault, parseProvider, SandboxFaults } from './sandbox.faults';
import { SANDBOX_PROVIDERS } from './sandbox.emulators';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ControlInputError);
    return (e as Error).message;
  }
  throw new Error('expected a ControlInputError');
}

describe('parseFault', () => {
  it('fills defaults, so a PUT replaces the whole state', () => {
    expect(parseFault({ mode: 'http500' })).toEqual({
      mode: 'http500',
      receipt: 'delivered',
      errorStyle: 'http',
      smpp: { refuseBind: false, dropSession: false, throttle: false },
    });
    expect(parseFault({ receipt: 'none' }).mode).toBe('none');
  });

  it('accepts SMPP flags and a receipt error code', () => {
    const f = parseFault({ receipt: 'undelivered', receiptErrorCode: 30003, smpp: { throttle: true } });
    expect(f.smpp).toEqual({ refuseBind: false, dropSession: false, throttle: true });
    expect(f.receiptErrorCode).toBe(30003);
  });

  it('names the bad field', () => {
    expect(messageOf(() => parseFault({ mode: 'explode' }))).toMatch(/^mode: /);
    expect(messageOf(() => parseFault({ mode: 'slow' }))).toMatch(/latencyMs: latencyMs is required/);
    expect(messageOf(() => parseFault({ mode: 'slow', latencyMs: -1 }))).toMatch(/latencyMs: /);
    expect(messageOf(() => parseFault({ receipt: 'lost' }))).toMatch(/receipt: /);
    expect(messageOf(() => parseFault({ smpp: { refuseBind: 'yes' } }))).toMatch(/smpp\.refuseBind: /);
    expect(messageOf(() => parseFault({ colour: 'red' }))).toMatch(/colour/);
  });

  it('validates the provider name', () => {
    expect(parseProvider('vonage', SANDBOX_PROVIDERS)).toBe('vonage');
    expect(messageOf(() => parseProvider('pigeon', SANDBOX_PROVIDERS))).toMatch(/^provider: /);
  });
});

describe('SandboxFaults', () => {
  const faults = () => new SandboxFaults(7, SANDBOX_PROVIDERS);

  it('adds the global latency to a slow provider only where set', () => {
    const f = faults();
    f.set('twilio', parseFault({ mode: 'slow', latencyMs: 100 }));
    expect(f.latencyFor('twilio')).toBe(107);
    expect(f.latencyFor('vonage')).toBe(7);
  });

  it('resets every provider, and the latency to the configured one', () => {
    const f = faults();
    const seen: string[] = [];
    f.onChange((p, fault) => seen.push(`${p}:${fault.mode}`));
    f.set('smpp', parseFault({ mode: 'refuse' }));
    f.setLatency(500);
    f.reset();
    expect(f.get('smpp').mode).toBe('none');
    expect(f.latencyMs).toBe(7);
    expect(seen).toEqual(['smpp:refuse', 'twilio:none', 'vonage:none', 'smpp:none', 'tencent:none']);
  });
});
