import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { runBuiltTool } from './support/built-tool';
import { TEST_DATABASE_URL } from './support/db';

// The built benchmark in --quick mode, as `npm run bench -- --quick` runs it: a correctness run (every
// event delivered exactly once, checked in Postgres and at the sandbox) with the floor measured too.
// Speed is reported, never asserted.
async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'alertline-bench-'));
  const json = path.join(dir, 'result.json');
  let run: { code: number | null; output: string };
  let result: any;

  beforeAll(async () => {
    run = await runBuiltTool('bench', ['--quick', '--json', json], {
      BENCH_DATABASE_URL: TEST_DATABASE_URL,
    });
    result = JSON.parse(readFileSync(json, 'utf8'));
  }, 900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers every event exactly once and exits 0', () => {
    expect({ code: run.code, problems: result.verification.problems }).toEqual({ code: 0, problems: [] });
    expect(result.verification).toMatchObject({
      ok: true,
      expected: 2000,
      alerts: 2000,
      delivered: 2000,
      missing: 0,
      notDelivered: 0,
      sandboxMessages: 2000,
      duplicated: 0,
      lost: 0,
      unexpected: 0,
      matchedByText: true,
    });
    expect(result.statuses).toEqual({ DELIVERED: 2000 });
  });

  it('reports throughput, latency percentiles, resources and the progress it showed', () => {
    expect(result.throughput.alertsPerSecond).toBeGreaterThan(0);
    for (const stage of ['accepted', 'delivered']) {
      const d = result.latencyMs[stage];
      expect(d.count).toBe(2000);
      expect(d.p50).toBeLessThanOrEqual(d.p95);
      expect(d.p95).toBeLessThanOrEqual(d.p99);
      expect(d.p99).toBeLessThanOrEqual(d.max);
    }
    const groups = result.resources.map((r: { group: string }) => r.group);
    expect(groups).toEqual(expect.arrayContaining(['ingest', 'dispatcher', 'api', 'sandbox', 'postgres']));
    for (const r of result.resources.filter((x: { group: string }) =>
      ['ingest', 'dispatcher', 'api'].includes(x.group),
    )) {
      expect(r.cpuSeconds).toBeGreaterThan(0);
      expect(r.peakRssMb).toBeGreaterThan(0);
    }
    expect(result.timeline.progress.length).toBeGreaterThan(0);
    expect(result.timeline.progress.at(-1)).toMatchObject({
      published: 2000,
      recorded: 2000,
      delivered: 2000,
      lag: 0,
    });
    expect(run.output).toMatch(/published 2000 +recorded \d+ +sent \d+ +delivered \d+ +lag \d+/);
  });

  it('measures the infrastructure floor in the same run and relates each stage to it', () => {
    for (const name of ['kafkaConsume', 'postgresInsert', 'bullJobs', 'httpSend']) {
      expect(result.floor[name]).toMatchObject({ items: 2000 });
      expect(result.floor[name].rate).toBeGreaterThan(0);
      expect(result.floor[name].seconds).toBeGreaterThan(0);
    }
    expect(result.ratios.map((r: { floor: string }) => r.floor)).toEqual([
      'kafkaConsume',
      'postgresInsert',
      'bullJobs',
      'httpSend',
    ]);
    for (const r of result.ratios) expect(r.ratio).toBeGreaterThan(0);
    expect(result.limitingStage).toEqual(expect.any(String));
  });

  it('leaves no database behind', async () => {
    expect(await databaseExists(result.database)).toBe(false);
  });
});
