import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { HistoryEvent, NotificationStatus, SkipReason } from '../notifications/notification-status';

// The page's plain words and formatting, run as the browser runs them (plain scripts, no DOM needed to
// load them), so a status or reason added to the enums without words for the console fails here.
const source = ['console.explain.js', 'console.view.js']
  .map((f) => readFileSync(join(__dirname, f), 'utf8'))
  .join('\n');
const page = runInNewContext(
  `${source}\n({ SKIP_WHY, EVENT_LABEL, explain, errorWhy, duration, gapText })`,
  {},
) as {
  SKIP_WHY: Record<string, string>;
  EVENT_LABEL: Record<string, string>;
  explain: (n: Record<string, unknown>) => string;
  errorWhy: (code: string | null, provider?: string) => string;
  duration: (ms: number) => string;
  gapText: (ms: number) => string;
};

const alert = (over: Record<string, unknown>) => ({
  status: 'QUEUED',
  skipReason: null,
  overdue: false,
  provider: 'twilio',
  lastErrorCode: null,
  deadlineAt: '2026-12-01T10:30:00Z',
  finalAt: '2026-12-01T10:00:02Z',
  ...over,
});

describe('support console plain words', () => {
  it('has words for every skip reason, status and history event', () => {
    expect(Object.keys(page.SKIP_WHY).sort()).toEqual(Object.values(SkipReason).sort());
    for (const type of [...Object.values(NotificationStatus), ...Object.values(HistoryEvent)])
      expect(page.EVENT_LABEL[type]).toEqual(expect.any(String));
  });

  it('explains every status in a sentence without a raw placeholder', () => {
    for (const status of Object.values(NotificationStatus)) {
      const text = page.explain(
        alert({ status, skipReason: status === NotificationStatus.SKIPPED ? SkipReason.NO_CONTACT : null }),
      );
      expect(text).toMatch(/^[A-Z].*\.$/);
      expect(text).not.toMatch(/undefined|null|NaN/);
    }
  });

  it('says why an alert was skipped, failed or is overdue in words an agent can read out', () => {
    expect(page.explain(alert({ status: 'SKIPPED', skipReason: 'BELOW_THRESHOLD' }))).toBe(
      'No SMS was sent because the amount is below the alert threshold the cardholder chose. This is expected; nothing will be retried.',
    );
    expect(page.explain(alert({ status: 'FAILED', lastErrorCode: '21610' }))).toBe(
      'Not sent: the provider refused it for good: the cardholder replied STOP to this sender (unsubscribed) (code 21610). It is not retried; check the number with the cardholder.',
    );
    expect(page.explain(alert({ status: 'SENT', overdue: true }))).toMatch(
      /^Sent through twilio, but no delivery receipt came within the expected time \(overdue\)\./,
    );
    expect(page.explain(alert({ status: 'EXPIRED', lastErrorCode: 'TIMEOUT' }))).toMatch(
      /given up: a late alert would confuse the cardholder \(deadline .+\)\. Last problem: the provider did not answer in time \(code TIMEOUT\)\.$/,
    );
  });

  it("reads a vendor's code in that vendor's table and shows an unknown code as it is", () => {
    expect(page.errorWhy('30003', 'twilio')).toBe(
      'the phone was switched off or out of coverage (code 30003)',
    );
    expect(page.errorWhy('6', 'vonage')).toBe('the number is invalid or cannot be routed (code 6)');
    expect(page.errorWhy('6', 'twilio')).toBe('code 6');
    expect(page.errorWhy('HTTP_503', 'vonage')).toBe('the provider had a server error (503)');
    expect(page.errorWhy(null)).toBe('');
  });

  it('writes durations and gaps short, and a step dated before the one above as earlier', () => {
    expect([0, 999, 1000, 61_000, 7_260_000].map(page.duration)).toEqual([
      '0 ms',
      '999 ms',
      '1.0 s',
      '1 min 01 s',
      '2 h 1 min',
    ]);
    expect(page.gapText(84)).toBe('+84 ms');
    expect(page.gapText(-84)).toBe('84 ms earlier');
  });
});
