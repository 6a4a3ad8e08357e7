import { randomBytes } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { freePort } from '../src/devstack/free-port';
import { connectedProducer, ensureTopics, kafkaFor } from '../src/devstack/kafka-tools';
import { makeContact, makeTransaction } from '../src/devstack/sample-data';
import { waitFor } from '../src/devstack/wait-for';
import { TEST_DATABASE_URL, testDb } from './support/db';
import { waitForStatuses } from './support/e2e';
import { K8sObject, renderOverlay } from './support/k8s-manifests';
import { APP_DIR, PodProcess } from './support/k8s-pod';

/**
 * The pods of the local overlay as the kubelet would run them, on this machine: each Deployment's
 * container with the environment its ConfigMap and Secret give it, as its securityContext's user, on a
 * read-only root filesystem with its emptyDir volumes; one alert goes through all of them, and each stops
 * within its terminationGracePeriodSeconds (after its preStop) with exit code 0. Only the addresses are
 * this machine's (and the topics, groups and queue prefix this spec's own). Needs root, for unshare -m.
 */
const ORDER = ['alertline-sandbox', 'alertline-api', 'alertline-ingest', 'alertline-dispatcher'];

describe('local overlay pods: non-root, read-only root, graceful stop', () => {
  const pods = new Map<string, PodProcess>();
  let deployments: K8sObject[] = [];
  let env: Record<string, string> = {};
  let db: Pool;
  let producer: Producer | undefined;

  beforeAll(async () => {
    if (process.getuid?.() !== 0)
      throw new Error('this spec mounts a private read-only root: run it as root');
    const objects = renderOverlay('local');
    deployments = objects.filter((o) => o.kind === 'Deployment');
    const config = objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
    const secret = objects.find((o) => o.kind === 'Secret')!.data as Record<string, string>;
    const ns = `k8s${randomBytes(4).toString('hex')}`;
    const port = { api: await freePort(), ingest: await freePort(), dispatcher: await freePort() };
    const sandbox = { http: await freePort(), smpp: await freePort() };
    const topics = {
      transactions: `${ns}.card.transactions.authorised`,
      contacts: `${ns}.cardholder.contacts`,
      reversals: `${ns}.card.transactions.reversed`,
    };
    // Only what names this machine's services, or keeps this spec's traffic apart from other stacks'.
    const here: Record<string, string> = {
      BIND_HOST: '127.0.0.1',
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: 'redis://127.0.0.1:6379',
      KAFKA_BROKERS: '127.0.0.1:9092',
      KAFKA_TOPIC_TRANSACTIONS: topics.transactions,
      KAFKA_TOPIC_CONTACTS: topics.contacts,
      KAFKA_GROUP_ID: `${ns}-ingest`,
      KAFKA_CONTACTS_GROUP_ID: `${ns}-contacts`,
      KAFKA_TOPIC_REVERSALS: topics.reversals,
      KAFKA_REVERSALS_GROUP_ID: `${ns}-reversals`,
      QUEUE_PREFIX: `alertline-${ns}`,
      // Stacks share the test database; another stack's alerts are not this sweeper's to adopt.
      SWEEP_ENABLED: 'false',
      API_PORT: String(port.api),
      INGEST_PORT: String(port.ingest),
      DISPATCHER_PORT: String(port.dispatcher),
      SANDBOX_PORT: String(sandbox.http),
      SANDBOX_SMPP_PORT: String(sandbox.smpp),
      SANDBOX_SMPP_HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port.api}`,
      TWILIO_BASE_URL: `http://127.0.0.1:${sandbox.http}`,
      VONAGE_BASE_URL: `http://127.0.0.1:${sandbox.http}`,
      SMPP_HOST: '127.0.0.1',
      SMPP_PORT: String(sandbox.smpp),
      SANDBOX_VONAGE_DLR_URL: `http://127.0.0.1:${port.api}/webhooks/vonage/dlr`,
    };
    await ensureTopics(kafkaFor(['127.0.0.1:9092']), topics);
    db = await testDb();
    const hostPort: Record<string, number> = {
      'alertline-sandbox': sandbox.http,
      'alertline-api': port.api,
      'alertline-ingest': port.ingest,
      'alertline-dispatcher': port.dispatcher,
    };
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...ORDER].sort());
    for (const name of ORDER) {
      const d = deployments.find((x) => x.metadata.name === name)!;
      env = { ...config, ...secretEnv(d, secret), ...here };
      const pod = new PodProcess(d, env, hostPort[name]);
      pods.set(name, pod);
      // The startup probe's budget: the api migrates the schema before it listens.
      const startup = d.spec.template.spec.containers[0].startupProbe;
      await pod.start(startup ? startup.periodSeconds * startup.failureThreshold * 1000 : 120_000);
    }
  }, 600_000);

  afterAll(async () => {
    await producer?.disconnect();
    for (const pod of [...pods.values()].reverse()) await pod.terminate(30_000);
    await db?.end();
  });

  it('runs every container as its pod securityContext says, with no supplementary groups', () => {
    for (const d of deployments) {
      const ctx = d.spec.template.spec.securityContext;
      const ids = pods.get(d.metadata.name)!.ids();
      expect({ name: d.metadata.name, ...ids }).toEqual({
        name: d.metadata.name,
        uid: Array(4).fill(ctx.runAsUser),
        gid: Array(4).fill(ctx.runAsGroup),
        groups: '',
      });
    }
  });

  it('gives every container a read-only root and a writable tmpfs at each emptyDir mount', () => {
    for (const d of deployments) {
      const mounts = pods.get(d.metadata.name)!.mounts();
      const container = d.spec.template.spec.containers[0];
      expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
      expect({
        name: d.metadata.name,
        root: mounts.get('/')?.options[0],
        code: mounts.get(APP_DIR)?.options[0],
      }).toEqual({ name: d.metadata.name, root: 'ro', code: 'ro' });
      for (const m of container.volumeMounts) {
        expect({ name: d.metadata.name, [m.mountPath]: mounts.get(m.mountPath) }).toMatchObject({
          name: d.metadata.name,
          [m.mountPath]: { type: 'tmpfs', options: expect.arrayContaining(['rw']) },
        });
      }
    }
  });

  it('delivers an alert through the api, ingest, dispatcher and sandbox on read-only roots', async () => {
    const kafka = kafkaFor(['127.0.0.1:9092']);
    producer = await connectedProducer(kafka);
    const contact = makeContact();
    await producer.send({
      topic: env.KAFKA_TOPIC_CONTACTS,
      acks: -1,
      messages: [{ key: contact.cardholderId, value: JSON.stringify(contact) }],
    });
    await waitFor('the contact projected by ingest', async () => {
      const { rows } = await db.query(`SELECT 1 FROM contacts WHERE cardholder_id = $1`, [
        contact.cardholderId,
      ]);
      return rows.length === 1;
    });
    const tx = makeTransaction(contact.cardholderId);
    await producer.send({
      topic: env.KAFKA_TOPIC_TRANSACTIONS,
      acks: -1,
      messages: [{ key: tx.cardId, value: JSON.stringify(tx) }],
    });
    await waitForStatuses(db, [tx.transactionId], ['DELIVERED'], 120_000);
  });

  it('stops each role within its grace period, after its preStop, with exit code 0', async () => {
    for (const name of ['alertline-api', 'alertline-ingest', 'alertline-dispatcher', 'alertline-sandbox']) {
      const d = deployments.find((x) => x.metadata.name === name)!;
      const graceMs = d.spec.template.spec.terminationGracePeriodSeconds * 1000;
      const pod = pods.get(name)!;
      const started = Date.now();
      // The kubelet runs preStop, then SIGTERM; both count against the grace period.
      expect({ name, preStop: pod.preStop(graceMs) }).toEqual({ name, preStop: 0 });
      const code = await pod.terminate(Math.max(graceMs - (Date.now() - started), 0));
      expect({ name, code, output: code === 0 ? '' : pod.output }).toEqual({ name, code: 0, output: '' });
    }
  }, 180_000);
});

/** The container's secretKeyRef entries, with the local Secret's values. */
function secretEnv(d: K8sObject, secret: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of d.spec.template.spec.containers[0].env ?? []) {
    out[e.name] = Buffer.from(secret[e.valueFrom.secretKeyRef.key], 'base64').toString();
  }
  return out;
}
