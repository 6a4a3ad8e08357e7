import { AppConfig } from '../../config/app-config';
import { DataCipher } from '../data-cipher';

/** The cipher a process gets from `env` (default: the built-in demo keys), for specs wiring classes by hand. */
export function testCipher(env: NodeJS.ProcessEnv = {}): DataCipher {
  return new DataCipher(AppConfig.fromEnv(env, []));
}
