import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChaosResult } from '../src/chaos/chaos.run';
import { runBuiltTool } from './support/built-tool';

// The built chaos tool in --quick mode, as `npm run chaos -- --quick` runs it: real faults (SIGKILL of a
// dispatcher mid-send, pg_ctl restart of its private PostgreSQL, SIGTERM of the api under receipts) under a
// steady load, every transaction checked in PostgreSQL and at the sandbox. Recovery times are reported,
// never asserted.
describe('npm run chaos -- --quick', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alertline-chaos-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loses nothing, leaves nothing non-final and keeps every role running through the faults', async () => {
    const file = path.join(dir, 'chaos.json');
    // Run as jest runs every e2e role (NODE_ENV=test): the tool itself turns the sweeper on for its roles.
    const { code, output } = await runBuiltTool('chaos', ['--quick', '--json', file]);
    const result = JSON.parse(readFileSync(file, 'utf8')) as ChaosResult;
    expect({ code, problems: result.problems }).toEqual({ code: 0, problems: [] });
    expect(result.steps.map((s) => s.name)).toEqual([
      'dispatcher-sigkill',
      'postgres-restart',
      'api-sigterm',
    ]);
    for (const step of result.steps) {
      expect({ step: step.name, lost: step.verification.lost, nonFinal: step.verification.nonFinal }).toEqual(
        {
          step: step.name,
          lost: 0,
          nonFinal: 0,
        },
      );
      expect(step.verification.published).toBeGreaterThan(0);
      expect(step.unexpectedExits).toEqual([]);
      expect(step.verification.duplicates).toBe(step.verification.explainedDuplicates);
    }
    expect(result.final.published).toBe(result.steps.reduce((n, s) => n + s.verification.published, 0));
    expect(result.final).toMatchObject({ lost: 0, nonFinal: 0, overdue: 0 });
    expect(result.final.duplicates).toBe(result.final.explainedDuplicates);
    expect(result.rolesAtEnd.length).toBeGreaterThanOrEqual(4);
    expect(result.rolesAtEnd.filter((r) => !r.running)).toEqual([]);
    expect(output).toContain('| fault');
    // A generous limit for the whole run on a loaded 2-core machine (a role restart alone took 85 s there).
  }, 900_000);
});
