import fc from 'fast-check';
import { Database } from '../database/database.service';
import { AUDIT_FIELD_LIMITS, AuditEntry, AuditRepository, clip } from './audit.repository';

describe('AuditRepository: every row is bounded whatever the client sent', () => {
  const text = fc.string({ maxLength: 20000, unit: 'binary' });

  it('no field passes its limit and no NUL reaches PostgreSQL', async () => {
    const params: unknown[][] = [];
    const db = { query: async (_sql: string, p: unknown[]) => void params.push(p) } as unknown as Database;
    const repo = new AuditRepository(db);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          principal: text,
          role: text,
          action: text,
          target: fc.option(text),
          outcome: text,
          origin: fc.option(text),
        }),
        async (fields) => {
          const entry: AuditEntry = { at: new Date(), ...fields };
          await repo.record(entry);
          const [, ...stored] = params.at(-1)!;
          const limits = Object.values(AUDIT_FIELD_LIMITS);
          stored.forEach((value, i) => {
            if (value === null) return;
            expect(typeof value).toBe('string');
            expect((value as string).length).toBeLessThanOrEqual(limits[i]);
            expect(value).not.toContain('\0');
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a short value as it is and marks a cut one', () => {
    expect(clip('GET /v1/notifications', 520)).toBe('GET /v1/notifications');
    const cut = clip(`GET /${'x'.repeat(16384)}`, 520);
    expect(cut).toHaveLength(520);
    expect(cut.endsWith('...')).toBe(true);
  });
});
