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
  DATA_KEYS: 'k2026:3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs=',
  DATA_HASH_KEY: 'yv66vgABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs=',
};

/** The settings NODE_ENV=production refuses when nothing else is set (every provider in PROVIDERS). */
export const REFUSED_WHEN_UNSET = [
  'API_KEYS',
  'DATA_HASH_KEY',
  'DATA_KEYS',
  'PUBLIC_BASE_URL',
  'SMPP_HOST',
  'SMPP_PASSWORD',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'VONAGE_API_KEY',
  'VONAGE_API_SECRET',
  'VONAGE_SIGNATURE_SECRET',
];
