import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, LazyResolver, NumberStringUnionResolver } from 'cdk8s';

/**
 * What cdk8s's `ApiObject.toJson()` returns for `obj` (before a generated class converts the props to their
 * Kubernetes names), in one pass over each value. cdk8s resolves every value with a new context, a new key path
 * and a lookup of the app, then sanitizes that copy into another, and does the same for the metadata: at 10,000
 * services that was a fifth of the synthesis and much of its garbage. The result is equal
 * (test/workloads/api-object-json.test.ts compares the two on random values). What this pass does not handle
 * takes cdk8s's own `toJson()` before any value is produced, and so does a value that fails (for cdk8s's error):
 * - an app with resolvers of its own (`new cdk8s.App({ resolvers })`), or an object with JSON patches;
 * - a value that is not plain data: a `Lazy`, a value with a `resolve()` method, a class instance other than a
 *   number-or-string union (`IntOrString`, `Quantity`: rendered `{ value }`), a function, a `__proto__` key.
 */
export function apiObjectJson(obj: ApiObject): Record<string, unknown> {
  const own = obj as unknown as ApiObjectFields;
  const metadata = metadataFields(obj.metadata);
  if (!Array.isArray(own.patches) || own.patches.length > 0 || !isPlainRecord(own.props) || !metadata || !builtInResolversOnly(obj)) {
    return ApiObject.prototype.toJson.call(obj);
  }
  try {
    const body = plainFields(own.props, { sortKeys: process.env.CDK8S_DISABLE_SORT ? false : true, filterEmpty: false }, 'metadata');
    return inApiOrder(body, metadataJson(metadata));
  } catch {
    // not plain data (NOT_PLAIN), or a value that fails: cdk8s renders it, or gives its own error for it
    return ApiObject.prototype.toJson.call(obj);
  }
}

/** The fields of cdk8s's ApiObject that `toJson()` reads (private in its typings; the same since cdk8s 2.70.0). */
interface ApiObjectFields {
  readonly props?: unknown;
  readonly patches?: unknown;
}

/** The fields of cdk8s's ApiObjectMetadataDefinition that its `toJson()` reads (private in its typings). */
interface MetadataFields {
  readonly _additionalAttributes: Record<string, unknown>;
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly annotations: Record<string, unknown>;
  readonly finalizers: unknown[];
  readonly ownerReferences: unknown[];
  readonly labels: Record<string, unknown>;
}

/** How cdk8s sanitizes: the object's fields sort their keys (unless CDK8S_DISABLE_SORT); its metadata also drops empty arrays and objects. */
interface PlainOptions {
  readonly sortKeys: boolean;
  readonly filterEmpty: boolean;
}

const METADATA_OPTIONS: PlainOptions = { sortKeys: true, filterEmpty: true };

/** Thrown (and caught in apiObjectJson) where a value is not plain data. */
const NOT_PLAIN = Symbol('not plain data');

/** The metadata's fields, if they have the shape this pass knows. */
function metadataFields(metadata: ApiObjectMetadataDefinition): MetadataFields | undefined {
  const m = metadata as unknown as Partial<MetadataFields>;
  const shaped = isPlainRecord(m._additionalAttributes) && isPlainRecord(m.annotations) && isPlainRecord(m.labels)
    && Array.isArray(m.finalizers) && Array.isArray(m.ownerReferences);
  return shaped ? m as MetadataFields : undefined;
}

/** `ApiObjectMetadataDefinition.toJson()`: its fields over the additional attributes, sorted, empty ones dropped. */
function metadataJson(m: MetadataFields): unknown {
  return plain({
    ...m._additionalAttributes,
    name: m.name,
    namespace: m.namespace,
    annotations: m.annotations,
    finalizers: m.finalizers,
    ownerReferences: m.ownerReferences,
    labels: m.labels,
  }, METADATA_OPTIONS);
}

/** The order `toJson()` gives: apiVersion, kind, metadata, then the other fields in the order of `body`. */
function inApiOrder(body: Record<string, unknown>, metadata: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if ('apiVersion' in body) result.apiVersion = body.apiVersion;
  if ('kind' in body) result.kind = body.kind;
  if (metadata !== undefined) result.metadata = metadata;
  for (const key of Object.keys(body)) result[key] = body[key];
  return result;
}

/** Whether the app's resolvers are exactly cdk8s's three built-in ones, in their order. */
function builtInResolversOnly(obj: ApiObject): boolean {
  const resolvers = (App.of(obj) as Partial<App>).resolvers;
  return Array.isArray(resolvers) && resolvers.length === 3
    && resolvers[0].constructor === LazyResolver
    && resolvers[1].constructor === ImplicitTokenResolver
    && resolvers[2].constructor === NumberStringUnionResolver;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** cdk8s's `sanitizeValue(resolve([], value), options)` for plain data (null and undefined fields dropped). */
function plain(value: unknown, options: PlainOptions): unknown {
  if (value === null || value === undefined) return undefined;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return value;
  if (type !== 'object') throw NOT_PLAIN;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype) return plainRecord(value as Record<string, unknown>, options);
  if (proto === Array.prototype) return plainArray(value as unknown[], options);
  return union(value as { readonly value?: unknown; readonly resolve?: unknown });
}

/** An array's items, each made plain (an array with a `resolve()` or a `value` is left to cdk8s). */
function plainArray(value: unknown[] & { readonly value?: unknown; readonly resolve?: unknown }, options: PlainOptions): unknown[] | undefined {
  if (typeof value.resolve === 'function' || value.value !== undefined) throw NOT_PLAIN;
  if (options.filterEmpty && value.length === 0) return undefined;
  return value.map(x => plain(x, options));
}

/**
 * A class instance that cdk8s's NumberStringUnionResolver turns into `{ value }` (and no earlier resolver takes).
 * An object whose constructor is `Object` but whose prototype is not `Object.prototype` (`Object.create({})`) is
 * no union to that resolver: cdk8s resolves and sanitizes it as a record, which this pass leaves to cdk8s. A
 * `Lazy` has a `resolve()` method and is left to cdk8s too.
 */
function union(value: { readonly value?: unknown; readonly resolve?: unknown }): { value: unknown } {
  if (value.constructor === Object || typeof value.resolve === 'function') throw NOT_PLAIN;
  const inner = value.value;
  if (typeof inner !== 'string' && typeof inner !== 'number') throw NOT_PLAIN;
  return { value: inner };
}

/** A plain object made plain; with `filterEmpty`, undefined when no field is left. */
function plainRecord(value: Record<string, unknown>, options: PlainOptions): Record<string, unknown> | undefined {
  const result = plainFields(value, options);
  if (options.filterEmpty) {
    for (const _ in result) return result;
    return undefined;
  }
  return result;
}

/** A plain object's fields, each made plain (dropped where that is undefined); `skip` names a field left out. */
function plainFields(value: Record<string, unknown>, options: PlainOptions, skip?: string): Record<string, unknown> {
  if (value.constructor !== Object || typeof value.resolve === 'function') throw NOT_PLAIN;
  const keys = Object.keys(value);
  if (options.sortKeys) keys.sort();
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === skip) continue;
    if (key === '__proto__') throw NOT_PLAIN;
    const v = plain(value[key], options);
    if (v !== undefined) result[key] = v;
  }
  return result;
}
