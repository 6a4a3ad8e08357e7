import fc from 'fast-check';
import { classifyReply, normaliseReply } from './reply-classifier';

const runs = Number(process.env.FUZZ_RUNS ?? 300);
const reported = (text: string) => classifyReply(text).classification;

describe('the reply classifier', () => {
  it.each([
    ['NOT ME', 'not me'],
    ['not me', 'not me'],
    ['Not me!!! block the card', 'not me'],
    ['ＮＯＴ　ＭＥ', 'not me'],
    ['\tnot\nme', 'not me'],
    ['NOTME', 'notme'],
    ["wasn't me", 'wasnt me'],
    ['Wasn’t me.', 'wasnt me'],
    ['FRAUD', 'fraud'],
    ['Ｆｒａｕｄ！', 'fraud'],
    ['\u200BFRAUD', 'fraud'],
    ['unauthorized', 'unauthorized'],
    ['不是我', '不是我'],
    ['不是我本人消费的', '不是我'],
    ['不 是 我', '不是我'],
    ['非本人', '非本人'],
    ['非本人操作！', '非本人'],
    ['盗刷了', '盗刷'],
    ['盜刷', '盜刷'],
    ['「不是我」', '不是我'],
  ])('%j is an unrecognised transaction (%s)', (text, keyword) => {
    expect(classifyReply(text)).toEqual({ classification: 'NOT_RECOGNISED', keyword });
  });

  it.each([
    'yes that was me',
    'not fraud, thanks',
    'This is fraud?', // a question, and the keyword is not at the start: kept as text for the fraud team
    'notmeal',
    'fraudster',
    '是我，不是盗刷',
    '是本人',
    'OK',
    '',
    '   ',
    '!!!',
  ])('%j is kept as text (OTHER)', (text) => {
    expect(classifyReply(text)).toEqual({ classification: 'OTHER', keyword: null });
  });

  it('normalises width, case, invisible characters, apostrophes and punctuation', () => {
    expect(normaliseReply('  ＮＯＴ\u00A0\u200Dme…  ')).toBe('not me');
    expect(normaliseReply("Wasn't—ME")).toBe('wasnt me');
  });

  it('answers for any string, of any length, without throwing, and only with its two readings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 4000 }), fc.string()), (text) => {
        const r = classifyReply(text);
        expect(['NOT_RECOGNISED', 'OTHER']).toContain(r.classification);
        expect(r.keyword === null).toBe(r.classification === 'OTHER');
      }),
      { numRuns: runs },
    );
  });

  it('reads a keyword the same whatever follows it or however it is dressed', () => {
    const dress = fc.constantFrom(
      (s: string) => s.toUpperCase(),
      (s: string) => s.replace(/[a-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
      (s: string) => `  ${s}`,
      (s: string) => `"${s}"`,
      (s: string) => s.replace(/ /g, '\u3000'),
    );
    const keyword = fc.constantFrom('not me', 'fraud', '不是我', '非本人');
    const tail = fc.oneof(
      fc.constant(''),
      fc.string().map((t) => ` ${t}`),
      fc.string({ unit: 'binary' }).map((t) => `! ${t}`),
    );
    fc.assert(
      fc.property(keyword, dress, tail, (k, d, t) => {
        expect(reported(d(k) + t)).toBe('NOT_RECOGNISED');
      }),
      { numRuns: runs },
    );
  });

  it('looks at the head only: a huge hostile reply is read in bounded work', () => {
    expect(reported('NOT ME ' + '\u0301'.repeat(1_000_000))).toBe('NOT_RECOGNISED');
    expect(reported('x'.repeat(1_000_000) + 'NOT ME')).toBe('OTHER');
  });
});
