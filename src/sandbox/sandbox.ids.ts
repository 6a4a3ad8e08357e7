import { randomFillSync } from 'node:crypto';

// Provider message ids in each vendor's shape, random (unique across sandbox restarts, unlike a counter).
// Built as one flat string from a byte buffer: `'SM' + uuid.replace(...)` leaves a cons string over
// intermediate pieces, measured at 250 bytes an id against 56 here, times 200k stored messages.

const HEX_LOWER = Buffer.from('0123456789abcdef');
const HEX_UPPER = Buffer.from('0123456789ABCDEF');
const POOL_IDS = 1024;
const pool = Buffer.alloc(16 * POOL_IDS);
let poolOffset = pool.length;

function hexId(prefix: string, bytes: number, alphabet: Buffer): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.allocUnsafe(prefix.length + bytes * 2);
  out.write(prefix, 0, 'latin1');
  for (let i = 0; i < bytes; i++) {
    const b = pool[poolOffset + i];
    out[prefix.length + 2 * i] = alphabet[b >> 4];
    out[prefix.length + 2 * i + 1] = alphabet[b & 0x0f];
  }
  poolOffset += bytes;
  return out.toString('latin1');
}

/** Twilio: "SM" + 32 lower-case hex digits. */
export function twilioSid(): string {
  return hexId('SM', 16, HEX_LOWER);
}

/** Vonage SMS API message-id: 16 upper-case hex digits (e.g. 0A0000000123ABCD). */
export function vonageMessageId(): string {
  return hexId('', 8, HEX_UPPER);
}

/** SMPP message_id (a C-string of up to 65 octets): 16 upper-case hex digits. */
export function smppMessageId(): string {
  return hexId('', 8, HEX_UPPER);
}
