import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../devstack/free-port';

const run = promisify(execFile);

/**
 * A KRaft broker of its own, started by deploy/kafka.sh (the jars it caches in ~/.cache/alertline) with its
 * own data dir and ports, so the real broker process can be killed without touching the shared one.
 */
export class PrivateKafka {
  private constructor(
    private readonly root: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly controllerPort: number,
  ) {}

  static async create(root: string): Promise<PrivateKafka> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'alertline-kafka-'));
    const kafka = new PrivateKafka(root, dataDir, await freePort(), await freePort());
    await kafka.start();
    return kafka;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  async start(): Promise<void> {
    await this.script('start');
  }

  /** SIGKILL of the broker JVM: no controlled shutdown, the log is recovered on the next start. */
  async kill(): Promise<void> {
    const pid = Number(readFileSync(path.join(this.dataDir, 'kafka.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }

  async destroy(): Promise<void> {
    await this.script('stop').catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async script(action: 'start' | 'stop'): Promise<void> {
    await run('bash', [path.join(this.root, 'deploy/kafka.sh'), action], {
      env: {
        ...process.env,
        KAFKA_DATA_DIR: this.dataDir,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
        KAFKA_START_TIMEOUT: '120',
      },
      maxBuffer: 4 * 1024 * 1024,
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
