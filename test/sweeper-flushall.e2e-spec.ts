import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../src/devstack/free-port';
import { makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { waitForStatuses } from './support/e2e';
import { metricValue, scrape } from './support/metrics';
import {
  expectOneSmsEach,
  projectedContacts,
  startSweeperStack,
  SweeperStack,
  sweptAlerts,
  whileQueued,
  withRedis,
} from './support/sweeper';

/**
 * A real FLUSHALL, made safe by giving this stack a Redis server of its own (redis-server on a free
 * port, no persistence): the shared Redis also holds other engineers' and other tests' queues.
 */
describe('sweeper after FLUSHALL on a private Redis', () => {
  let redisServer: ChildProcess | undefined;
  let redisUrl: string;
  let ctx: SweeperStack | undefined;

  beforeAll(async () => {
    const port = await freePort();
    redisServer = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    redisUrl = `redis://127.0.0.1:${port}`;
    await waitFor(
      'private redis-server',
      () => withRedis(redisUrl, async (r) => (await r.ping()) === 'PONG'),
      20_000,
      200,
    );
    ctx = await startSweeperStack({ REDIS_URL: redisUrl, DISPATCHER_CONCURRENCY: '2' });
  });
  afterAll(async () => {
    await ctx?.stop();
    if (redisServer && redisServer.exitCode === null) {
      await new Promise<void>((resolve) => {
        redisServer!.once('exit', () => resolve());
        redisServer!.kill('SIGTERM');
      });
    }
  });

  it('delivers every alert exactly once when Redis loses everything while alerts are queued', async () => {
    const { stack, db } = ctx!;
    const contacts = await projectedContacts(stack, db, 12);
    await stack.sandboxClient.setFault('twilio', { mode: 'slow', latencyMs: 1500 });
    const ids = contacts.map((c) => makeTransaction(c.cardholderId));
    await stack.publishTransactions(ids);
    const txIds = ids.map((t) => t.transactionId);
    await whileQueued(db, txIds, 6);

    // Everything: the send jobs, the jobs in flight and the sweeper's own repeatable job.
    await withRedis(redisUrl, async (r) => {
      expect(await r.dbsize()).toBeGreaterThan(0);
      await r.flushall();
      expect(await r.dbsize()).toBe(0);
    });
    await stack.sandboxClient.clearFaults();

    await waitForStatuses(db, txIds, ['DELIVERED'], 120_000);
    await expectOneSmsEach(stack, contacts);
    const swept = await sweptAlerts(db, txIds);
    expect(swept).toBeGreaterThan(0);
    expect(
      metricValue(await scrape(stack.role('dispatcher').baseUrl), 'alertline_sweeper_requeued_total'),
    ).toBe(swept);
  });
});
