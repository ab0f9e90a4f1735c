/* Shared types and small helpers of the manifest checker. Internal: import from `test/support/k8s-check`. */

/** A plain JSON value inside a Kubernetes object (the checker walks untyped JSON). */
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export type FindingSeverity = 'error' | 'warning';

/** One problem found in a set of Kubernetes objects. */
export interface ManifestFinding {
  /** Rule id, e.g. `pss/run-as-non-root` or `xref/service-selector` (see `MANIFEST_RULES`). */
  readonly rule: string;
  readonly severity: FindingSeverity;
  /** `Kind/namespace/name` (`Kind/name` for cluster-scoped kinds). */
  readonly object: string;
  /** Where in the object, e.g. `spec.template.spec.containers[0].securityContext.runAsNonRoot`. */
  readonly path: string;
  readonly message: string;
  /** The chart the object came from, when the input was `ChartManifest[]`. */
  readonly chart?: string;
}

export interface ManifestCheckOptions {
  /** Namespace of objects without `metadata.namespace`. @default 'default' */
  readonly defaultNamespace?: string;
  /**
   * Secrets that exist outside the checked set (created by hand, by another tool or by an operator), as
   * `name` (any namespace) or `namespace/name`. ExternalSecret targets in the set count automatically.
   * @default []
   */
  readonly externalSecrets?: readonly string[];
  /** ConfigMaps that exist outside the checked set, as `name` or `namespace/name`. @default [] */
  readonly externalConfigMaps?: readonly string[];
  /** Services that exist outside the checked set, as `name` or `namespace/name` (port checks skipped). @default [] */
  readonly externalServices?: readonly string[];
  /**
   * Pod templates allowed to mount a service-account token (`automountServiceAccountToken` not false):
   * `true` for all, or owner names (`name` or `Kind/name` or `Kind/namespace/name`). @default false
   */
  readonly allowServiceAccountToken?: boolean | readonly string[];
  /** Require `readOnlyRootFilesystem: true` on every container (project rule). @default true */
  readonly requireReadOnlyRootFilesystem?: boolean;
  /** Rule ids (or prefixes ending in `/`, e.g. `xref/`) to skip entirely. @default [] */
  readonly disableRules?: readonly string[];
  /** Extra `group/Kind` (or `Kind` for the core group) that may pass without a schema. @default [] */
  readonly allowUnknownKinds?: readonly string[];
  /** `expectValidManifests` also fails on warnings. @default false */
  readonly failOnWarnings?: boolean;
}

/** One object of the input, with its identity worked out. */
export interface Obj {
  readonly raw: Json;
  readonly apiVersion: string;
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  /** Undefined for cluster-scoped kinds. */
  readonly namespace: string | undefined;
  /** `Kind/namespace/name` or `Kind/name`. */
  readonly id: string;
  readonly chart?: string;
}

/** A pod template (or a bare Pod's spec) found in a workload. */
export interface PodTemplate {
  readonly owner: Obj;
  /** Path of the template's pod spec, e.g. `spec.template.spec`. */
  readonly specPath: string;
  /** Path of the template's metadata (`metadata` for a bare Pod). */
  readonly metaPath: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: Json;
}

export interface ContainerRef {
  readonly container: Json;
  readonly path: string;
  readonly type: 'containers' | 'initContainers' | 'ephemeralContainers';
}

/** Collects findings, honouring `disableRules`. */
export class Findings {
  public readonly list: ManifestFinding[] = [];
  constructor(private readonly disabled: readonly string[]) {}

  public add(rule: string, obj: Obj, path: string, message: string, severity: FindingSeverity = 'error'): void {
    if (this.isDisabled(rule)) return;
    this.list.push({ rule, severity, object: obj.id, path, message, ...(obj.chart !== undefined ? { chart: obj.chart } : {}) });
  }

  public isDisabled(rule: string): boolean {
    return this.disabled.some(d => d === rule || (d.endsWith('/') && rule.startsWith(d)));
  }
}

export function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): Json[] {
  return Array.isArray(v) ? v : [];
}

/** Shows a value in a message, shortened. */
export function show(value: unknown): string {
  if (value === undefined) return 'unset';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

export function containersOf(spec: Json, specPath: string): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const type of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    asArray(spec?.[type]).forEach((container, i) => out.push({ container, path: `${specPath}.${type}[${i}]`, type }));
  }
  return out;
}

/** Kubernetes label-selector semantics (matchLabels and matchExpressions; `{}` matches everything). */
export function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of asArray(selector.matchExpressions)) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values: string[] = asArray(e.values);
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** Plain `key: value` selector (Service, ReplicationController): every pair must be present. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
