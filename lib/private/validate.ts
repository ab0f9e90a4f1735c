import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, ValidationError } from '../errors';

export { ValidationError };

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

/**
 * Validates the props of one CDK-side construct (network, cluster, stack). Every check throws a
 * {@link ValidationError} that names the construct path, the prop and the value, and says what is allowed,
 * e.g. `[acme-eks/Network] PlatformNetwork.azCount is 4: must be an integer from 2 to 3.`
 *
 * Values that are unresolved CDK tokens are not known at synth time and pass every check.
 */
export class CdkPropValidator {
  constructor(private readonly scope: IConstruct, private readonly kind: string) {}

  /** Throws the standard error for `prop`. */
  public fail(prop: string, value: unknown, allowed: string): never {
    throw propError(this.scope.node.path, this.kind, prop, value, allowed);
  }

  /** A check that holds or fails with the standard message. */
  public check(ok: boolean, prop: string, value: unknown, allowed: string): void {
    if (!ok) this.fail(prop, value, allowed);
  }

  /** An integer in [min, max] (tokens pass). */
  public integer(prop: string, value: number, min: number, max: number): number {
    if (Token.isUnresolved(value)) return value;
    this.check(Number.isInteger(value) && value >= min && value <= max, prop, value, `must be an integer from ${min} to ${max}.`);
    return value;
  }

  /** An IPv4 CIDR block such as "10.0.0.0/16", with a prefix length in [minPrefix, maxPrefix] (tokens pass). */
  public cidr(prop: string, value: string, minPrefix = 0, maxPrefix = 32): string {
    if (Token.isUnresolved(value)) return value;
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

  /** A non-empty list (tokens pass). */
  public nonEmpty<T>(prop: string, value: T[] | undefined): T[] {
    if (value !== undefined && Token.isUnresolved(value)) return value;
    this.check(Array.isArray(value) && value.length > 0, prop, value, 'must contain at least one element.');
    return value as T[];
  }

  /**
   * Sizes of a scaling group: `min <= desired <= max` and all non-negative integers (tokens pass).
   * `prefix` names the props, e.g. `onDemand.` gives `onDemand.minSize`.
   */
  public scaling(prefix: string, sizes: { readonly minSize: number; readonly desiredSize: number; readonly maxSize: number }): void {
    this.integer(`${prefix}minSize`, sizes.minSize, 0, 10_000);
    this.integer(`${prefix}maxSize`, sizes.maxSize, 1, 10_000);
    this.integer(`${prefix}desiredSize`, sizes.desiredSize, 0, 10_000);
    if ([sizes.minSize, sizes.desiredSize, sizes.maxSize].some(v => Token.isUnresolved(v))) return;
    this.check(sizes.minSize <= sizes.maxSize, `${prefix}minSize`, sizes.minSize,
      `must not exceed ${prefix}maxSize (${sizes.maxSize}); lower ${prefix}minSize or raise ${prefix}maxSize.`);
    this.check(sizes.desiredSize >= sizes.minSize && sizes.desiredSize <= sizes.maxSize, `${prefix}desiredSize`, sizes.desiredSize,
      `must be from ${prefix}minSize (${sizes.minSize}) to ${prefix}maxSize (${sizes.maxSize}).`);
  }
}
