import { DatabaseError } from 'pg';
import { failureReason, poisonOf, writeIsolatingPoison } from './poison';

const pgError = (code: string, message = 'refused') =>
  Object.assign(new DatabaseError(message, 0, 'error'), { code });

describe('poison or infrastructure', () => {
  it('takes SQLSTATE classes 22 and 23 for the rows written, everything else for infrastructure', () => {
    expect(poisonOf(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))).toEqual({
      code: 'DB_DATA_EXCEPTION',
      detail: 'SQLSTATE 22021: invalid byte sequence for encoding "UTF8": 0x00',
    });
    expect(poisonOf(pgError('23514'))?.code).toBe('DB_INTEGRITY_VIOLATION');
    for (const code of ['08006', '57P01', '53300', '40P01', '42P01', 'XX000'])
      expect(poisonOf(pgError(code))).toBeNull();
    expect(poisonOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBeNull();
    // Message text decides nothing: a plain error that reads like a data exception is still infrastructure.
    expect(poisonOf(new Error('invalid byte sequence for encoding "UTF8": 0x00'))).toBeNull();
    expect(failureReason(pgError('57P01'))).toBe('postgres SQLSTATE 57P01');
  });

  it('bisects to the items that fail alone and writes every other item exactly once', async () => {
    const items = Array.from({ length: 37 }, (_, i) => i);
    const bad = new Set([0, 17, 18, 36]);
    const written: number[] = [];
    let writes = 0;
    const poisoned = await writeIsolatingPoison(items, async (part) => {
      writes++;
      if (part.some((i) => bad.has(i))) throw pgError('22021');
      written.push(...part);
    });
    expect(poisoned.map((p) => p.item)).toEqual([0, 17, 18, 36]);
    expect(written.sort((a, b) => a - b)).toEqual(items.filter((i) => !bad.has(i)));
    expect(writes).toBeLessThan(items.length);
  });

  it('rethrows an infrastructure failure at once, even in the middle of a bisection', async () => {
    let calls = 0;
    const down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(
      writeIsolatingPoison([1, 2, 3, 4], async () => {
        calls++;
        throw calls === 1 ? pgError('22001') : down;
      }),
    ).rejects.toBe(down);
    expect(calls).toBe(2);
  });
});
