import type { SandboxMessage } from '../devstack/sandbox-client';
import { verifyExactlyOnce } from './bench.verify';

const alert = (i: number, status = 'DELIVERED') => ({
  transactionId: `tx-${i}`,
  status,
  phone: `+4479110000${i}`,
  body: `text ${i}`,
});
const sms = (i: number): SandboxMessage => ({
  provider: 'twilio',
  id: `SM${i}`,
  to: `+4479110000${i}`,
  body: `text ${i}`,
  segments: 1,
  receivedAt: '2026-01-01T00:00:00Z',
});
const ids = ['tx-1', 'tx-2', 'tx-3'];

describe('exactly-once verification', () => {
  it('passes when every transaction is DELIVERED and received exactly once', () => {
    const v = verifyExactlyOnce(ids, [alert(1), alert(2), alert(3)], {
      messages: [sms(3), sms(1), sms(2)],
      count: 3,
    });
    expect(v).toMatchObject({ ok: true, delivered: 3, duplicated: 0, lost: 0, unexpected: 0, problems: [] });
  });

  it('finds a duplicate send even when the totals would hide it behind a lost one', () => {
    const v = verifyExactlyOnce(ids, [alert(1), alert(2), alert(3)], {
      messages: [sms(1), sms(1), sms(2)],
      count: 3,
    });
    expect(v).toMatchObject({ ok: false, duplicated: 1, extraMessages: 1, lost: 1 });
  });

  it('reports missing alerts, alerts not delivered and messages no alert explains', () => {
    const v = verifyExactlyOnce(ids, [alert(1), alert(2, 'SENT')], {
      messages: [sms(1), sms(2), sms(7)],
      count: 3,
    });
    expect(v).toMatchObject({ ok: false, missing: 1, notDelivered: 1, unexpected: 1 });
    expect(v.problems.join('\n')).toContain('tx-3');
    expect(v.problems.join('\n')).toContain('tx-2=SENT');
  });

  it('compares totals only when the messages were too many to list', () => {
    const v = verifyExactlyOnce(ids, [alert(1), alert(2), alert(3)], { messages: null, count: 4 });
    expect(v).toMatchObject({ ok: false, matchedByText: false });
    expect(v.problems).toEqual(['the sandbox received 4 messages for 3 transactions']);
  });
});
