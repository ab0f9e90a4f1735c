import { IConstruct } from 'constructs';
import { propError, show, ValidationError } from '../../errors';

export { show, ValidationError };

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** Whether a value is a placeholder resolved only at deploy time (a CDK token). */
export type IsUnresolved = (value: unknown) => boolean;

/**
 * Validates the props of one construct: the library's one validator, for workloads (cdk8s) and for CDK-side
 * constructs alike. Every check throws a {@link ValidationError} that names the construct path, the prop and
 * the value, and says what is allowed, e.g.
 * `[acme-eks/Network] PlatformNetwork.azCount is 4: must be an integer from 2 to 3.`
 *
 * CDK-side constructs pass `Token.isUnresolved` as `isUnresolved` (this layer never imports aws-cdk-lib):
 * values known only at deploy time then pass the numeric, CIDR and list checks.
 */
export class PropValidator {
  constructor(
    private readonly scope: IConstruct,
    private readonly kind: string,
    private readonly isUnresolved: IsUnresolved = () => false,
    private readonly propPrefix = '',
  ) {}

  /**
   * The same validator with `prefix` before every prop name, e.g. `sidecars[0].`: the checks written for a
   * workload's own props then name the props of a part of it.
   */
  prefixed(prefix: string): PropValidator {
    return new PropValidator(this.scope, this.kind, this.isUnresolved, `${this.propPrefix}${prefix}`);
  }

  /** Throws the standard error for `prop`. */
  fail(prop: string, value: unknown, allowed: string): never {
    throw propError(this.scope.node.path, this.kind, `${this.propPrefix}${prop}`, value, allowed);
  }

  /** A check that holds or fails with the standard message. */
  check(ok: boolean, prop: string, value: unknown, allowed: string): void {
    if (!ok) this.fail(prop, value, allowed);
  }

  /** A DNS-1123 label: what most Kubernetes object names must be (StatefulSet, Deployment, Namespace...). */
  dnsLabel(prop: string, value: string, max = 63): string {
    this.check(typeof value === 'string' && value.length <= max && DNS1123_LABEL.test(value), prop, value,
      `must be a DNS-1123 label: at most ${max} lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. "my-app").`);
    return value;
  }

  /** A DNS-1035 label: Service names (must start with a letter). */
  serviceName(prop: string, value: string): string {
    this.check(typeof value === 'string' && value.length <= 63 && DNS1035_LABEL.test(value), prop, value,
      'must be a DNS-1035 label (a Service name): at most 63 lowercase letters, digits and \'-\', starting with a letter and ending with a letter or digit (e.g. "web").');
    return value;
  }

  /** A DNS-1123 subdomain (ConfigMap, Secret names). */
  dnsSubdomain(prop: string, value: string): string {
    this.check(typeof value === 'string' && value.length <= 253 && DNS1123_SUBDOMAIN.test(value), prop, value,
      'must be a DNS-1123 subdomain: at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit.');
    return value;
  }

