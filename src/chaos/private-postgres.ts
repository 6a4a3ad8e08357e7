import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../devstack/free-port';

const run = promisify(execFile);
const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of its own (initdb into a temp dir, a free port, its own socket dir), so faults can
 * be injected for real with pg_ctl and signals without touching the shared instance other work runs on.
 * As root the server runs as the `postgres` user (PostgreSQL refuses to run as root).
 */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'alertline-pg-'));
    const pg = new PrivatePostgres(dir, await freePort());
    if (process.getuid?.() === 0) chownSync(dir, ...pgUser());
    await pg.pgCommand('initdb', [
      '-D',
      pg.dataDir,
      '-U',
      'postgres',
      '-A',
      'trust',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    await pg.start();
    return pg;
  }

  get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    const client = new Client({ connectionString: this.url() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async start(): Promise<void> {
    await this.pgCtl('start', ['-l', path.join(this.dir, 'server.log'), '-o', this.serverOptions()]);
  }

  /** Every connection ends with 57P01, as in a failover or `pg_ctlcluster ... restart`. */
  async restart(): Promise<void> {
    await this.pgCtl('restart', [
      '-m',
      'fast',
      '-l',
      path.join(this.dir, 'server.log'),
      '-o',
      this.serverOptions(),
    ]);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pgCtl('stop', ['-m', mode]);
  }

  /**
   * SIGSTOP to the postmaster and every backend: the port still accepts TCP connections (the kernel
   * completes the handshake) but nothing answers, open sessions included: a network partition or a frozen
   * host, which only timeouts get out of.
   */
  freeze(): number[] {
    const pids = this.serverPids();
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    return pids;
  }

  thaw(pids: number[]): void {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // a backend that ended meanwhile
      }
    }
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private serverPids(): number[] {
    const postmaster = Number(readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [postmaster, ...children];
  }

  private serverOptions(): string {
    return `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  }

  private async pgCtl(action: string, args: string[]): Promise<void> {
    await this.pgCommand('pg_ctl', [action, '-D', this.dataDir, '-w', '-t', '120', ...args]);
  }

  private async pgCommand(bin: string, args: string[]): Promise<void> {
    const file = path.join(BIN, bin);
    const [cmd, argv] =
      process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    await run(cmd, argv, { cwd: this.dir, maxBuffer: 4 * 1024 * 1024 });
  }
}

function pgUser(): [number, number] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user to run a private PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}
