/**
 * The core settings that are credentials, or carry them (a database or Redis URL holds its password): a
 * deployment keeps them in a secret store, never beside the plain settings. Each provider lists its own in
 * its settings block (VendorSettings.secrets); the Kubernetes manifests read exactly these plus those from a
 * Secret (src/config/k8s-manifests.spec.ts holds them to it), and a new setting whose name says token,
 * secret, password or key must be listed or that spec fails.
 */
export const SECRET_SETTINGS = [
  'DATABASE_URL',
  'REDIS_URL',
  'API_KEYS',
  'DATA_KEYS',
  'DATA_HASH_KEY',
] as const;
