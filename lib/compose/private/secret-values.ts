import { SECRET_LIKE } from '../../workloads/private/pod/types';

const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
const KEY_NAME = /(^|_)(KEY|KEYS|AUTH|SALT|SIGNATURE|DSN|CERT|PEM)($|_)/i;
const KEY_VALUE = [
  /^-----BEGIN [A-Z ]+-----/, // PEM
  /^(AKIA|ASIA)[A-Z0-9]{16}$/, // AWS access key id
  /^(sk|pk|rk)_(live|test)_[A-Za-z0-9]{10,}/, // Stripe
  /^gh[pousr]_[A-Za-z0-9]{20,}/, // GitHub
  /^xox[abprs]-[A-Za-z0-9-]{10,}/, // Slack
  /^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, // JWT
];

/** Bits of entropy per character of `text`. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/** A random-looking token: 24+ characters of one alphabet, letters and digits mixed, high entropy. */
function looksRandom(value: string): boolean {
  return value.length >= 24 && /^[A-Za-z0-9+/=_.-]+$/.test(value) && /\d/.test(value) && /[A-Za-z]/.test(value)
    && !/^[a-z0-9.-]+$/.test(value) && entropy(value) >= 4;
}

/**
 * Whether an environment variable must become a SecretRef: its name looks like a secret (PASSWORD, TOKEN,
 * SECRET, API_KEY, *_KEY, CREDENTIAL...), or its value looks like one (a URL with a password, a PEM block, a
 * known key format, a random-looking token). The library refuses the same names and values in `env`.
 */
export function isSecretLooking(name: string, value: string | undefined): boolean {
  if (SECRET_LIKE.test(name) || KEY_NAME.test(name)) return true;
  if (value === undefined) return false;
  return URL_WITH_PASSWORD.test(value) || KEY_VALUE.some(r => r.test(value)) || looksRandom(value);
}
