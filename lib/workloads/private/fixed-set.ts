// Fixed sets (ServiceType, Protocol, IngressFlavour...) are string enums: their values compare by value, so a
// value from another copy of this library, or the plain string from JavaScript, is the same value. These
// helpers check such a value where it arrives from the user.
import { PropValidator } from './validate';

/** The object of a string enum, e.g. `ServiceType`. */
export type FixedSet<T extends string> = Readonly<Record<string, T>>;

/** Whether `value` is one of the values of `set`. */
export function isMember<T extends string>(set: FixedSet<T>, value: unknown): value is T {
  return typeof value === 'string' && (Object.values(set) as string[]).includes(value);
}

/**
 * What an error says is allowed, e.g.
 * `must be one of ServiceType.CLUSTER_IP ("ClusterIP"), ServiceType.NODE_PORT ("NodePort") or ServiceType.LOAD_BALANCER ("LoadBalancer").`
 */
export function mustBeOneOf(typeName: string, set: FixedSet<string>): string {
  const items = Object.entries(set).map(([key, value]) => `${typeName}.${key} (${JSON.stringify(value)})`);
  const list = items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : items.join('');
  return `must be one of ${list}.`;
}

/**
 * `value` if it is one of the values of `set`, `defaultValue` if `value` is undefined and a default is given;
 * otherwise fails with the standard error naming `prop`, the value and the allowed values.
 */
export function checkMember<T extends string>(
  v: PropValidator, prop: string, value: T | undefined, typeName: string, set: FixedSet<T>, defaultValue?: T,
): T {
  const resolved = value ?? defaultValue;
  if (!isMember(set, resolved)) v.fail(prop, value, mustBeOneOf(typeName, set));
  return resolved;
}
