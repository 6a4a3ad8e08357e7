import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';
import { StopWaiting, waitFor } from './wait-for';

/** One process's /metrics, labelled with its role as the deployed scrape configs label it. */
export interface ScrapeTarget {
  role: string;
  /** e.g. http://127.0.0.1:3001 (the process's base URL; /metrics is appended). */
  baseUrl: string;
}

export interface PrometheusOptions {
  targets: ScrapeTarget[];
  /** Short by default: a demo or a test wants its panels filled within seconds. */
  scrapeIntervalSeconds?: number;
  /** Alert rules to load (deploy/prometheus/alerts.yml by default); null loads none. */
  rulesFile?: string | null;
  port?: number;
  echoLogs?: boolean;
}

/** Answer of /api/v1/query and the other JSON endpoints. */
export interface PromResponse<T = unknown> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

// Debian's package puts it on PATH; PROMETHEUS_BIN points elsewhere (e.g. an upstream tarball).
const BINARY = process.env.PROMETHEUS_BIN ?? 'prometheus';
const DEFAULT_RULES = path.resolve(__dirname, '../../deploy/prometheus/alerts.yml');

/**
 * The scrape configuration for a stack on loopback: job `alertline` (the name the RoleDown rule and the
 * deployed configs use), one target per process, each labelled with its role. JSON is valid YAML.
 */
export function scrapeConfig(
  targets: ScrapeTarget[],
  intervalSeconds: number,
  rulesFile: string | null,
): string {
  const config = {
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s` },
    rule_files: rulesFile ? [rulesFile] : [],
    scrape_configs: [
      {
        job_name: 'alertline',
        metrics_path: '/metrics',
        scrape_timeout: `${intervalSeconds}s`,
        static_configs: targets.map((t) => ({
          targets: [new URL(t.baseUrl).host],
          labels: { role: t.role },
        })),
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * A real Prometheus (the binary, not a library) with its own temporary data directory on a free loopback
 * port, scraping the given processes. For the demo's --prometheus and the dashboard end-to-end test.
 */
export class PrometheusServer {
  private exitCode: number | null = null;
  readonly logs: string[] = [];

  private constructor(
    readonly url: string,
    readonly targets: ScrapeTarget[],
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : 0);
    });
  }

  static async start(opts: PrometheusOptions): Promise<PrometheusServer> {
    const port = opts.port ?? (await freePort());
    const dir = mkdtempSync(path.join(tmpdir(), 'alertline-prometheus-'));
    const configFile = path.join(dir, 'prometheus.yml');
    const interval = opts.scrapeIntervalSeconds ?? 2;
    const rules = opts.rulesFile === undefined ? DEFAULT_RULES : opts.rulesFile;
    writeFileSync(configFile, scrapeConfig(opts.targets, interval, rules));
    const child = spawn(
      BINARY,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, opts.targets, dir, child);
    const keep = (chunk: Buffer) => {
      if (opts.echoLogs) process.stderr.write(chunk);
      server.logs.push(chunk.toString('utf8'));
      if (server.logs.length > 500) server.logs.splice(0, 250);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) =>
        reject(
          new Error(
            `could not start ${BINARY} (${err.message}); bash deploy/prometheus-tools.sh installs it`,
          ),
        ),
      );
    });
    try {
      await spawned;
      await waitFor(
        `prometheus to be ready on :${port}`,
        async () => {
          if (server.exitCode !== null) {
            throw new StopWaiting(`prometheus exited with ${server.exitCode}:\n${server.logs.join('')}`);
          }
          return (await fetch(`${server.url}/-/ready`)).ok;
        },
        30_000,
        100,
      );
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  async api<T>(pathAndQuery: string): Promise<PromResponse<T>> {
    const res = await fetch(`${this.url}${pathAndQuery}`);
    return (await res.json()) as PromResponse<T>;
  }

  /** An instant query; errors (bad PromQL) come back in the answer, not as a throw. */
  query<T = { resultType: string; result: unknown[] }>(expr: string): Promise<PromResponse<T>> {
    return this.api<T>(`/api/v1/query?query=${encodeURIComponent(expr)}`);
  }

  /** Every metric name Prometheus has stored a sample for, since it started. */
  async metricNames(): Promise<Set<string>> {
    const answer = await this.api<string[]>('/api/v1/label/__name__/values');
    if (answer.status !== 'success') throw new Error(`label values: ${answer.error}`);
    return new Set(answer.data);
  }

  /** Waits until every target was scraped successfully at least `scrapes` times. */
  async waitForScrapes(scrapes: number, timeoutMs = 30_000): Promise<void> {
    const expr = `count_over_time(up{job="alertline"}[1h]) and up{job="alertline"} == 1`;
    let last = '';
    await waitFor(
      `${scrapes} successful scrapes of each of ${this.targets.length} targets`,
      async () => {
        const answer = await this.query<{ result: Array<{ value: [number, string] }> }>(expr);
        const counts = answer.data?.result.map((r) => Number(r.value[1])) ?? [];
        last = JSON.stringify(counts);
        return counts.length === this.targets.length && counts.every((n) => n >= scrapes);
      },
      timeoutMs,
      250,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; scrape counts ${last}\n${this.logs.join('').slice(-2000)}`);
    });
  }

  async stop(): Promise<void> {
    if (this.child.pid !== undefined && this.exitCode === null && this.child.exitCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      this.child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
