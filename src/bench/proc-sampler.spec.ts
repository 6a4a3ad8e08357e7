import { infraGroup, parseMachineStat, parseStatTicks, parseStatusMemory } from './proc-sampler';

describe('/proc parsing for the benchmark', () => {
  it('adds utime and stime, even when the command name holds spaces and parentheses', () => {
    const tail = 'S 1 1 1 0 -1 4194304 102 0 0 0 250 70 0 0 20 0 1 0 245271 3133440 410';
    expect(parseStatTicks(`4250 (node) ${tail}`)).toBe(320);
    expect(parseStatTicks(`4250 (my (odd) name) ${tail}`)).toBe(320);
  });

  it('reads the resident set and its peak in bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    expect(parseStatusMemory(status)).toEqual({ rss: 100 * 2 ** 20, hwm: 200 * 2 ** 20 });
    expect(parseStatusMemory('Name:\tzombie\nState:\tZ\n')).toEqual({ rss: 0, hwm: 0 });
  });

  it('counts iowait as idle and steal as busy for the whole machine', () => {
    expect(parseMachineStat('cpu  100 5 20 300 10 1 2 3 0 0\ncpu0 1 2 3')).toEqual({ busy: 131, total: 441 });
  });

  it("counts the postgres server's own processes and the backends of the run's database only", () => {
    const db = 'alertline_bench_ab12';
    expect(infraGroup('postgres', 'postgres: 15/main: checkpointer ', db)).toBe('postgres');
    expect(
      infraGroup('postgres', '/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main', db),
    ).toBe('postgres');
    expect(infraGroup('postgres', `postgres: 15/main: postgres ${db} 127.0.0.1(49870) idle`, db)).toBe(
      'postgres',
    );
    expect(
      infraGroup('postgres', 'postgres: 15/main: postgres alertline_test 127.0.0.1(49871) idle', db),
    ).toBeNull();
    expect(infraGroup('redis-server', '/usr/bin/redis-server 127.0.0.1:6379', db)).toBe('redis');
    expect(infraGroup('java', 'java -Xmx768m -cp libs/* kafka.Kafka server.properties', db)).toBe('kafka');
    expect(infraGroup('java', 'java -jar something-else.jar', db)).toBeNull();
    expect(infraGroup('node', 'node dist/main.js ingest', db)).toBeNull();
  });
});
