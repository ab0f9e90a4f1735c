import { k8s } from '../plus';
import { PropValidator } from '../validate';
import { SECRET_LIKE } from './types';

/** A URL with a password in it (`scheme://user:password@host`). */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Literal `env` variables; refuses values that look like secrets. Adds each name to `names`. */
export function buildLiteralEnv(v: PropValidator, env: Record<string, string> | undefined, names: Set<string>): k8s.EnvVar[] {
  const out: k8s.EnvVar[] = [];
  for (const [key, value] of Object.entries(env ?? {})) {
    v.envName(`env.${key}`, key);
    v.check(typeof value === 'string', `env.${key}`, value, 'must be a string.');
    if ((SECRET_LIKE.test(key) && value !== '') || URL_WITH_PASSWORD.test(value)) {
      v.fail(`env.${key}`, '(value hidden)', `looks like a secret: literal secret values would be written into the manifest in plain text. Use secretEnv: { ${key}: SecretRef.fromSecret('name', 'key') } or SecretRef.fromAwsSecretsManager({ remoteName }) instead.`);
    }
    names.add(key);
    out.push({ name: key, value });
  }
  return out;
}
