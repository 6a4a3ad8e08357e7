import { BenchUsageError, parseBenchArgs } from './bench.options';

describe('bench command line', () => {
  it('defaults to a 20k-event run as fast as possible, one process per role, no provider latency', () => {
    expect(parseBenchArgs([])).toMatchObject({
      events: 20000,
      rate: 0,
      providerLatencyMs: 0,
      quick: false,
      ingest: 1,
      dispatchers: 1,
      api: 1,
      cardholders: 10000,
      partitions: 3,
      floor: true,
      profile: false,
    });
  });

  it('warms up with a quarter of the events (at most 5000) unless --quick or --warmup says otherwise', () => {
    expect(parseBenchArgs([]).warmup).toBe(5000);
    expect(parseBenchArgs(['--events', '1000']).warmup).toBe(250);
    expect(parseBenchArgs(['--quick']).warmup).toBe(0);
    expect(parseBenchArgs(['--warmup', '0']).warmup).toBe(0);
    expect(parseBenchArgs(['--quick', '--warmup', '300']).warmup).toBe(300);
  });

  it('makes --quick a small run unless --events says otherwise', () => {
    expect(parseBenchArgs(['--quick'])).toMatchObject({ quick: true, events: 2000, cardholders: 2000 });
    expect(parseBenchArgs(['--quick', '--events', '500'])).toMatchObject({ events: 500, cardholders: 500 });
  });

  it('reads every option', () => {
    const o = parseBenchArgs([
      '--events=100_000',
      '--rate',
      '1000',
      '--provider-latency',
      '25',
      '--json',
      '/tmp/x.json',
      '--ingest',
      '2',
      '--dispatchers',
      '3',
      '--api',
      '2',
      '--profile',
      '--no-floor',
      '--keep-db',
      '--concurrency',
      '80',
      '--set',
      'DATABASE_POOL_MAX=20',
      '--set=LOG_LEVEL=info',
    ]);
    expect(o).toMatchObject({
      events: 100000,
      rate: 1000,
      providerLatencyMs: 25,
      json: '/tmp/x.json',
      ingest: 2,
      dispatchers: 3,
      api: 2,
      partitions: 6,
      profile: true,
      floor: false,
      keepDatabase: true,
      concurrency: 80,
      settings: { DATABASE_POOL_MAX: '20', LOG_LEVEL: 'info' },
      history: 0,
    });
  });

  it('takes --database NAME, a plain identifier only', () => {
    expect(parseBenchArgs(['--database', 'alertline_bench1a2b3c']).database).toBe('alertline_bench1a2b3c');
    expect(parseBenchArgs([]).database).toBeUndefined();
    expect(() => parseBenchArgs(['--database', 'x; DROP DATABASE alertline'])).toThrow(/--database/);
  });

  it('takes --history N, a whole number of past alerts, 0 by default', () => {
    expect(parseBenchArgs(['--history', '10000000']).history).toBe(10_000_000);
    expect(parseBenchArgs([]).history).toBe(0);
    expect(() => parseBenchArgs(['--history', '-1'])).toThrow(/history/);
    expect(() => parseBenchArgs(['--history', '1.5'])).toThrow(/history/);
  });

  it('rejects unknown options and numbers that are not whole and in range', () => {
    expect(() => parseBenchArgs(['--evnets', '5'])).toThrow(/Unknown option/);
    expect(() => parseBenchArgs(['--events', '0'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--rate', '1.5'])).toThrow(/--rate must be a whole number/);
    expect(() => parseBenchArgs(['--dispatchers', 'two'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--help'])).toThrow(/npm run bench/);
    expect(() => parseBenchArgs(['--set', 'pool=3'])).toThrow(/KEY=VALUE/);
  });
});
