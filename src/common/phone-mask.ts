import { maskCardNumbers } from './card-number';

/** "+447911123456" -> "+44*******456": enough for a support agent to confirm a number with the caller. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const keepHead = phone.startsWith('+') ? 3 : 2;
  if (phone.length <= keepHead + 3) return '*'.repeat(phone.length);
  return phone.slice(0, keepHead) + '*'.repeat(phone.length - keepHead - 3) + phone.slice(-3);
}

// Free text (provider error texts, log lines) quotes numbers in whatever form the sender chose:
// "+15005550001", "447400123456" (Vonage), "+1 (500) 555-0001", "07400 123456", "To=%2B4474...". The rule:
//  - a span is digit groups, optionally in brackets, joined by one space, dash or dot (or a bracket
//    directly), after an optional "+" or its URL encoding "%2B";
//  - the span is split at spaces into pieces; neighbouring pieces are taken together, left to right, while
//    they hold at most 15 digits (E.164's maximum); a group of 7 to 15 digits is a phone number and all
//    its digits but the last 3 become "*" (separators and length stay, so the text still reads);
//  - a piece is never part of a number when it touches a letter, digit or "_" (or "-"/"." then one)
//    outside the span, so ids such as SM1a2b..., 0C000000217B7F02, txn-1234567, UUID groups, ISO times
//    (2026-12-01T...) stay whole; without a "+", dates (2026-12-01, 01.12.2026), IPv4 addresses and
//    decimals with one dot (balances, prices) stay whole too.
// Error codes (21211, 30003: 5 digits), HTTP statuses and amounts in minor units stay; so does a 16+ digit
// run (a card number is the card masker's; an id is not a phone). What cannot be told apart from a phone
// number is masked: a bare run of 7-15 digits in text (an epoch in ms, a large Kafka offset as a string).
// Between two digits of a span there are at most two characters of [ ().-]: a cheap test that a text may hold
// a span of 7 digits, before the spans are looked at.
const MAYBE = /\d(?:[ ().-]{0,2}\d){6}/;
const SPAN = /(\+|%2[Bb])?(?:\(\d+\)|\d+)(?:[ .-](?:\(\d+\)|\d+)|\(\d+\)|(?<=\))\d+)*/g;
const MIN_DIGITS = 7;
const MAX_DIGITS = 15;
const KEEP = 3;
const WORD = /[A-Za-z0-9_]/;
const NOT_A_NUMBER = [
  /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$/, // 2026-12-01
  /^\d{1,2}[-./]\d{1,2}[-./]\d{4}$/, // 01.12.2026
  /^\d{1,3}(?:\.\d{1,3}){3}$/, // 127.0.0.1
  /^\d+\.\d+$/, // 15.53590000
];

interface Piece {
  start: number;
  end: number;
  digits: number;
  barrier: boolean;
}

/** Masks every phone number in free text (the rule above); text without one comes back unchanged. */
export function scrubPhoneNumbers(text: string): string {
  if (text.length < MIN_DIGITS || !MAYBE.test(text)) return text;
  let out = '';
  let last = 0;
  for (const m of text.matchAll(SPAN)) {
    const prefix = m[1]?.length ?? 0;
    if (countDigits(m[0]) - (prefix === 3 ? 1 : 0) < MIN_DIGITS) continue;
    for (const [from, to] of numbersIn(text, m.index, m.index + m[0].length, prefix > 0, prefix)) {
      out += text.slice(last, from) + maskDigits(text.slice(from, to));
      last = to;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/** The [start, end) ranges of the span (after its prefix) that are phone numbers. */
function numbersIn(
  text: string,
  start: number,
  end: number,
  plus: boolean,
  prefix: number,
): Array<[number, number]> {
  const pieces = piecesOf(text, start + prefix, end, plus);
  if (!boundedBefore(text, start)) pieces[0].barrier = true;
  if (!boundedAfter(text, end)) pieces[pieces.length - 1].barrier = true;
  const found: Array<[number, number]> = [];
  let group: Piece | undefined;
  const close = () => {
    if (group && group.digits >= MIN_DIGITS) found.push([group.start, group.end]);
    group = undefined;
  };
  for (const piece of pieces) {
    if (piece.barrier || piece.digits > MAX_DIGITS) {
      close();
      continue;
    }
    if (group && group.digits + piece.digits <= MAX_DIGITS) {
      group = { ...group, end: piece.end, digits: group.digits + piece.digits };
    } else {
      close();
      group = { ...piece };
    }
  }
  close();
  return found;
}

function piecesOf(text: string, start: number, end: number, plus: boolean): Piece[] {
  const pieces: Piece[] = [];
  let at = start;
  for (const part of text.slice(start, end).split(' ')) {
    const digits = countDigits(part);
    // Only the first piece follows the "+"; the others may be dates or amounts after a number.
    const signed = plus && pieces.length === 0;
    pieces.push({
      start: at,
      end: at + part.length,
      digits,
      barrier: !signed && NOT_A_NUMBER.some((r) => r.test(part)),
    });
    at += part.length + 1;
  }
  return pieces;
}

function countDigits(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  return digits;
}

function boundedBefore(text: string, start: number): boolean {
  const c = text[start - 1];
  if (c === undefined) return true;
  // A JSON escape such as "\n" before the number is not part of a word.
  if (text[start - 2] === '\\' && 'nrtbf'.includes(c)) return true;
  if (WORD.test(c)) return false;
  return !((c === '-' || c === '.') && WORD.test(text[start - 2] ?? ''));
}

function boundedAfter(text: string, end: number): boolean {
  const c = text[end];
  if (c === undefined) return true;
  if (WORD.test(c)) return false;
  return !((c === '-' || c === '.') && /[A-Za-z_]/.test(text[end + 1] ?? ''));
}

function maskDigits(number: string): string {
  let keep = KEEP;
  let out = '';
  for (let i = number.length - 1; i >= 0; i--) {
    const c = number[i];
    const digit = c >= '0' && c <= '9';
    out = (digit && keep-- <= 0 ? '*' : c) + out;
  }
  return out;
}

/** Card numbers (last 4 kept) and then phone numbers (last 3 kept) masked: for text that leaves the process. */
export function scrubPersonalData(text: string): string {
  return scrubPhoneNumbers(MAYBE_CARD.test(text) ? maskCardNumbers(text) : text);
}

// A card number is 13-19 digits with at most one space or dash between two of them (card-number.ts).
const MAYBE_CARD = /\d(?:[ -]?\d){12}/;
