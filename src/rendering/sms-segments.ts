import { SegmentedMessage } from 'sms-segments-calculator';
import UnicodeToGsm from 'sms-segments-calculator/dist/libs/UnicodeToGSM';

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
  encoding: SmsEncoding;
  segments: number;
}

// SegmentedMessage costs ~0.5 ms per alert (grapheme splitting, O(n^2) segment sizing): a whole core at
// the benchmark's 2,000 sends/s. Alert texts are plain GSM-7 or plain BMP text (English, Chinese), for which
// the library's answer reduces to counting code units; only those strings take the fast path below. Anything
// that could form multi-code-unit graphemes (combining marks, joiners, surrogates, Hangul jamo, Thai...) goes
// to the library, so the result is always the library's. sms-segments.spec.ts checks both agree.
const OTHER = 0; // ask the library
const GSM_BASIC = 1; // one septet
const GSM_EXTENDED = 2; // escape + septet
const SIMPLE_UCS2 = 3; // a BMP character that is always a grapheme of its own

const CHAR_CLASS = buildCharClassTable();

function buildCharClassTable(): Uint8Array {
  const table = new Uint8Array(0x10000);
  const simpleRanges: Array<[number, number]> = [
    [0x00a0, 0x02ff], // Latin-1 supplement, Latin extended A/B, IPA, spacing modifiers
    [0x0370, 0x03ff], // Greek
    [0x0400, 0x0482], // Cyrillic (0483-0489 are combining)
    [0x048a, 0x052f],
    [0x2010, 0x2027], // dashes, quotes, bullets
    [0x2030, 0x205e],
    [0x20a0, 0x20c0], // currency signs
    [0x2100, 0x214f], // letterlike symbols
    [0x3000, 0x3029], // CJK punctuation (302A-302F are combining)
    [0x3030, 0x303f],
    [0x3041, 0x3096], // Hiragana (3099-309A are combining)
    [0x309b, 0x30ff], // Katakana
    [0x3400, 0x4dbf], // CJK extension A
    [0x4e00, 0x9fff], // CJK unified ideographs
    [0xac00, 0xd7a3], // precomposed Hangul syllables (not the jamo, which combine)
    [0xf900, 0xfaff], // CJK compatibility ideographs
    [0xff01, 0xff9d], // full-width forms (FF9E-FF9F extend)
  ];
  for (const [from, to] of simpleRanges) table.fill(SIMPLE_UCS2, from, to + 1);
  for (const [code, septets] of Object.entries(UnicodeToGsm)) {
    table[Number(code)] = septets.length === 1 ? GSM_BASIC : GSM_EXTENDED;
  }
  return table;
}

const GSM_SINGLE = 160;
const GSM_PART = 153; // 1120 bits less a 6-octet concatenation header, in septets
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/**
 * Encoding and number of SMS parts for a body, as sms-segments-calculator counts them: GSM-7 when every
 * character is in the GSM 03.38 alphabet (extension characters take two septets), else UCS-2.
 * `forceUcs2` is Vonage's `type=unicode` and SMPP data_coding 8.
 */
export function countSegments(body: string, forceUcs2 = false): SegmentInfo {
  let gsm = !forceUcs2;
  let septets = 0;
  for (let i = 0; i < body.length; i++) {
    const cls = CHAR_CLASS[body.charCodeAt(i)];
    if (cls === OTHER) return fromLibrary(body, forceUcs2);
    if (cls === SIMPLE_UCS2) gsm = false;
    else septets += cls;
  }
  if (!gsm) {
    const units = body.length;
    return { encoding: 'UCS-2', segments: units <= UCS2_SINGLE ? 1 : Math.ceil(units / UCS2_PART) };
  }
  if (septets <= GSM_SINGLE) return { encoding: 'GSM-7', segments: 1 };
  return { encoding: 'GSM-7', segments: packGsmParts(body) };
}

/** Greedy packing into 153-septet parts; an escape pair is never split across two parts. */
function packGsmParts(body: string): number {
  let parts = 1;
  let used = 0;
  for (let i = 0; i < body.length; i++) {
    const size = CHAR_CLASS[body.charCodeAt(i)];
    if (used + size > GSM_PART) {
      parts++;
      used = 0;
    }
    used += size;
  }
  return parts;
}

function fromLibrary(body: string, forceUcs2: boolean): SegmentInfo {
  const message = new SegmentedMessage(body, forceUcs2 ? 'UCS-2' : 'auto');
  return { encoding: message.encodingName, segments: message.segmentsCount };
}
