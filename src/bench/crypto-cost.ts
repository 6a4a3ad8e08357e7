import { performance } from 'node:perf_hooks';
import { AppConfig } from '../config/app-config';
import { DataCipher } from '../crypto/data-cipher';

// What encryption at rest costs per alert on the hot path, measured in-process (no database): ingest
// opens the contact's number and seals the alert's number and text; the dispatcher opens both to send.
// `npm run -s build && node dist/bench/crypto-cost.js [alerts]`; docs/design.md, "Data lifecycle", keeps
// the figures.
const N = Number(process.argv[2] ?? 200_000);
const cipher = new DataCipher(AppConfig.fromEnv({}, []));
const phone = '+8613800138000';
const body =
  '【Alertline Bank】您尾号4242的卡于12月07日 03:12在ACME STORE, Shanghai消费CNY 88.00。如非本人操作请致电+44 20 7946 0000';
const contact = cipher.seal('contacts', 'ch-1', { phone, body: null });
const contactRow = {
  data_key_id: contact.keyId,
  wrapped_key: contact.wrappedKey,
  phone_enc: contact.phone,
  phone_e164: null,
};

function measure(label: string, work: (i: number) => void): number {
  for (let i = 0; i < 5000; i++) work(i);
  // CPU time, not wall time: on a shared machine waiting for a core is not the cost of the work.
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < N; i++) work(i);
  const wall = ((performance.now() - start) * 1000) / N;
  const used = process.cpuUsage(cpu);
  const us = (used.user + used.system) / N;
  console.log(`${label.padEnd(44)} ${us.toFixed(2)} µs CPU/alert (${wall.toFixed(2)} µs wall)`);
  return us;
}

const sealedRows = Array.from({ length: 1024 }, (_, i) => {
  const s = cipher.seal('notifications', `n${i}`, { phone, body });
  return {
    data_key_id: s.keyId,
    wrapped_key: s.wrappedKey,
    phone_enc: s.phone,
    body_enc: s.body,
    phone_e164: null,
    body: null,
  };
});
const ingest = measure('ingest: open contact + seal number and text', (i) => {
  const { phone: p } = cipher.open('contacts', 'ch-1', contactRow);
  cipher.seal('notifications', `n${i}`, { phone: p, body });
});
const send = measure('dispatcher: open number and text', (i) => {
  cipher.open('notifications', `n${i & 1023}`, sealedRows[i & 1023]);
});
const bytes =
  sealedRows[0].wrapped_key.length + sealedRows[0].phone_enc!.length + sealedRows[0].body_enc!.length;
console.log(
  `total ${(ingest + send).toFixed(2)} µs CPU per alert; ${bytes} bytes sealed per alert row (${Buffer.byteLength(phone) + Buffer.byteLength(body)} plain)`,
);
