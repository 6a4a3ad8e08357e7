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

function panRuns(text: string): Array<{ index: number; match: string }> {
  const runs: Array<{ index: number; match: string }> = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) {
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
