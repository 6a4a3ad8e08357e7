import fc from 'fast-check';
import { parseConfig } from '../providers/provider-config';
import { ConfigError } from './config.schema';
import { decodeKey, parseDataKeys } from './data-protection.settings';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');

function problem(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('HISTORY_RETENTION_DAYS', () => {
  it('is 400 days unless set; 0 keeps the history for ever, whatever the personal data retention', () => {
    expect(parseConfig({}).HISTORY_RETENTION_DAYS).toBe(400);
    expect(
      parseConfig({ HISTORY_RETENTION_DAYS: '0', PERSONAL_DATA_RETENTION_DAYS: '90' }).HISTORY_RETENTION_DAYS,
    ).toBe(0);
    expect(parseConfig({ HISTORY_RETENTION_DAYS: '30' }).HISTORY_RETENTION_DAYS).toBe(30);
  });
});

describe('DATA_KEYS, DATA_KEY_CURRENT, DATA_HASH_KEY', () => {
  it('parses ids and keys in order; the first is current unless named', () => {
    const config = parseConfig({ DATA_KEYS: `k-2027:${key(1)}, k_2026:${key(2)}` });
    expect([...config.DATA_KEYS.keys()]).toEqual(['k-2027', 'k_2026']);
    expect(config.DATA_KEYS.get('k_2026')?.equals(Buffer.alloc(32, 2))).toBe(true);
    expect(
      parseConfig({ DATA_KEYS: `a:${key(1)},b:${key(2)}`, DATA_KEY_CURRENT: 'b' }).DATA_KEY_CURRENT,
    ).toBe('b');
  });

  it('stops start-up naming the setting and the entry, never printing a key', () => {
    const secret = key(7);
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ DATA_KEYS: `k1:${secret},k1:${key(8)}` }, 'DATA_KEYS', 'entry 2: key id k1 is listed twice'],
      [
        { DATA_KEYS: `k1:${secret.slice(4)}` },
        'DATA_KEYS',
        'entry 1 (k1): the key must be base64 of exactly 32',
      ],
      [{ DATA_KEYS: secret }, 'DATA_KEYS', 'entry 1: must be <key id>:<base64'],
      [{ DATA_KEYS: `bad id:${secret}` }, 'DATA_KEYS', 'entry 1: the key id must be'],
      [
        { DATA_KEYS: `k1:${secret}`, DATA_KEY_CURRENT: 'k9' },
        'DATA_KEY_CURRENT',
        'k9 is not a key id of DATA_KEYS',
      ],
      [{ DATA_HASH_KEY: 'short' }, 'DATA_HASH_KEY', 'must be base64 of exactly 32 bytes'],
      [
        { HISTORY_RETENTION_DAYS: '7' },
        'HISTORY_RETENTION_DAYS',
        '7 is shorter than PERSONAL_DATA_RETENTION_DAYS 30',
      ],
      [{ HISTORY_RETENTION_DAYS: '-1' }, 'HISTORY_RETENTION_DAYS', 'Too small'],
    ];
    for (const [env, setting, message] of cases) {
      const text = problem(env);
      expect(text).toContain(`${setting}: ${message}`);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(4));
    }
  });

  it('never accepts a hostile DATA_KEYS value without 32-byte keys under well-formed unique ids', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        const parsed = parseDataKeys(raw);
        if ('problem' in parsed) {
          expect(parsed.problem).toMatch(/^(entry \d+|at most 16 keys)/);
          return;
        }
        for (const [id, k] of parsed.keys) {
          expect(id).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
          expect(k).toHaveLength(32);
        }
      }),
    );
  });

  it('accepts exactly the canonical base64 of 32 bytes as a key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 48 }),
        fc.string({ maxLength: 3 }),
        (bytes, junk) => {
          const b64 = Buffer.from(bytes).toString('base64');
          expect(decodeKey(b64) !== undefined).toBe(bytes.length === 32);
          if (junk.length > 0 && bytes.length === 32) expect(decodeKey(b64 + junk)).toBeUndefined();
        },
      ),
    );
  });

  it('refuses the built-in demo keys in production, also renamed', () => {
    const demoBytes = key(0x5a);
    expect(problem({ NODE_ENV: 'production', DATA_KEYS: `mine:${demoBytes}` })).toContain(
      'DATA_KEYS: entry 1 is the built-in demo key',
    );
  });
});
