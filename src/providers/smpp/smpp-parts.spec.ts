import { splitForSmpp } from './smpp-parts';

const texts = (parts: ReturnType<typeof splitForSmpp>['parts']) =>
  parts.map((p) => (typeof p.shortMessage === 'string' ? p.shortMessage : p.shortMessage.message));

describe('splitForSmpp', () => {
  it('keeps a short text in one part without a UDH', () => {
    const split = splitForSmpp('Your card ending 4242 was used', false);
    expect(split).toEqual({ dataCoding: 0, parts: [{ shortMessage: 'Your card ending 4242 was used' }] });
  });

  it('sends 200 Chinese characters as 3 UCS-2 parts of at most 67, with one reference', () => {
    const body = '您'.repeat(200);
    const { dataCoding, parts } = splitForSmpp(body, true);
    expect(dataCoding).toBe(8);
    expect(texts(parts).map((t) => t.length)).toEqual([67, 67, 66]);
    expect(texts(parts).join('')).toBe(body);
    const udhs = parts.map((p) => (typeof p.shortMessage === 'string' ? null : [...p.shortMessage.udh]));
    const ref = udhs[0]![3];
    expect(udhs).toEqual([1, 2, 3].map((seq) => [0x05, 0x00, 0x03, ref, 3, seq]));
  });

  it('counts GSM escape characters as two septets and never splits them', () => {
    const body = `${'a'.repeat(152)}€${'b'.repeat(10)}`;
    const parts = texts(splitForSmpp(body, false).parts);
    expect(parts[0]).toBe('a'.repeat(152));
    expect(parts[1].startsWith('€')).toBe(true);
    expect(parts.join('')).toBe(body);
  });

  it('never cuts a surrogate pair', () => {
    const body = `${'中'.repeat(66)}😀${'中'.repeat(10)}`;
    const parts = texts(splitForSmpp(body, true).parts);
    expect(parts[0]).toBe('中'.repeat(66));
    expect(parts[1].startsWith('😀')).toBe(true);
  });
});
