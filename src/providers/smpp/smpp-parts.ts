import { randomInt } from 'node:crypto';
import UnicodeToGsm from 'sms-segments-calculator/dist/libs/UnicodeToGSM';

export interface SmppPart {
  /** The short_message: the text alone, or with the concatenation UDH. */
  shortMessage: string | { udh: Buffer; message: string };
}

export interface SmppSplit {
  /** 8 (UCS-2) or 0 (the SMSC's default alphabet, GSM 03.38). */
  dataCoding: number;
  parts: SmppPart[];
}

// One SMS carries 140 octets: 160 GSM-7 septets or 70 UCS-2 characters. A concatenated part gives up
// 6 octets to the UDH: 153 septets or 67 UCS-2 characters.
const LIMITS = { gsm: { single: 160, part: 153 }, ucs2: { single: 70, part: 67 } };

/**
 * Splits a body into submit_sm parts with an 8-bit-reference concatenation UDH (IEI 0x00), never
 * cutting a GSM escape pair or a UTF-16 surrogate pair in two. UCS-2 is data_coding 8.
 */
export function splitForSmpp(body: string, ucs2: boolean): SmppSplit {
  const limits = ucs2 ? LIMITS.ucs2 : LIMITS.gsm;
  const dataCoding = ucs2 ? 8 : 0;
  const chars = Array.from(body);
  const size = (ch: string) => (ucs2 ? ch.length : (UnicodeToGsm[ch.charCodeAt(0)]?.length ?? 1));
  const total = chars.reduce((sum, ch) => sum + size(ch), 0);
  if (total <= limits.single) return { dataCoding, parts: [{ shortMessage: body }] };

  const texts: string[] = [];
  let current = '';
  let used = 0;
  for (const ch of chars) {
    if (used + size(ch) > limits.part) {
      texts.push(current);
      current = '';
      used = 0;
    }
    current += ch;
    used += size(ch);
  }
  texts.push(current);
  const ref = randomInt(0, 256);
  return {
    dataCoding,
    parts: texts.map((message, i) => ({
      shortMessage: { udh: Buffer.from([0x05, 0x00, 0x03, ref, texts.length, i + 1]), message },
    })),
  };
}
