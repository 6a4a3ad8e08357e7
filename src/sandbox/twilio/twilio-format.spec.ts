import { at, base, store } from '../testing/format-fixture';
import { parseDateFilter, rawDlrDate, renderTwilioMessage, rfc2822 } from './twilio-format';

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
