import { SegmentedMessage } from 'sms-segments-calculator';
import { countSegments } from './sms-segments';

function library(body: string, forceUcs2 = false) {
  const m = new SegmentedMessage(body, forceUcs2 ? 'UCS-2' : 'auto');
  return { encoding: m.encodingName, segments: m.segmentsCount };
}

// A small deterministic generator, so a failure names a reproducible input.
function* randomBodies(alphabet: string[], count: number, seed: number): Generator<string> {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) & 0x7fffffff);
  for (let n = 0; n < count; n++) {
    const length = next() % 400;
    let body = '';
    for (let i = 0; i < length; i++) body += alphabet[next() % alphabet.length];
    yield body;
  }
}

describe('countSegments', () => {
  it.each([
    ['', 'GSM-7', 1],
    ['Hello World', 'GSM-7', 1],
    ['x'.repeat(160), 'GSM-7', 1],
    ['x'.repeat(161), 'GSM-7', 2],
    ['x'.repeat(306), 'GSM-7', 2],
    ['x'.repeat(307), 'GSM-7', 3],
    ['€'.repeat(80), 'GSM-7', 1], // extension characters take two septets
    ['€'.repeat(81), 'GSM-7', 2],
    ['您'.repeat(70), 'UCS-2', 1],
    ['您'.repeat(71), 'UCS-2', 2],
    ['您的卡尾号'.repeat(40), 'UCS-2', 3], // 200 characters
  ])('%j is %s in %i part(s)', (body, encoding, segments) => {
    expect(countSegments(body)).toEqual({ encoding, segments });
    expect(library(body)).toEqual({ encoding, segments });
  });

  it('never splits an escape pair across parts, like the library', () => {
    const body = 'a'.repeat(152) + '€' + 'b'.repeat(10);
    expect(countSegments(body)).toEqual(library(body));
  });

  it('forces UCS-2 for type=unicode even on GSM text', () => {
    expect(countSegments('x'.repeat(71), true)).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(countSegments('x'.repeat(71), true)).toEqual(library('x'.repeat(71), true));
  });

  it('falls back to the library for emoji, combining marks and CR LF mixes', () => {
    for (const body of ['card 😀 used', 'e\u0301'.repeat(90), 'line\r\nline', '👍🏽'.repeat(40)]) {
      expect(countSegments(body)).toEqual(library(body));
    }
  });

  it('agrees with the library on random GSM, Chinese, Latin and mixed texts', () => {
    const gsm = [...'abcXYZ0129 .,:;!?@£$¥èéÇ\nÅΔ_ΦΓ€^{}[]~|\\'];
    const zh = [...'您的卡尾号消费人民币元请注意安全。，！'];
    const latin = [...'àáâãçñüößøœŁłŒ'];
    const mixed = [...gsm, ...zh, ...latin, ...'ΩЖжあア한글ｶ₹'];
    for (const [alphabet, seed] of [
      [gsm, 1],
      [zh, 2],
      [latin, 3],
      [mixed, 4],
    ] as const) {
      for (const body of randomBodies(alphabet, 150, seed)) {
        expect({ body, ...countSegments(body) }).toEqual({ body, ...library(body) });
        expect({ body, ...countSegments(body, true) }).toEqual({ body, ...library(body, true) });
      }
    }
  });
});
