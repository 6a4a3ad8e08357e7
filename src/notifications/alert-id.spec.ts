import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { childFloor, childMonthFloor, idMonth, idMonths, newTimeId } from './alert-id';

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

  it('floors the rows hanging off alerts at their month, or the month before only in a month’s first hour', () => {
    fc.assert(
      fc.property(
        fc.array(fc.date({ min: new Date('2000-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }), {
          minLength: 1,
          maxLength: 5,
        }),
        (dates) => {
          const floor = childFloor(dates.map((d) => newTimeId(d)));
          const earliest = new Date(Math.min(...dates.map((d) => d.getTime())));
          // Never after a row written up to an hour behind the earliest alert's time, never a month early.
          const hourBefore = new Date(earliest.getTime() - 3_600_000);
          expect(floor).toBe(`${hourBefore.toISOString().slice(0, 7)}-01`);
        },
      ),
    );
    expect(childFloor([newTimeId(new Date('2026-12-07T09:00:00Z'))])).toBe('2026-12-01');
    expect(childFloor([newTimeId(new Date('2026-12-01T00:30:00Z'))])).toBe('2026-11-01');
    expect(childFloor([newTimeId(new Date()), randomUUID()])).toBeNull();
    expect(childFloor([])).toBeNull();
  });
});
