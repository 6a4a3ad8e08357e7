import { randomBytes } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { freePort } from './free-port';
import { connectedProducer, ensureTopics, kafkaFor, Topics } from './kafka-tools';
import { RoleProcess } from './role-process';
import { SandboxClient } from './sandbox-client';
import type { ContactEvent, ReversalEventInput, TransactionEventInput } from './sample-data';
import { PROVIDER_REGISTRY } from '../providers/provider.registry';

export type StackRole = 'api' | 'ingest' | 'dispatcher';

export interface DevStackOptions {
  /** Roles run as separate processes besides the sandbox (default: api, ingest, dispatcher). */
  roles?: StackRole[];
  databaseUrl: string;
  brokers?: string[];
  /** Isolates topics, consumer groups and the Bull queue prefix; random when not given. */
  namespace?: string;
  env?: Record<string, string>;
  echoLogs?: boolean;
  /** The documented default ports, topics, groups and queue prefix (the demo), instead of isolated ones. */
  defaults?: boolean;
  /**
   * Processes per role (default 1). Extras share the namespace (consumer group, Bull queue), so they scale
   * out; with several api processes each dispatcher sends its status callbacks to one of them in turn.
   */
  replicas?: Partial<Record<StackRole, number>>;
  /** Node options for a process, e.g. `--cpu-prof` (index counts the replicas of a role from 0). */
  nodeArgs?: (role: StackRole | 'sandbox', index: number) => string[];
  /** Partitions of the topics the stack creates (default 3). */
  partitions?: number;
}

const PORT_SETTING: Record<StackRole, string> = {
  api: 'API_PORT',
  ingest: 'INGEST_PORT',
  dispatcher: 'DISPATCHER_PORT',
};

/**
 * The whole pipeline as processes on loopback: sandbox, api, ingest and dispatcher, sharing one
 * namespace. Used by the end-to-end tests, the demo and the benchmark, so all three run the same way.
 */
export class DevStack {
  readonly sandbox: RoleProcess;
  /** The first process of each role. */
  readonly roles = new Map<StackRole, RoleProcess>();
  /** Every process of each role, the first one included. */
  readonly replicas = new Map<StackRole, RoleProcess[]>();
  readonly sandboxClient: SandboxClient;
  readonly kafka: Kafka;
  private producer?: Producer;

  private constructor(
    readonly namespace: string,
    readonly topics: Required<Topics>,
    readonly env: Record<string, string>,
    ports: { sandbox: number; smpp: number },
    rolePorts: Map<StackRole, number[]>,
    echo: boolean,
    nodeArgs: NonNullable<DevStackOptions['nodeArgs']> = () => [],
  ) {
    this.kafka = kafkaFor(env.KAFKA_BROKERS.split(','));
    this.sandbox = new RoleProcess('sandbox', ports.sandbox, env, echo, nodeArgs('sandbox', 0));
    const apiUrls = (rolePorts.get('api') ?? []).map((p) => `http://127.0.0.1:${p}`);
    for (const [role, rolePortList] of rolePorts) {
      const processes = rolePortList.map((port, i) => {
        const own: Record<string, string> = { [PORT_SETTING[role]]: String(port) };
        // The Twilio signature covers the callback URL, so an api checks against its own URL and each
        // dispatcher names one api as its callback target.
        if (apiUrls.length > 1 && role === 'api') own.PUBLIC_BASE_URL = apiUrls[i];
        if (apiUrls.length > 1 && role === 'dispatcher') own.PUBLIC_BASE_URL = apiUrls[i % apiUrls.length];
        return new RoleProcess(role, port, i === 0 ? env : { ...env, ...own }, echo, nodeArgs(role, i));
      });
      this.roles.set(role, processes[0]);
      this.replicas.set(role, processes);
    }
    this.sandboxClient = new SandboxClient(this.sandbox.baseUrl);
  }

