import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { StopWaiting, waitFor } from './wait-for';

// The built entry points, whether this file runs from dist/ (demo, bench) or from src/ under jest. The
// sandbox has its own, outside the product's dist/main.js.
const MAIN = path.resolve(__dirname, '../../dist/main.js');
const SANDBOX_MAIN = path.resolve(__dirname, '../../dist/sandbox/sandbox.main.js');

/** One role of the built app as a child process (dist/main.js <role>), as operators run it. */
export class RoleProcess {
  private child?: ChildProcess;
  private exitCode: number | null = null;
  readonly logs: string[] = [];

  constructor(
    readonly role: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly echo = false,
    /** Node options before the entry point, e.g. `--cpu-prof` (the benchmark's --profile). */
    private readonly nodeArgs: string[] = [],
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Started and not exited since (the chaos run checks that no role died of a dependency's fault). */
  get running(): boolean {
    return this.child !== undefined && this.exitCode === null;
  }

  /** The exit code of the last run (128 for a signal), null while it runs or before it started. */
  get lastExitCode(): number | null {
    return this.exitCode;
  }

  /** Resolves when the process exits, with its exit code (128 for a signal). */
  async exited(timeoutMs: number): Promise<number | null> {
    const child = this.child;
    if (!child || this.exitCode !== null) return this.exitCode;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(this.exitCode);
      });
    });
  }

  async start(readyTimeoutMs = 60000): Promise<void> {
    this.exitCode = null;
    const entry = this.role === 'sandbox' ? [SANDBOX_MAIN] : [MAIN, this.role];
    const child = spawn(process.execPath, [...this.nodeArgs, ...entry], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (this.echo) process.stderr.write(text);
      this.logs.push(text);
      if (this.logs.length > 2000) this.logs.splice(0, 1000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code, signal) => {
      this.exitCode = code ?? (signal ? 128 : 0);
    });
    await waitFor(
      `${this.role} to be ready on :${this.port}`,
      async () => {
        if (this.exitCode !== null) {
          throw new StopWaiting(
            `${this.role} exited with ${this.exitCode}:\n${this.logs.join('').slice(-3000)}`,
          );
        }
        const res = await fetch(`${this.baseUrl}/health/ready`);
        return res.ok;
      },
      readyTimeoutMs,
      150,
    ).catch((err: unknown) => {
      if (err instanceof StopWaiting) throw err;
      throw new Error(`${(err as Error).message}\n${this.logs.join('').slice(-3000)}`);
    });
  }

  /** SIGKILL: no shutdown hooks, as a crash or an OOM kill. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== null) return;
    const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await this.kill('SIGTERM');
    clearTimeout(killer);
  }
}
