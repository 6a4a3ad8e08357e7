import { parseAliyunTemplates, templateCode } from './aliyun.templates';

const ok = 'card_authorised:zh-CN=SMS_1,card_authorised:en=SMS_2';

describe('ALIYUN_TEMPLATES', () => {
  it('maps every template and locale onto its code', () => {
    const codes = parseAliyunTemplates(ok);
    expect(templateCode(codes, 'card_authorised', 'zh-CN')).toBe('SMS_1');
    expect(templateCode(codes, 'card_authorised', 'en')).toBe('SMS_2');
  });

  it.each([
    [
      'card_authorized:zh-CN=SMS_1,card_authorised:en=SMS_2',
      /unknown template key\/locale 'card_authorized:zh-CN'/,
    ],
    ['card_authorised:fr=SMS_3,' + ok, /unknown template key\/locale 'card_authorised:fr'/],
    ['card_authorised:zh-CN=SMS_1', /no template code for card_authorised:en/],
    ['card_authorised:zh-CN=123,card_authorised:en=SMS_2', /not an Aliyun template code/],
    [ok + ',card_authorised:en=SMS_3', /listed twice/],
    ['card_authorised=SMS_1', /not key:locale=TemplateCode/],
  ])('refuses %s', (value, message) => {
    expect(() => parseAliyunTemplates(value)).toThrow(message);
  });
});
