import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from './search.cursor';

describe('search cursor', () => {
  const search = 'cardholderId|ch-1|2026-01-01T00:00:00.000Z|2026-01-02T00:00:00.000Z';
  const position = { at: '2026-01-01T12:00:00.123456Z', id: randomUUID() };

  it('round-trips a position to the microsecond', () => {
    expect(decodeCursor(encodeCursor(position, search), search)).toEqual(position);
  });

  it('refuses a cursor of another search', () => {
    const other = search.replace('ch-1', 'ch-2');
    expect(decodeCursor(encodeCursor(position, search), other)).toEqual({
      error: 'belongs to another search (same filter and window needed)',
    });
  });

  it('refuses anything it did not hand out', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const good = JSON.parse(Buffer.from(encodeCursor(position, search), 'base64url').toString()) as string[];
    for (const bad of [
      '',
      '%%%',
      b64('x'),
      b64({ at: position.at }),
      b64([position.at, 'not-a-uuid', good[2]]),
      b64(['2026-01-01', position.id, good[2]]),
      b64(["2026-01-01T00:00:00.000000Z'; DROP TABLE notifications; --", position.id, good[2]]),
      b64([position.at, position.id, good[2], 'extra']),
    ]) {
      expect(decodeCursor(bad, search)).toEqual({ error: 'not a cursor this API returned' });
    }
  });
});
