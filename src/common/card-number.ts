// PCI DSS 3.4.1: a full card number (PAN) must never be stored, logged or forwarded. Any Luhn-valid run of
// 13-19 digits (optionally split by single spaces or dashes, as people type them) counts as a PAN.
const CANDIDATE = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;

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
