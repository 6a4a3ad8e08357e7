/** A production deployment with every secret and address of its own (none of them real). */
export const PRODUCTION_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  API_KEYS:
    '7f3c9a1e5b2d8f4a6c0e9b3d7a1f5c2e8b4d6a0f:support,c4e8a2f6b0d9e3a7c1f5b8d2e6a0c4f9b3d7e1a5:supervisor',
  PUBLIC_BASE_URL: 'https://alerts.bank.example',
  TWILIO_ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  TWILIO_AUTH_TOKEN: '9b1d5f3a7c2e8b4d6a0f9c3e7b1d5a2f',
  VONAGE_API_KEY: 'a1b2c3d4',
  VONAGE_API_SECRET: 'Vx9kP2mQ7rT4wZ8n',
  VONAGE_SIGNATURE_SECRET: 'h7Gk2Lp9Qx4Vm8Rt3Wz6Yc1Nb5Df0Sj',
  SMPP_PASSWORD: 'Q7m2Xp9w',
  SMPP_HOST: 'smsc.carrier.example',
  ALIYUN_ACCESS_KEY_ID: 'LTAI5tBankProduction',
  ALIYUN_ACCESS_KEY_SECRET: 'q3Vt8Lm2Xw7Rk9Pz4Nc6Hb1Jf5Gd0Sa',
  ALIYUN_RECEIPT_SECRET: 'Zr4Wq8Tn2Ym6Pk0Vx5Lc9Hb3Jd7Fg1Sa',
  ALIYUN_TEMPLATES:
    'card_authorised:zh-CN=SMS_465820001,card_authorised:en=SMS_465820002,card_reversed_full:zh-CN=SMS_465820003,card_reversed_full:en=SMS_465820004,card_reversed_partial:zh-CN=SMS_465820005,card_reversed_partial:en=SMS_465820006,card_refunded_full:zh-CN=SMS_465820007,card_refunded_full:en=SMS_465820008,card_refunded_partial:zh-CN=SMS_465820009,card_refunded_partial:en=SMS_465820010',
  TENCENT_SECRET_ID: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
  TENCENT_SECRET_KEY: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  TENCENT_SMS_SDK_APP_ID: '1400787878',
  TENCENT_TEMPLATES:
    'card_authorised:zh-CN=1783201,card_authorised:en=1783202,card_reversed_full:zh-CN=1783203,card_reversed_full:en=1783204,card_reversed_partial:zh-CN=1783205,card_reversed_partial:en=1783206,card_refunded_full:zh-CN=1783207,card_refunded_full:en=1783208,card_refunded_partial:zh-CN=1783209,card_refunded_partial:en=1783210',
  TENCENT_CALLBACK_TOKEN: 'c2d9e7f1a4b8c3e6d0f5a9b2c7e1d4f8',
  DATA_KEYS: 'k2026:3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs=',
  DATA_HASH_KEY: 'yv66vgABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs=',
};

/** The settings NODE_ENV=production refuses when nothing else is set (every provider in PROVIDERS). */
export const REFUSED_WHEN_UNSET = [
  'ALIYUN_ACCESS_KEY_ID',
  'ALIYUN_ACCESS_KEY_SECRET',
  'ALIYUN_RECEIPT_SECRET',
  'ALIYUN_TEMPLATES',
  'API_KEYS',
  'DATA_HASH_KEY',
  'DATA_KEYS',
  'PUBLIC_BASE_URL',
  'SMPP_HOST',
  'SMPP_PASSWORD',
  'TENCENT_CALLBACK_TOKEN',
  'TENCENT_SECRET_ID',
  'TENCENT_SECRET_KEY',
  'TENCENT_SMS_SDK_APP_ID',
  'TENCENT_TEMPLATES',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'VONAGE_API_KEY',
  'VONAGE_API_SECRET',
  'VONAGE_SIGNATURE_SECRET',
];
