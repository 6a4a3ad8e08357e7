#!/usr/bin/env node
'use strict';
// Usage: node deploy/kafka-ready.js [timeout_seconds=30] [brokers]
//   brokers: comma-separated host:port list; default $KAFKA_BROKERS or 127.0.0.1:9092.
// Exits 0 as soon as the cluster answers a metadata request (admin.describeCluster()),
// 1 when the timeout passes first. A TCP connect alone is not enough: a KRaft broker
// accepts connections on its listener a while before it can serve metadata, and an
// unrelated process on the port would also accept them.

const { Kafka, logLevel } = require('kafkajs');

const timeoutSec = Number(process.argv[2] ?? 30);
if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) {
  console.error(`kafka-ready: bad timeout "${process.argv[2]}" (seconds expected)`);
  process.exit(2);
}
const brokers = (process.argv[3] || process.env.KAFKA_BROKERS || '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const verbose = process.env.KAFKA_READY_VERBOSE === '1';

const deadline = Date.now() + timeoutSec * 1000;
// Hard stop in case a kafkajs call hangs past its own timeouts.
setTimeout(
  () => {
    if (verbose) console.error('kafka-ready: hard timeout');
    process.exit(1);
  },
  timeoutSec * 1000 + 2000,
).unref();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function attempt() {
  const remaining = Math.max(200, deadline - Date.now());
  const kafka = new Kafka({
    clientId: 'alertline-kafka-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(1000, remaining),
    requestTimeout: Math.min(3000, remaining),
    // We do our own retry loop so each attempt stays short and the deadline is honoured.
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

(async () => {
  let lastError;
  while (Date.now() < deadline) {
    try {
      const cluster = await attempt();
      if (verbose) {
        console.error(
          `kafka-ready: cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller}`,
        );
      }
      process.exit(0);
    } catch (err) {
      lastError = err;
      if (verbose) console.error(`kafka-ready: ${err && err.message}`);
      await sleep(Math.min(300, Math.max(0, deadline - Date.now())));
    }
  }
  if (verbose && lastError) console.error(`kafka-ready: giving up: ${lastError.message}`);
  process.exit(1);
})();
