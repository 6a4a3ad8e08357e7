import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../src/devstack/free-port';
import { StopWaiting, waitFor } from '../src/devstack/wait-for';
import { TEST_DATABASE_URL } from './support/db';
import { PRODUCTION_ENV } from './support/production-env';

const ROOT = path.resolve(__dirname, '..');

/**
 * The tree the Dockerfile's runtime stage holds (dist/, the migrations, package.json, node_modules), copied
 * away from the source tree: the console page must come from dist/, since the image has no src/support/.
 */
function imageTree(): string {
  const app = mkdtempSync(path.join(tmpdir(), 'alertline-image-'));
  cpSync(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'src/database/migrations'), path.join(app, 'src/database/migrations'), {
    recursive: true,
  });
  cpSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  return app;
}

describe('the built tree on its own (as the image holds it)', () => {
  it('`node dist/main.js api` serves /console from dist/support/, with no src/support/ beside it', async () => {
    const app = imageTree();
    expect(existsSync(path.join(app, 'src/support'))).toBe(false);
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js', 'api'], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '',
        ...PRODUCTION_ENV,
        DATABASE_URL: TEST_DATABASE_URL,
        API_PORT: String(port),
        QUEUE_PREFIX: `alertline-image-${port}`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor(
        'the api started from the copied tree to answer /health/live',
        async () => {
          if (child.exitCode !== null) throw new StopWaiting(`api exited ${child.exitCode}: ${output}`);
          return (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null))?.ok;
        },
        60000,
        200,
      );
      const page = await fetch(`http://127.0.0.1:${port}/console`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[^']+'/);
      const html = await page.text();
      // Every part of the page is inlined: the plain words, the view helpers and the state.
      expect(html).toContain('const SKIP_WHY = {');
      expect(html).toContain('function timelineRows(events)');
      expect(html).toContain("const RESENDABLE = ['FAILED', 'UNDELIVERED', 'EXPIRED'];");
      expect(html).not.toMatch(/\/\* console\.(css|js) \*\//);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(app, { recursive: true, force: true });
    }
  });
});
