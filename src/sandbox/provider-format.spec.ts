import { SandboxStore } from './sandbox.store';
import { parseDateFilter, rawDlrDate, renderTwilioMessage, rfc2822 } from './twilio-format';
import { dlrParams, renderSearchItem } from './vonage-format';
import { signVonageParams, verifyVonageSignature } from '../providers/vonage/vonage-signature';

const at = Date.UTC(2024, 0, 31, 10, 5, 9);
const store = new SandboxStore(10);
const base = {
  partIds: ['ID1'],
  body: 'hi',
  segments: 1,
  encoding: 'GSM-7',
  receivedAt: at,
  plannedReceipt: 'delivered' as const,
};

describe('twilio format', () => {
  it('renders dates the way twilio-node parses them', () => {
    expect(rfc2822(at)).toBe('Wed, 31 Jan 2024 10:05:09 +0000');
    expect(rawDlrDate(at)).toBe('2401311005');
  });

  it('parses DateSent filters as a day or a time', () => {
    expect(parseDateFilter('2024-01-31')).toEqual({
      at: Date.UTC(2024, 0, 31),
      dayStart: Date.UTC(2024, 0, 31),
    });
    expect(parseDateFilter('2024-01-31T10:05:09Z')).toEqual({ at, dayStart: Date.UTC(2024, 0, 31) });
    expect(parseDateFilter(undefined)).toBeUndefined();
    expect(parseDateFilter('yesterday')).toBeNull();
  });

  it('renders a message resource with string counts and no date_sent until sent', () => {
    const m = store.add({
      ...base,
      provider: 'twilio',
      id: 'SM1',
      to: '+15005550006',
      from: '+1500',
      status: 'queued',
      account: 'AC1',
    });
    expect(renderTwilioMessage(m)).toMatchObject({
      sid: 'SM1',
      status: 'queued',
      num_segments: '1',
      date_sent: null,
      error_code: null,
      uri: '/2010-04-01/Accounts/AC1/Messages/SM1.json',
    });
  });
});

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
