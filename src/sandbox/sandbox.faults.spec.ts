import fc from 'fast-check';
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
      receiptPercent: 100,
      errorStyle: 'http',
      slowRequests: 'all',
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
    expect(messageOf(() => parseFault({ receipt: 'none', receiptPercent: 101 }))).toMatch(
      /^receiptPercent: /,
    );
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

  it("delays only sends when the slow fault says slowRequests 'send'", () => {
    const f = faults();
    f.set('twilio', parseFault({ mode: 'slow', latencyMs: 100, slowRequests: 'send' }));
    expect(f.latencyFor('twilio', 'send')).toBe(107);
    expect(f.latencyFor('twilio', 'lookup')).toBe(7);
    f.set('twilio', parseFault({ mode: 'slow', latencyMs: 100 }));
    expect(f.latencyFor('twilio', 'lookup')).toBe(107);
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
    // Every emulated provider, in the list's order.
    expect(seen).toEqual(['smpp:refuse', ...SANDBOX_PROVIDERS.map((p) => `${p}:none`)]);
  });

  it("gives a share of messages the fault's receipt and delivers the rest, decided per message", () => {
    fc.assert(
      fc.property(
        fc.constantFrom('undelivered', 'none', 'failed'),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { maxLength: 200 }),
        (receipt, percent, rolls) => {
          let i = 0;
          const f = new SandboxFaults(0, SANDBOX_PROVIDERS, () => rolls[i++]);
          f.set('twilio', parseFault({ receipt, receiptErrorCode: 30007, receiptPercent: percent }));
          const got = rolls.map(() => f.get('twilio'));
          got.forEach((fault, n) => {
            const hit = rolls[n] * 100 < percent;
            expect(fault.receipt).toBe(hit ? receipt : 'delivered');
            expect(fault.receiptErrorCode).toBe(hit ? 30007 : undefined);
          });
          // What the control API shows is the fault as set, whatever the rolls.
          expect(f.snapshot().providers.twilio).toMatchObject({ receipt, receiptPercent: percent });
        },
      ),
    );
  });

  it('applies a whole-provider receipt fault to every message without rolling', () => {
    const f = new SandboxFaults(0, SANDBOX_PROVIDERS, () => {
      throw new Error('no roll expected');
    });
    f.set('vonage', parseFault({ receipt: 'none' }));
    expect(f.get('vonage').receipt).toBe('none');
    expect(f.get('smpp').receipt).toBe('delivered');
  });
});
