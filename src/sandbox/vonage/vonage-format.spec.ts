import { signVonageParams, verifyVonageSignature } from '../../providers/vonage/vonage-signature';
import { at, base, store } from '../testing/format-fixture';
import { dlrParams, renderSearchItem } from './vonage-format';

describe('vonage format', () => {
  it('builds DLR fields as strings that sign and verify', () => {
    const m = store.add({
      ...base,
      provider: 'vonage',
      id: 'V1',
      to: '447700900001',
      from: 'Bank',
      status: 'delivered',
      account: 'key',
      clientRef: 'a=1&b',
    });
    const params = dlrParams(m, 'V1', 'delivered', '0', at, 'nonce-1');
    expect(params).toMatchObject({
      msisdn: '447700900001',
      to: 'Bank',
      messageId: 'V1',
      scts: '2401311005',
      timestamp: String(at / 1000),
      'message-timestamp': '2024-01-31 10:05:09',
      'client-ref': 'a=1&b',
    });
    const signed = { ...params, sig: signVonageParams(params, 'secret-123', 'sha512') };
    expect(verifyVonageSignature(signed, 'secret-123', 'sha512')).toBe(true);
  });

  it('adds final-status to a search item only once final', () => {
    const m = store.add({
      ...base,
      provider: 'vonage',
      id: 'V2',
      to: '447700900002',
      from: 'Bank',
      status: 'accepted',
      account: 'key',
    });
    expect(renderSearchItem(m, 'V2')['final-status']).toBeUndefined();
    store.setStatus(m, 'failed', at + 1000, '2');
    m.finalAt = at + 1000;
    expect(renderSearchItem(m, 'V2')).toMatchObject({
      'final-status': 'UNDELIV',
      'error-code': '2',
      latency: 1000,
    });
  });
});
