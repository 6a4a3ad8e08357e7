// PCI DSS 3.4.1: a full card number (PAN) must never be stored, logged or forwarded. A PAN is a Luhn-valid
// run of 13-19 digits, written either without separators or in the groupings people and card printers use
// (4-4-4-4 with an optional 1-3 digit tail, or Amex's 4-6-5), with one kind of separator (space or dash).
// Free-form dashes are not accepted: identifiers such as UUIDs (8-4-4-4-12) have digit-only dash groups,
// and treating them as card numbers dead-lettered valid transactions.
const CANDIDATE =
  /(?<!\d[ -]?)(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{5})(?![ -]?\d)/g;

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

// A UUID's groups 2-4 and the first four characters of group 5 read as 4-4-4-4 when they happen to be
// digits ("42d30afc-8622-4327-9702-3286ca8edd6f"), one in ten of those Luhn-valid: about 3 in 100,000
// random UUIDs. A grouping inside a UUID is the UUID, not a card number.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function panRuns(text: string): Array<{ index: number; match: string }> {
  const runs: Array<{ index: number; match: string }> = [];
  const uuids = [...text.matchAll(UUID)].map((u) => ({ from: u.index, to: u.index + u[0].length }));
  const inUuid = (at: number, length: number) => uuids.some((u) => u.from <= at && at + length <= u.to);
  for (const m of text.matchAll(CANDIDATE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits) && !inUuid(m.index, m[0].length)) {
      runs.push({ index: m.index, match: m[0] });
    }
  }
  return runs;
}

export function containsCardNumber(text: string): boolean {
  return panRuns(text).length > 0;
}

/** Keeps the last 4 digits only (stricter than the 6+4 PCI allows: nothing downstream needs the BIN). */
export function maskCardNumbers(text: string): string {
  let out = '';
  let last = 0;
  for (const run of panRuns(text)) {
    const digits = run.match.replace(/[ -]/g, '');
    out += text.slice(last, run.index) + '*'.repeat(digits.length - 4) + digits.slice(-4);
    last = run.index + run.match.length;
  }
  return out + text.slice(last);
}
