// PCI DSS 3.4.1: a full card number (PAN) must never be stored, logged or forwarded. A PAN is a Luhn-valid
// 13-19 digits that a reader would take for one number: a whole run of digits, or digit groups in the
// shapes card printers and people use (4-4-4-4 with a 1-4 digit last group, Amex 4-6-5, Diners 4-6-4, or
// every digit on its own), joined by short runs (1-3) of any characters that are neither letters nor
// digits ("4111 1111-1111.1111", "4 1 1 1 ..."). A digit group may hide one of these shapes inside a longer
// chain ("4111 1111 1111 1111 9"), so every sub-chain is tried. Not a PAN: a longer run of digits (only the
// whole run counts) and free-form groupings such as a UUID's 8-4-4-4-12 (UUIDs are skipped entirely), which
// otherwise dead-lettered valid transactions.
//
// The check runs on the text as written and on its decoded form: JSON escapes undone ("\u0034"), Unicode
// NFKC (fullwidth and mathematical digits), any other decimal digit (\p{Nd}: Arabic-Indic, Devanagari, ...)
// mapped to ASCII, and invisible characters (format characters such as zero-width spaces and bidi marks,
// combining marks, controls, lone surrogates) removed.

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const GAP = /^[^\p{L}\p{N}]{1,3}$/u;
const MAX_DIGITS = 19;
const MIN_DIGITS = 13;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

interface Run {
  start: number;
  end: number;
  digits: string;
}

function cardShaped(lengths: number[]): boolean {
  if (lengths.length === 1 || lengths.every((l) => l === 1)) return true;
  const last = lengths[lengths.length - 1];
  if (lengths.slice(0, -1).every((l) => l === 4) && last >= 1 && last <= 4) return true;
  return (
    lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (lengths[2] === 5 || lengths[2] === 4)
  );
}

/** Spans of `text` that hold a card number, in order; overlapping finds are merged. ASCII digits only. */
function panRuns(text: string): Run[] {
  let count = 0;
  for (let i = 0; i < text.length && count < MIN_DIGITS; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) count++;
  }
  if (count < MIN_DIGITS) return [];
  const scan = text.includes('-') ? text.replace(UUID, (m) => 'u'.repeat(m.length)) : text;
  const groups = [...scan.matchAll(/\d+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    d: m[0],
  }));
  const spans: Array<[number, number]> = [];
  let chainStart = 0;
  for (let g = 0; g < groups.length; g++) {
    if (g === 0 || !GAP.test(scan.slice(groups[g - 1].end, groups[g].start))) chainStart = g;
    // Every sub-chain ending at g, up to 19 digits, is a candidate.
    let digits = '';
    const lengths: number[] = [];
    for (let i = g; i >= chainStart; i--) {
      digits = groups[i].d + digits;
      lengths.unshift(groups[i].d.length);
      if (digits.length > MAX_DIGITS) break;
      if (digits.length < MIN_DIGITS || !cardShaped(lengths) || !luhnValid(digits)) continue;
      const last = spans[spans.length - 1];
      if (last && last[1] >= i) last[1] = g;
      else spans.push([i, g]);
      break;
    }
  }
  return spans.map(([i, j]) => ({
    start: groups[i].start,
    end: groups[j].end,
    digits: groups
      .slice(i, j + 1)
      .map((x) => x.d)
      .join(''),
  }));
}

const zeroOf = new Map<number, number>();
const isDecimal = (cp: number) => /\p{Nd}/u.test(String.fromCodePoint(cp));

// Unicode assigns decimal digits only in contiguous runs of ten, from 0 to 9, so a digit's value is its
// distance from the start of its run, modulo ten.
function decimalValue(ch: string): string {
  const cp = ch.codePointAt(0) ?? 48;
  let start = zeroOf.get(cp);
  if (start === undefined) {
    start = cp;
    while (isDecimal(start - 1)) start--;
    zeroOf.set(cp, start);
  }
  return String((cp - start) % 10);
}

/** Undoes JSON string escapes one level (also in text that is not valid JSON). */
export function unescapeJson(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(["\\/bfnrt]))/g, (_, hex: string | undefined, c: string) => {
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    return ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? c;
  });
}

/** The text as a reader sees its digits: NFKC, every decimal digit in ASCII, invisible characters removed. */
export function normaliseDigits(text: string): string {
  if (!/[^\x20-\x7e]/.test(text)) return text;
  return text
    .normalize('NFKC')
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(/[\p{Cf}\p{M}\p{Cc}\p{Cs}]/gu, '')
    .replace(/[^\x00-\x7f]/gu, (c) => (/\p{Nd}/u.test(c) ? decimalValue(c) : c));
}

const decoded = (text: string) => normaliseDigits(unescapeJson(text));

export function containsCardNumber(text: string): boolean {
  if (panRuns(text).length > 0) return true;
  const plain = decoded(text);
  return plain !== text && panRuns(plain).length > 0;
}

function maskRuns(text: string): string {
  let out = '';
  let last = 0;
  for (const run of panRuns(text)) {
    out += text.slice(last, run.start) + '*'.repeat(run.digits.length - 4) + run.digits.slice(-4);
    last = run.end;
  }
  return out + text.slice(last);
}

/**
 * Keeps the last 4 digits only (stricter than the 6+4 PCI allows: nothing downstream needs the BIN). A PAN
 * written plainly is masked in place and the rest of the text is kept as it was; when a PAN shows only in
 * the decoded form (escapes, other digits, invisible characters), the decoded form is returned, masked.
 */
export function maskCardNumbers(text: string): string {
  const masked = maskRuns(text);
  const plain = decoded(masked);
  if (plain === masked || panRuns(plain).length === 0) return masked;
  return maskRuns(plain);
}