  /** A label value (at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends, or empty). */
  labelValue(prop: string, value: string): string {
    this.check(typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value), prop, value,
      'must be a valid label value: at most 63 characters of letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit.');
    return value;
  }

  /** A label key (optional DNS prefix, '/', name). */
  labelKey(prop: string, value: string): string {
    const [prefix, name] = value.includes('/') ? value.split(/\/(.*)/s, 2) : [undefined, value];
    const ok = (prefix === undefined || (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix)))
      && name !== undefined && name.length >= 1 && name.length <= 63 && LABEL_VALUE.test(name);
    this.check(ok, prop, value, 'must be a valid label or annotation key: an optional DNS subdomain prefix and \'/\', then at most 63 characters of letters, digits, \'-\', \'_\' and \'.\'.');
    return value;
  }

  /** An environment variable name. */
  envName(prop: string, value: string): string {
    this.check(typeof value === 'string' && ENV_NAME.test(value), prop, value,
      'must be a valid environment variable name: letters, digits, \'_\', \'-\' and \'.\', not starting with a digit.');
    return value;
  }

  /** A host name for an Ingress rule (a wildcard is allowed as the first label only). */
  hostname(prop: string, value: string): string {
    this.check(typeof value === 'string' && value.length <= 253 && HOSTNAME.test(value), prop, value,
      'must be a fully qualified lowercase DNS name such as "app.example.com" (a leading "*." wildcard is allowed); no scheme, port or path.');
    this.check(!isIpv4(value), prop, value, 'must be a DNS name, not an IP address (the API server refuses an IP as a host): route a name such as "app.example.com" to it.');
    return value;
  }

  /** An integer in [min, max] (an unresolved token passes). */
  integer(prop: string, value: number, min: number, max: number, what = ''): number {
    if (this.isUnresolved(value)) return value;
    this.check(Number.isInteger(value) && value >= min && value <= max, prop, value,
      `must be an integer from ${min} to ${max}${what ? ` (${what})` : ''}.`);
    return value;
  }

  /** A network port (1-65535). */
  port(prop: string, value: number): number {
    return this.integer(prop, value, 1, 65535);
  }

  /** A percentage (1-100 unless `min` says otherwise). */
  percent(prop: string, value: number, min = 1): number {
    return this.integer(prop, value, min, 100, 'a percentage');
  }

  /** An absolute path inside a container. */
  absolutePath(prop: string, value: string): string {
    this.check(typeof value === 'string' && value.startsWith('/') && !value.includes('..') && !/\s/.test(value) && value.length > 1,
      prop, value, 'must be an absolute path inside the container such as "/var/cache/nginx" (no "..", no spaces, not "/").');
    return value;
  }

  /** No duplicates among `values`; `describe` says what a value is. */
  unique<T>(prop: string, values: T[], describe = 'value'): void {
    const seen = new Set<string>();
    for (const v of values) {
      const key = typeof v === 'string' ? v : JSON.stringify(v);
      if (seen.has(key)) this.fail(prop, v, `each ${describe} may appear only once.`);
      seen.add(key);
    }
  }

  /** An IPv4 CIDR block such as "10.0.0.0/16", with a prefix length in [minPrefix, maxPrefix] (a token passes). */
  cidr(prop: string, value: string, minPrefix = 0, maxPrefix = 32): string {
    if (this.isUnresolved(value)) return value;
    const ok = typeof value === 'string' && IPV4_CIDR.test(value);
    const prefix = ok ? Number(value.split('/')[1]) : NaN;
    this.check(ok && prefix >= minPrefix && prefix <= maxPrefix, prop, value,
      `must be an IPv4 CIDR block with a prefix length from /${minPrefix} to /${maxPrefix}, such as "10.0.0.0/${Math.max(minPrefix, Math.min(16, maxPrefix))}".`);
    // Host bits must be zero: CDK would otherwise carve subnets from another range than the one given.
    const address = value.split('/')[0].split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(address / size) * size;
    if (network !== address) {
      const dotted = [24, 16, 8, 0].map(shift => Math.floor(network / 2 ** shift) % 256).join('.');
      this.fail(prop, value, `is not a network address: the bits after /${prefix} must be zero. Did you mean "${dotted}/${prefix}"?`);
    }
    return value;
  }

  /** A non-empty list (a token passes). */
  nonEmpty<T>(prop: string, value: T[] | undefined): T[] {
    if (value !== undefined && this.isUnresolved(value)) return value;
    this.check(Array.isArray(value) && value.length > 0, prop, value, 'must contain at least one element.');
    return value as T[];
  }

  /**
   * Sizes of a scaling group: `min <= desired <= max` and all non-negative integers (tokens pass).
   * `prefix` names the props, e.g. `onDemand.` gives `onDemand.minSize`.
   */
  scaling(prefix: string, sizes: { readonly minSize: number; readonly desiredSize: number; readonly maxSize: number }): void {
    this.integer(`${prefix}minSize`, sizes.minSize, 0, 10_000);
    this.integer(`${prefix}maxSize`, sizes.maxSize, 1, 10_000);
    this.integer(`${prefix}desiredSize`, sizes.desiredSize, 0, 10_000);
    if ([sizes.minSize, sizes.desiredSize, sizes.maxSize].some(v => this.isUnresolved(v))) return;
    this.check(sizes.minSize <= sizes.maxSize, `${prefix}minSize`, sizes.minSize,
      `must not exceed ${prefix}maxSize (${sizes.maxSize}); lower ${prefix}minSize or raise ${prefix}maxSize.`);
    this.check(sizes.desiredSize >= sizes.minSize && sizes.desiredSize <= sizes.maxSize, `${prefix}desiredSize`, sizes.desiredSize,
      `must be from ${prefix}minSize (${sizes.minSize}) to ${prefix}maxSize (${sizes.maxSize}).`);
  }
}

/** Four decimal numbers up to 255, leading zeros allowed: what Kubernetes parses as an IPv4 address. */
function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every(p => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}
