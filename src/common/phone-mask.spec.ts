import { maskPhone } from './phone-mask';

describe('maskPhone', () => {
  it('keeps country code and last three digits', () => {
    expect(maskPhone('+447911123456')).toBe('+44*******456');
    expect(maskPhone('+8613800138000')).toBe('+86********000');
  });
  it('hides short values entirely and passes null through', () => {
    expect(maskPhone('+1234')).toBe('*****');
    expect(maskPhone(null)).toBeNull();
  });
});
