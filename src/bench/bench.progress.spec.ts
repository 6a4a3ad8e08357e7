import { sumSamples } from './bench.progress';

describe('metrics scraping for the progress line', () => {
  const page = [
    '# HELP alertline_notifications_total Alert state changes',
    '# TYPE alertline_notifications_total counter',
    'alertline_notifications_total{status="QUEUED",reason=""} 120',
    'alertline_notifications_total{status="SENT",reason=""} 100',
    'alertline_notifications_total{reason="x",status="SENT"} 5',
    'alertline_notifications_total{status="SENT_LATE",reason=""} 7',
    'alertline_notifications_total_created{status="SENT"} 1700000000',
    'alertline_up 1',
  ].join('\n');

  it('sums the samples of one family whose labels match exactly', () => {
    expect(sumSamples(page, 'alertline_notifications_total', { status: 'SENT' })).toBe(105);
    expect(sumSamples(page, 'alertline_notifications_total')).toBe(232);
    expect(sumSamples(page, 'alertline_up')).toBe(1);
    expect(sumSamples(page, 'alertline_missing')).toBe(0);
    expect(sumSamples('', 'alertline_notifications_total')).toBe(0);
  });
});
