import { parseAliyunTemplates, templateCode } from './aliyun.templates';

const corrections = [
  'card_reversed_full',
  'card_reversed_partial',
  'card_refunded_full',
  'card_refunded_partial',
].flatMap((key, i) => [`${key}:zh-CN=SMS_${i * 2 + 3}`, `${key}:en=SMS_${i * 2 + 4}`]);
const ok = ['card_authorised:zh-CN=SMS_1', 'card_authorised:en=SMS_2', ...corrections].join(',');
const withCorrections = (value: string) => [value, ...corrections].join(',');

describe('ALIYUN_TEMPLATES', () => {
  it('maps every template and locale onto its code', () => {
    const codes = parseAliyunTemplates(ok);
    expect(templateCode(codes, 'card_authorised', 'zh-CN')).toBe('SMS_1');
    expect(templateCode(codes, 'card_authorised', 'en')).toBe('SMS_2');
    expect(templateCode(codes, 'card_reversed_partial', 'en')).toBe('SMS_6');
  });

  it('needs a code for every correction template too', () => {
    expect(() => parseAliyunTemplates('card_authorised:zh-CN=SMS_1,card_authorised:en=SMS_2')).toThrow(
      /no template code for .*card_reversed_full:zh-CN.*card_refunded_partial:en/,
    );
  });

  it.each([
    [
      withCorrections('card_authorized:zh-CN=SMS_1,card_authorised:en=SMS_2'),
      /unknown template key\/locale 'card_authorized:zh-CN'/,
    ],
    ['card_authorised:fr=SMS_3,' + ok, /unknown template key\/locale 'card_authorised:fr'/],
    [withCorrections('card_authorised:zh-CN=SMS_1'), /no template code for card_authorised:en$/],
    [withCorrections('card_authorised:zh-CN=123,card_authorised:en=SMS_2'), /not an Aliyun template code/],
    [ok + ',card_authorised:en=SMS_3', /listed twice/],
    ['card_authorised=SMS_1', /not key:locale=TemplateCode/],
  ])('refuses %s', (value, message) => {
    expect(() => parseAliyunTemplates(value)).toThrow(message);
  });
});
