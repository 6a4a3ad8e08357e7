import { normaliseMobile } from '../contacts/phone-number';
import { ukMobile } from './sample-data';

describe('ukMobile', () => {
  it('always gives a number ingest accepts as a mobile', () => {
    for (const i of [
      0,
      1,
      99_999_999,
      100_000_000,
      12_345_678,
      ...Array.from({ length: 500 }, (_, k) => k * 199_999),
    ]) {
      expect(normaliseMobile(ukMobile(i))).toEqual({ ok: true, e164: ukMobile(i) });
    }
  });
});
