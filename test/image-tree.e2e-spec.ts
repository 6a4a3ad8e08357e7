// The production image's /app tree, built here as the Dockerfile builds it (deploy/image-tree.sh; no Docker
// engine on this machine): only product code in it, and every production role starts from it alone.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureTopics, kafkaFor } from '../src/devstack/kafka-tools';
import { freePort } from '../src/devstack/free-port';
import { StopWaiting, waitFor } from '../src/devstack/wait-for';
import { PRODUCTION_ENV } from './support/production-env';
import { scratchDatabase } from './support/scratch-db';

const ROOT = path.resolve(__dirname, '..');
const TOOLS = ['bench', 'demo', 'devstack', 'chaos', 'sandbox'];
const DEV_ONLY_PACKAGES = ['typescript', 'jest', '@swc/core', '@nestjs/testing', 'eslint', 'fast-check'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** A process of the tree with only the given environment (plus PATH), in the tree as its working directory. */
function run(tree: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['dist/main.js', ...args], {
    cwd: tree,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 0))),
  );
  return { child, exited, output: () => output };
}

async function stop(role: { child: ChildProcess; exited: Promise<number> }): Promise<void> {
  if (role.child.exitCode === null && role.child.signalCode === null) role.child.kill('SIGTERM');
  await role.exited;
}

describe('the production image tree (deploy/image-tree.sh, as the Dockerfile runs it)', () => {
  let tree: string;
  let db: Awaited<ReturnType<typeof scratchDatabase>>;

  beforeAll(async () => {
    tree = mkdtempSync(path.join(tmpdir(), 'alertline-image-'));
    await promisify(execFile)('bash', [path.join(ROOT, 'deploy/image-tree.sh'), tree], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    db = await scratchDatabase();
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
    if (tree) rmSync(tree, { recursive: true, force: true });
  });

  it('holds the product only: no tool code, no specs, no dev dependencies', () => {
    expect(readdirSync(tree).sort()).toEqual([
      'deploy',
      'dist',
      'node_modules',
      'package-lock.json',
      'package.json',
      'src',
    ]);
    const code = [
      ...filesUnder(path.join(tree, 'dist')).map((f) => `dist/${f}`),
      ...filesUnder(path.join(tree, 'src')).map((f) => `src/${f}`),
    ];
    expect(code).toContain('dist/main.js');
    expect(code).toContain('dist/reconciliation/reconcile.main.js');
    const tools = code.filter((f) =>
      f.split('/').some((part) => TOOLS.includes(part) || /^(testing|.*spec\.js)$/.test(part)),
    );
    expect(tools).toEqual([]);
    expect(code.filter((f) => f.startsWith('src/') && !/^src\/database\/migrations\//.test(f))).toEqual([]);
    expect(DEV_ONLY_PACKAGES.filter((p) => existsSync(path.join(tree, 'node_modules', p)))).toEqual([]);
  });

  it('migrates, then starts api, ingest and dispatcher until each is ready, with a production environment', async () => {
    const suffix = `${process.pid}-${Date.now()}`;
    const topics = {
      transactions: `image-tree.tx.${suffix}`,
      contacts: `image-tree.contacts.${suffix}`,
      reversals: `image-tree.reversals.${suffix}`,
    };
    const kafka = kafkaFor(['127.0.0.1:9092']);
    await ensureTopics(kafka, topics, 1);
    const [api, ingest, dispatcher] = [await freePort(), await freePort(), await freePort()];
    const env: Record<string, string> = {
      ...PRODUCTION_ENV,
      PROVIDERS: 'twilio,vonage',
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `image-tree-${suffix}`,
      KAFKA_TOPIC_TRANSACTIONS: topics.transactions,
      KAFKA_TOPIC_CONTACTS: topics.contacts,
      KAFKA_GROUP_ID: `image-tree-ingest-${suffix}`,
      KAFKA_CONTACTS_GROUP_ID: `image-tree-contacts-${suffix}`,
      KAFKA_TOPIC_REVERSALS: topics.reversals,
      KAFKA_REVERSALS_GROUP_ID: `image-tree-reversals-${suffix}`,
      API_PORT: String(api),
      INGEST_PORT: String(ingest),
      DISPATCHER_PORT: String(dispatcher),
      LOG_LEVEL: 'warn',
    };
    const migrate = run(tree, ['migrate'], env);
    expect(await migrate.exited).toBe(0);

    const roles = Object.entries({ api, ingest, dispatcher }).map(([role, port]) => ({
      role,
      port,
      ...run(tree, [role], env),
    }));
    try {
      await Promise.all(
        roles.map((r) =>
          waitFor(
            `${r.role} from the image tree to answer ready on :${r.port}`,
            async () => {
              if (r.child.exitCode !== null)
                throw new StopWaiting(`${r.role} exited ${r.child.exitCode}: ${r.output()}`);
              return (await fetch(`http://127.0.0.1:${r.port}/health/ready`).catch(() => null))?.ok;
            },
            120_000,
            250,
          ),
        ),
      );
      // The support console's page is read from the tree at run time, not from this checkout.
      const page = await fetch(`http://127.0.0.1:${api}/console`);
      expect(page.status).toBe(200);
    } finally {
      await Promise.all(roles.map(stop));
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({
        topics: [topics.transactions, topics.contacts].flatMap((t) => [t, `${t}.dlq`]),
      });
      await admin.disconnect();
    }
  });
});
