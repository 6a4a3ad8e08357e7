#!/usr/bin/env node
'use strict';
// Idempotently creates Alertline's Kafka topics; safe to run on every `infra up`.
//
//   KAFKA_BROKERS                  default 127.0.0.1:9092
//   KAFKA_TOPIC_TRANSACTIONS       default card.transactions.authorised
//   KAFKA_TRANSACTIONS_PARTITIONS  default 6
//   KAFKA_TOPIC_CONTACTS           default cardholder.contacts
//   KAFKA_TOPIC_REVERSALS          default card.transactions.reversed (same partitions as transactions)
//   KAFKA_TOPIC_REPLIES            default card.alerts.replies (cardholders' replies, for the fraud system)
//   KAFKA_REPLICATION_FACTOR       default 1 (single-node dev/CI broker)
//
// Prints one line: which topics were created and which already existed. Exits 1 if the
// broker cannot be reached or a topic cannot be created.

const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const transactions = process.env.KAFKA_TOPIC_TRANSACTIONS || 'card.transactions.authorised';
const contacts = process.env.KAFKA_TOPIC_CONTACTS || 'cardholder.contacts';
const reversals = process.env.KAFKA_TOPIC_REVERSALS || 'card.transactions.reversed';
const replies = process.env.KAFKA_TOPIC_REPLIES || 'card.alerts.replies';
const txPartitions = intEnv('KAFKA_TRANSACTIONS_PARTITIONS', 6);
const replicationFactor = intEnv('KAFKA_REPLICATION_FACTOR', 1);

const wanted = [
  { topic: transactions, numPartitions: txPartitions, replicationFactor },
  // Poison messages are parked here; low volume, so fewer partitions.
  { topic: `${transactions}.dlq`, numPartitions: 3, replicationFactor },
  // Keyed by cardholder; only the latest contact record per key matters, so compact.
  {
    topic: contacts,
    numPartitions: 3,
    replicationFactor,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  },
  // Contact records ingest could not project (not JSON, bad fields) are parked here, like transactions.
  { topic: `${contacts}.dlq`, numPartitions: 1, replicationFactor },
  // Reversals and refunds, keyed by cardId like the transactions (correction alerts); bad ones are parked.
  { topic: reversals, numPartitions: txPartitions, replicationFactor },
  { topic: `${reversals}.dlq`, numPartitions: 1, replicationFactor },
  // Cardholders' replies Alertline publishes for the bank's fraud system, keyed by cardholder.
  { topic: replies, numPartitions: 3, replicationFactor },
];

function intEnv(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`topics: ${name}="${raw}" is not a positive integer`);
    process.exit(2);
  }
  return n;
}

async function main() {
  const kafka = new Kafka({
    clientId: 'alertline-topics',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 5, initialRetryTime: 300 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const created = [];
    const already = [];
    for (const spec of wanted) {
      if (existing.has(spec.topic)) {
        already.push(spec.topic);
        continue;
      }
      // One topic per call: kafkajs reports "already exists" for a whole batch, and
      // another clone may be creating the same topics right now.
      const made = await admin.createTopics({ topics: [spec], waitForLeaders: true });
      (made ? created : already).push(spec.topic);
    }
    await warnOnDrift(admin, already);
    const parts = [];
    parts.push(`created: ${created.length ? created.join(', ') : '-'}`);
    parts.push(`already existed: ${already.length ? already.join(', ') : '-'}`);
    console.log(`topics: ${parts.join('; ')}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// A topic made by hand (or by an older script) with other settings is not recreated,
// since that would drop data; say so instead of failing silently later.
async function warnOnDrift(admin, names) {
  if (names.length === 0) return;
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  for (const t of topics) {
    const spec = wanted.find((w) => w.topic === t.name);
    if (spec && t.partitions.length !== spec.numPartitions) {
      console.error(
        `topics: warning: ${t.name} has ${t.partitions.length} partitions, expected ${spec.numPartitions}`,
      );
    }
  }
  if (names.includes(contacts)) {
    const res = await admin.describeConfigs({
      resources: [{ type: 2 /* TOPIC */, name: contacts, configNames: ['cleanup.policy'] }],
      includeSynonyms: false,
    });
    const entry = res.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy');
    if (entry && !String(entry.configValue).includes('compact')) {
      console.error(`topics: warning: ${contacts} has cleanup.policy=${entry.configValue}, expected compact`);
    }
  }
}

main().catch((err) => {
  console.error(`topics: ERROR: ${err && err.message ? err.message : err} (brokers ${brokers.join(',')})`);
  process.exit(1);
});
