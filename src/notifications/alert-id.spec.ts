import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { childMonthFloor, idMonth, idMonths, newTimeId } from './alert-id';

describe('time-ordered alert ids (UUIDv7)', () => {
  it('carries the UTC month it was minted in, and sorts by time', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1980-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
        (d) => {
          const id = newTimeId(d);
          expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          expect(idMonth(id)).toBe(`${d.toISOString().slice(0, 7)}-01`);
          expect(newTimeId(new Date(d.getTime() + 1)) > id).toBe(true);
        },
      ),
    );
  });

  it('names no month for a random (v4) id, nor for a set holding one', () => {
    expect(idMonth(randomUUID())).toBeNull();
    expect(idMonth('not-an-id')).toBeNull();
    const now = new Date('2026-12-31T23:59:59.999Z');
    expect(idMonths([newTimeId(now), randomUUID()])).toBeNull();
    expect(idMonths([])).toBeNull();
    expect(idMonths([newTimeId(now), newTimeId(new Date('2027-01-01T00:00:00Z')), newTimeId(now)])).toEqual([
      '2026-12-01',
      '2027-01-01',
    ]);
  });

  it('looks for what hangs off an alert from the month before its own', () => {
    expect(childMonthFloor(['2027-01-01', '2027-02-01'])).toBe('2026-12-01');
    expect(childMonthFloor(['2026-12-01'])).toBe('2026-11-01');
    expect(childMonthFloor(null)).toBeNull();
  });
});
