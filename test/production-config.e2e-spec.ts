import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../src/devstack/free-port';
import { waitFor } from '../src/devstack/wait-for';
import { TEST_DATABASE_URL } from './support/db';
import { PRODUCTION_ENV, REFUSED_WHEN_UNSET } from './support/production-env';

const MAIN = path.resolve(__dirname, '../dist/main.js');
const SANDBOX_MAIN = path.resolve(__dirname, '../dist/sandbox/sandbox.main.js');

/**
 * The built entry point as the Dockerfile runs it, with only the given environment (plus PATH): nothing
 * inherited from this test run, so a default can only come from the code.
 */
function start(role: string, env: Record<string, string>) {
  const entry = role === 'sandbox' ? [SANDBOX_MAIN] : [MAIN, role];
  const child = spawn(process.execPath, entry, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 0))),
  );
  return { child, exited, output: () => ({ stderr, stdout }) };
}

async function stop(child: ChildProcess, exited: Promise<number>): Promise<void> {
  if (child.exitCode === null) child.kill('SIGTERM');
  await exited;
}

describe('production start-up (NODE_ENV=production, as the Dockerfile sets it)', () => {
  it.each(['api', 'sandbox'])(
    '%s with nothing else set exits 2, naming every demo secret and sandbox address',
    async (role) => {
      const run = start(role, { NODE_ENV: 'production' });
      const code = await run.exited;
      const { stderr, stdout } = run.output();
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^Invalid configuration:\n/);
      for (const setting of REFUSED_WHEN_UNSET)
        expect(stderr).toMatch(new RegExp(`^  ${setting}: .*NODE_ENV=production`, 'm'));
      // Start-up stopped before taking traffic: no listening line was logged.
      expect(stderr + stdout).not.toContain('listening');
    },
  );

  it('refuses the sandbox role even with every setting a production deployment needs', async () => {
    const run = start('sandbox', { ...PRODUCTION_ENV, SANDBOX_PORT: String(await freePort()) });
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(
      /^  role sandbox: the provider emulator never runs under NODE_ENV=production/m,
    );
  });

  it('starts the api with a fully configured production environment and real provider hosts', async () => {
    const port = await freePort();
    const run = start('api', {
      ...PRODUCTION_ENV,
      DATABASE_URL: TEST_DATABASE_URL,
      API_PORT: String(port),
      QUEUE_PREFIX: `alertline-prod-${port}`,
      LOG_LEVEL: 'warn',
    });
    try {
      await waitFor(
        'the production api to answer /health/live',
        async () => {
          if (run.child.exitCode !== null)
            throw new Error(`api exited ${run.child.exitCode}: ${run.output().stderr}`);
          return (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null))?.ok;
        },
        60000,
        200,
      );
      // Demo keys do not open the support API; a production key does.
      const demo = await fetch(`http://127.0.0.1:${port}/v1/session`, {
        headers: { authorization: 'Bearer supervisor-demo-key' },
      });
      expect(demo.status).toBe(401);
      const key = PRODUCTION_ENV.API_KEYS.split(',')[1].split(':')[0];
      const real = await fetch(`http://127.0.0.1:${port}/v1/session`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(real.status).toBe(200);
      expect(await real.json()).toMatchObject({ role: 'supervisor' });
    } finally {
      await stop(run.child, run.exited);
    }
  });
});
