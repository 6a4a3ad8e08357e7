import type { ChaosAlert } from './chaos.database';
import { baselineBacklog, recoverySeconds, Sample } from './chaos.monitor';
import { ChaosUsageError, parseChaosArgs } from './chaos.options';
import { explainDuplicate, verifyStep } from './chaos.verify';
import type { SandboxMessage } from '../devstack/sandbox-client';

const alert = (id: string, status: string, attempts: string[] = ['twilio:ACCEPTED']): ChaosAlert => ({
  transactionId: id,
  status,
  overdue: false,
  phone: `+4474000000${id.slice(-2)}`,
  body: `text ${id}`,
  lateMs: -1000,
  attempts,
});
const sms = (a: ChaosAlert, provider = 'twilio'): SandboxMessage => ({
  provider,
  id: `m-${a.transactionId}`,
  // SMPP and Vonage carry the number without '+'.
  to: provider === 'twilio' ? a.phone! : a.phone!.slice(1),
  body: a.body!,
  segments: 1,
  receivedAt: new Date(0).toISOString(),
});

describe('verifyStep', () => {
  it('counts lost, non-final, duplicates (explained or not) and matches numbers with or without +', () => {
    const ok = alert('tx01', 'DELIVERED');
    const viaSmpp = alert('tx02', 'DELIVERED', ['smpp:ACCEPTED']);
    const sentNoSms = alert('tx03', 'DELIVERED');
    const pending = alert('tx04', 'SENT');
    const explained = alert('tx05', 'DELIVERED', ['twilio:NOT_SENT:TIMEOUT', 'smpp:ACCEPTED']);
    const unexplained = alert('tx06', 'DELIVERED', ['twilio:ACCEPTED']);
    const expired = { ...alert('tx07', 'EXPIRED', ['twilio:FAILED:HTTP_500']), lateMs: 50 };
    const flagged = { ...alert('tx08', 'SENT'), overdue: true };
    const alerts = [ok, viaSmpp, sentNoSms, pending, explained, unexplained, expired, flagged];
    const messages = [
      sms(ok),
      sms(viaSmpp, 'smpp'),
      sms(pending),
      sms(explained, 'twilio'),
      sms(explained, 'smpp'),
      sms(unexplained),
      sms(unexplained),
      sms(flagged),
    ];
    const v = verifyStep([...alerts.map((a) => a.transactionId), 'tx99'], alerts, messages);
    expect(v).toMatchObject({
      published: 9,
      lost: 2, // tx99 has no alert; tx03 says DELIVERED but no provider got it
      nonFinal: 1,
      overdue: 1,
      duplicates: 2,
      explainedDuplicates: 1,
      notDelivered: { EXPIRED: 1 },
      pastDeadline: 1,
    });
  });

  it('explains a duplicate only by an attempt whose outcome was unknown before the accepted one', () => {
    expect(explainDuplicate(alert('a', 'DELIVERED', ['twilio:FAILED:TIMEOUT', 'vonage:ACCEPTED']))).toMatch(
      /twilio:FAILED:TIMEOUT/,
    );
    expect(
      explainDuplicate(alert('b', 'DELIVERED', ['twilio:FAILED:HTTP_500', 'vonage:ACCEPTED'])),
    ).toBeNull();
    expect(explainDuplicate(alert('c', 'DELIVERED', ['twilio:ACCEPTED', 'twilio:NOT_SENT']))).toBeNull();
  });
});

describe('recovery', () => {
  const samples: Sample[] = [
    { at: 0, published: 100, done: 95 },
    { at: 1000, published: 200, done: 190 },
    { at: 2000, published: 300, done: null },
    { at: 3000, published: 400, done: 200 },
    { at: 4000, published: 500, done: 480 },
  ];
  it('is the first readable sample after the fault ended within the threshold, from the injection', () => {
    expect(baselineBacklog(samples, 1500)).toBe(10);
    expect(recoverySeconds(samples, 1500, 2500, 30)).toBe(2.5);
    expect(recoverySeconds(samples, 1500, 2500, 10)).toBeNull();
  });
});

describe('parseChaosArgs', () => {
  it('has defaults, a smaller --quick, and names a bad option', () => {
    expect(parseChaosArgs([])).toMatchObject({ rate: 200, duration: 40, quick: false });
    expect(parseChaosArgs(['--quick'])).toMatchObject({ rate: 40, duration: 20, quick: true });
    expect(parseChaosArgs(['--only', 'a, b'])).toMatchObject({ only: ['a', 'b'] });
    expect(() => parseChaosArgs(['--rate', '0'])).toThrow(
      new ChaosUsageError('--rate: must be between 1 and 5000, got 0'),
    );
    expect(() => parseChaosArgs(['--duration', 'x'])).toThrow(/--duration: expected a whole number/);
  });
});
