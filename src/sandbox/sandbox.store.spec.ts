import type { ProviderName } from '../config/config.schema';
import { smppMessageId, twilioSid, vonageMessageId } from './sandbox.ids';
import { NewMessage, SandboxStore } from './sandbox.store';

let n = 0;
function msg(provider: ProviderName, to: string, extra: Partial<NewMessage> = {}): NewMessage {
  n++;
  return {
    provider,
    id: `id${n}`,
    partIds: [`id${n}`],
    to,
    from: 'Bank',
    body: `body ${n}`,
    segments: 1,
    encoding: 'GSM-7',
    status: 'queued',
    receivedAt: 1000 + n,
    account: 'acct',
    plannedReceipt: 'delivered',
    ...extra,
  };
}

describe('SandboxStore', () => {
  it('finds a message by any part id, per provider', () => {
    const store = new SandboxStore(10);
    const m = store.add(msg('vonage', '+447700900001', { id: 'A', partIds: ['A', 'B', 'C'] }));
    expect(store.get('vonage', 'B')).toBe(m);
    expect(store.get('vonage', 'A')).toBe(m);
    expect(store.get('twilio', 'B')).toBeUndefined();
  });

  it('records status history', () => {
    const store = new SandboxStore(10);
    const m = store.add(msg('twilio', '+15005550006'));
    store.setStatus(m, 'sent', 2000);
    store.setStatus(m, 'undelivered', 2050, '30003');
    expect(m.status).toBe('undelivered');
    expect(m.history.map((h) => h.status)).toEqual(['queued', 'sent', 'undelivered']);
    expect(m.history[2].errorCode).toBe('30003');
  });

  it('evicts the oldest beyond its limit, from every index and count', () => {
    const store = new SandboxStore(3);
    const first = store.add(msg('twilio', '+15005550006'));
    store.add(msg('smpp', '+15005550006'));
    store.add(msg('twilio', '+447700900002'));
    store.add(msg('twilio', '+15005550006'));
    expect(store.count()).toBe(3);
    expect(store.count('twilio')).toBe(2);
    expect(store.get('twilio', first.id)).toBeUndefined();
    expect(store.list({ to: '15005550006' }, 100).map((m) => m.provider)).toEqual(['smpp', 'twilio']);
  });

  it('keeps per-recipient lists right through many evictions of one number', () => {
    const store = new SandboxStore(50);
    for (let i = 0; i < 5000; i++) store.add(msg('twilio', '+15005550006'));
    const listed = store.list({ to: '+15005550006' }, 1000);
    expect(listed).toHaveLength(50);
    expect(listed[49].seq - listed[0].seq).toBe(49);
  });

  it('lists oldest first with filters, keeping the newest when limited', () => {
    const store = new SandboxStore(10);
    store.add(msg('twilio', '+15005550006', { receivedAt: 10 }));
    store.add(msg('vonage', '+15005550006', { receivedAt: 20 }));
    store.add(msg('twilio', '+15005550007', { receivedAt: 30 }));
    store.add(msg('twilio', '+15005550006', { receivedAt: 40 }));
    expect(store.list({ provider: 'twilio' }, 2).map((m) => m.receivedAt)).toEqual([30, 40]);
    expect(store.list({ provider: 'twilio', since: 30 }, 10).map((m) => m.receivedAt)).toEqual([30, 40]);
    expect(store.list({ to: '1 500 555 0006' }, 10).map((m) => m.receivedAt)).toEqual([10, 20, 40]);
  });

  it('pages newest first with a cursor', () => {
    const store = new SandboxStore(10);
    const all = [1, 2, 3, 4, 5].map(() => store.add(msg('twilio', '+15005550006')));
    const seqs = (list: Array<{ seq: number }>) => list.map((m) => m.seq);
    const page1 = store.newestFirst('twilio', { to: '+15005550006', limit: 2 });
    expect(seqs(page1)).toEqual(seqs([all[4], all[3]]));
    const page2 = store.newestFirst('twilio', { limit: 2, beforeSeq: page1[1].seq });
    expect(seqs(page2)).toEqual(seqs([all[2], all[1]]));
    const page3 = store.newestFirst('twilio', { to: '15005550006', limit: 2, beforeSeq: page2[1].seq });
    expect(seqs(page3)).toEqual(seqs([all[0]]));
  });

  it('clears', () => {
    const store = new SandboxStore(10);
    store.add(msg('smpp', '+15005550006'));
    store.clear();
    expect(store.count()).toBe(0);
    expect(store.list({}, 10)).toEqual([]);
  });
});

describe('sandbox ids', () => {
  it('have each vendor shape and do not repeat', () => {
    const sids = new Set(Array.from({ length: 5000 }, () => twilioSid()));
    expect(sids.size).toBe(5000);
    for (const sid of [...sids].slice(0, 50)) expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(vonageMessageId()).toMatch(/^[0-9A-F]{16}$/);
    expect(smppMessageId()).toMatch(/^[0-9A-F]{16}$/);
  });
});
