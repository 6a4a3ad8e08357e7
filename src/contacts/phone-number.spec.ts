import { normaliseMobile } from './phone-number';

describe('normaliseMobile', () => {
  it('accepts E.164 mobiles', () => {
    expect(normaliseMobile('+447911123456')).toEqual({ ok: true, e164: '+447911123456' });
    expect(normaliseMobile('+8613800138000')).toEqual({ ok: true, e164: '+8613800138000' });
  });
  it('normalises national numbers with a region', () => {
    expect(normaliseMobile('07911 123456', 'GB')).toEqual({ ok: true, e164: '+447911123456' });
    expect(normaliseMobile('138 0013 8000', 'cn')).toEqual({ ok: true, e164: '+8613800138000' });
  });
  it('rejects landlines, invalid and unparseable numbers', () => {
    expect(normaliseMobile('+442079460000')).toEqual({ ok: false, reason: 'NOT_MOBILE' });
    expect(normaliseMobile('+4477009')).toEqual({ ok: false, reason: 'INVALID_NUMBER' });
    expect(normaliseMobile('not a number')).toEqual({ ok: false, reason: 'UNPARSEABLE' });
    expect(normaliseMobile('07911 123456')).toEqual({ ok: false, reason: 'UNPARSEABLE' });
  });
});
