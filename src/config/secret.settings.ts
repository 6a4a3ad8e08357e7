/**
 * The settings that are credentials, or carry them (a database or Redis URL holds its password): a
 * deployment keeps them in a secret store, never beside the plain settings. The Kubernetes manifests
 * read exactly these from a Secret (src/config/k8s-manifests.spec.ts holds them to it), and a new setting
 * whose name says token, secret, password or key must be listed here or that spec fails.
 */
export const SECRET_SETTINGS = [
  'DATABASE_URL',
  'REDIS_URL',
  'API_KEYS',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'VONAGE_API_KEY',
  'VONAGE_API_SECRET',
  'VONAGE_SIGNATURE_SECRET',
  'SMPP_SYSTEM_ID',
  'SMPP_PASSWORD',
  'DATA_KEYS',
  'DATA_HASH_KEY',
] as const;
