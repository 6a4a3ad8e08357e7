import { randomBytes } from 'node:crypto';
import { Kafka, Producer } from 'kafkajs';
import { freePort } from './free-port';
import { connectedProducer, ensureTopics, kafkaFor, Topics } from './kafka-tools';
import { RoleProcess } from './role-process';
import { SandboxClient } from './sandbox-client';
import type { ContactEvent, TransactionEventInput } from './sample-data';

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
}

/**
 * The whole pipeline as processes on loopback: sandbox, api, ingest and dispatcher, sharing one
 * namespace. Used by the end-to-end tests, the demo and the benchmark, so all three run the same way.
 */
export class DevStack {
  readonly sandbox: RoleProcess;
  readonly roles = new Map<StackRole, RoleProcess>();
  readonly sandboxClient: SandboxClient;
  readonly kafka: Kafka;
  private producer?: Producer;

  private constructor(
    readonly namespace: string,
    readonly topics: Topics,
    readonly env: Record<string, string>,
    ports: { sandbox: number; smpp: number; api: number; ingest: number; dispatcher: number },
    roles: StackRole[],
    echo: boolean,
  ) {
    this.kafka = kafkaFor(env.KAFKA_BROKERS.split(','));
    this.sandbox = new RoleProcess('sandbox', ports.sandbox, env, echo);
    for (const role of roles) this.roles.set(role, new RoleProcess(role, ports[role], env, echo));
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
      ? { transactions: 'card.transactions.authorised', contacts: 'cardholder.contacts' }
      : { transactions: `${ns}.card.transactions.authorised`, contacts: `${ns}.cardholder.contacts` };
    const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const env: Record<string, string> = {
      LOG_LEVEL: 'warn',
      DATABASE_URL: opts.databaseUrl,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_TOPIC_TRANSACTIONS: topics.transactions,
      KAFKA_TOPIC_CONTACTS: topics.contacts,
      ...(opts.defaults
        ? {}
        : { KAFKA_GROUP_ID: `${ns}-ingest`, KAFKA_CONTACTS_GROUP_ID: `${ns}-contacts`, QUEUE_PREFIX: `alertline-${ns}` }),
      API_PORT: String(ports.api),
      INGEST_PORT: String(ports.ingest),
      DISPATCHER_PORT: String(ports.dispatcher),
      SANDBOX_PORT: String(ports.sandbox),
      SANDBOX_SMPP_PORT: String(ports.smpp),
      PUBLIC_BASE_URL: apiUrl,
      TWILIO_BASE_URL: sandboxUrl,
      VONAGE_BASE_URL: sandboxUrl,
      SMPP_HOST: '127.0.0.1',
      SMPP_PORT: String(ports.smpp),
      SANDBOX_VONAGE_DLR_URL: `${apiUrl}/webhooks/vonage/dlr`,
      ...opts.env,
    };
    const stack = new DevStack(ns, topics, env, ports, opts.roles ?? ['api', 'ingest', 'dispatcher'], !!opts.echoLogs);
    await ensureTopics(stack.kafka, topics);
    return stack;
  }

  role(name: StackRole): RoleProcess {
    const r = this.roles.get(name);
    if (!r) throw new Error(`role ${name} is not part of this stack`);
    return r;
  }

  get apiUrl(): string {
    return this.env.PUBLIC_BASE_URL;
  }

  async start(): Promise<void> {
    await this.sandbox.start();
    // api first: it runs the migrations the others then find done.
    if (this.roles.has('api')) await this.role('api').start();
    await Promise.all([...this.roles.entries()].filter(([n]) => n !== 'api').map(([, r]) => r.start()));
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    await Promise.all([...this.roles.values()].map((r) => r.stop()));
    await this.sandbox.stop();
  }

  private async ensureProducer(): Promise<Producer> {
    this.producer ??= await connectedProducer(this.kafka);
    return this.producer;
  }

  async publishContacts(contacts: Array<ContactEvent | { cardholderId: string; tombstone: true }>): Promise<void> {
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
  async publishTransactions(events: Array<TransactionEventInput | { key: string; raw: string }>): Promise<void> {
    const producer = await this.ensureProducer();
    await producer.send({
      topic: this.topics.transactions,
      acks: -1,
      messages: events.map((e) =>
        'raw' in e ? { key: e.key, value: e.raw } : { key: e.cardId, value: JSON.stringify(e) },
      ),
    });
  }
}