  static async create(opts: DevStackOptions): Promise<DevStack> {
    const ns = opts.namespace ?? `t${randomBytes(4).toString('hex')}`;
    const brokers = opts.brokers ?? ['127.0.0.1:9092'];
    const ports = opts.defaults
      ? { sandbox: 3010, smpp: 2775, api: 3000, ingest: 3001, dispatcher: 3002 }
      : {
          sandbox: await freePort(),
          smpp: await freePort(),
          api: await freePort(),
          ingest: await freePort(),
          dispatcher: await freePort(),
        };
    const topics = opts.defaults
      ? {
          transactions: 'card.transactions.authorised',
          contacts: 'cardholder.contacts',
          reversals: 'card.transactions.reversed',
          replies: 'card.alerts.replies',
        }
      : {
          transactions: `${ns}.card.transactions.authorised`,
          contacts: `${ns}.cardholder.contacts`,
          reversals: `${ns}.card.transactions.reversed`,
          replies: `${ns}.card.alerts.replies`,
        };
    const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const env: Record<string, string> = {
      LOG_LEVEL: 'warn',
      DATABASE_URL: opts.databaseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_TRANSACTIONS: topics.transactions,
      KAFKA_TOPIC_CONTACTS: topics.contacts,
      KAFKA_TOPIC_REVERSALS: topics.reversals,
      KAFKA_TOPIC_REPLIES: topics.replies,
      ...(opts.defaults
        ? {}
        : {
            KAFKA_GROUP_ID: `${ns}-ingest`,
            KAFKA_CONTACTS_GROUP_ID: `${ns}-contacts`,
            KAFKA_REVERSALS_GROUP_ID: `${ns}-reversals`,
            QUEUE_PREFIX: `alertline-${ns}`,
          }),
      API_PORT: String(ports.api),
      INGEST_PORT: String(ports.ingest),
      DISPATCHER_PORT: String(ports.dispatcher),
      SANDBOX_PORT: String(ports.sandbox),
      SANDBOX_SMPP_PORT: String(ports.smpp),
      PUBLIC_BASE_URL: apiUrl,
      // Every provider's sandbox-only URL settings, pointed at this stack's sandbox (its path kept).
      ...Object.fromEntries(
        PROVIDER_REGISTRY.flatMap((p) => Object.entries(p.settings.sandboxUrls ?? {})).map(([k, url]) => [
          k,
          `${sandboxUrl}${new URL(url).pathname.replace(/\/$/, '')}`,
        ]),
      ),
      SMPP_HOST: '127.0.0.1',
      SMPP_PORT: String(ports.smpp),
      SANDBOX_VONAGE_DLR_URL: `${apiUrl}/webhooks/vonage/dlr`,
      ...opts.env,
    };
    const rolePorts = new Map<StackRole, number[]>();
    for (const role of opts.roles ?? ['api', 'ingest', 'dispatcher']) {
      const list = [ports[role]];
      for (let i = 1; i < (opts.replicas?.[role] ?? 1); i++) list.push(await freePort());
      rolePorts.set(role, list);
    }
    const stack = new DevStack(ns, topics, env, ports, rolePorts, !!opts.echoLogs, opts.nodeArgs);
    await ensureTopics(stack.kafka, topics, opts.partitions);
    return stack;
  }

  role(name: StackRole): RoleProcess {
    const r = this.roles.get(name);
    if (!r) throw new Error(`role ${name} is not part of this stack`);
    return r;
  }

  /** Every process's /metrics, labelled by role: what a Prometheus scraping this stack needs. */
  metricsTargets(): Array<{ role: string; baseUrl: string }> {
    const roles = [...this.replicas.entries()].flatMap(([role, list]) =>
      list.map((p) => ({ role, baseUrl: p.baseUrl })),
    );
    return [{ role: 'sandbox', baseUrl: this.sandbox.baseUrl }, ...roles];
  }

  get apiUrl(): string {
    return this.env.PUBLIC_BASE_URL;
  }

  /** `readyTimeoutMs` per process (default 60 s; a loaded machine may need more). */
  async start(readyTimeoutMs?: number): Promise<void> {
    await this.sandbox.start(readyTimeoutMs);
    // api first: it runs the migrations the others then find done.
    if (this.roles.has('api')) await this.role('api').start(readyTimeoutMs);
    const rest = [...this.replicas.values()].flat().filter((r) => r !== this.roles.get('api'));
    await Promise.all(rest.map((r) => r.start(readyTimeoutMs)));
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    await Promise.all([...this.replicas.values()].flat().map((r) => r.stop()));
    await this.sandbox.stop();
  }

  private async ensureProducer(): Promise<Producer> {
    this.producer ??= await connectedProducer(this.kafka);
    return this.producer;
  }

  async publishContacts(
    contacts: Array<ContactEvent | { cardholderId: string; tombstone: true }>,
  ): Promise<void> {
    const producer = await this.ensureProducer();
    await producer.send({
      topic: this.topics.contacts,
      acks: -1,
      messages: contacts.map((c) => ({
        key: c.cardholderId,
        value: 'tombstone' in c ? null : JSON.stringify(c),
      })),
    });
  }

  /** Values may be objects (sent as JSON) or raw strings (for malformed-input tests). */
  async publishTransactions(
    events: Array<TransactionEventInput | { key: string; raw: string }>,
  ): Promise<void> {
    const producer = await this.ensureProducer();
    await producer.send({
      topic: this.topics.transactions,
      acks: -1,
      messages: events.map((e) =>
        'raw' in e ? { key: e.key, value: e.raw } : { key: e.cardId, value: JSON.stringify(e) },
      ),
    });
  }

  /** Reversal and refund events, keyed by cardId like transactions; raw strings for malformed-input tests. */
  async publishReversals(events: Array<ReversalEventInput | { key: string; raw: string }>): Promise<void> {
    const producer = await this.ensureProducer();
    await producer.send({
      topic: this.topics.reversals,
      acks: -1,
      messages: events.map((e) =>
        'raw' in e ? { key: e.key, value: e.raw } : { key: e.cardId, value: JSON.stringify(e) },
      ),
    });
  }
}
