import { spawn } from 'node:child_process';
import path from 'node:path';

/**
 * Runs one of the built tools (dist/<name>/<name>.main.js) as `npm run <name>` would, to its exit, with
 * everything it printed (echoed live when E2E_ECHO is set, for a run that needs watching).
 */
export function runBuiltTool(
  name: 'bench' | 'chaos',
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const script = path.resolve(__dirname, `../../dist/${name}/${name}.main.js`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (process.env.E2E_ECHO) process.stderr.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}
