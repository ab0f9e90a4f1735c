/*
 * Schema validation: core kinds with `kubernetes-models` 4.5.1 (OpenAPI of Kubernetes 1.30), CRD kinds with
 * `@kubernetes-models/traefik`, `@kubernetes-models/gateway-api`, `@kubernetes-models/external-secrets`,
 * `@kubernetes-models/autoscaler`
 * (their CommonJS 0.x releases, which run on Node 20) when installed, always plus a small built-in
 * structural check of the CRD fields this project emits (it also covers fields newer than those models,
 * e.g. the Gateway API RequestMirror `percent`).
 */
import { BUILTIN_CRD_SCHEMAS, MiniSchema, checkMini } from './crd-schemas';
import { Json } from './model';

export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

type Validator = (obj: Json) => SchemaIssue[];

/** Kinds whose objects have no namespace. */
export const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CSIDriver',
  'CSINode', 'VolumeAttachment', 'PriorityClass', 'RuntimeClass', 'IngressClass', 'CustomResourceDefinition',
  'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
  'GatewayClass', 'ClusterSecretStore', 'ClusterExternalSecret', 'ClusterIssuer', 'IngressClassParameters',
]);

/** CRD packages by API group: module prefix, and the version whose schema validates each served version. */
const CRD_PACKAGES: Record<string, { readonly module: string; readonly versions: Record<string, string> }> = {
  'traefik.io': { module: '@kubernetes-models/traefik/traefik.io', versions: { v1alpha1: 'v1alpha1' } },
  'gateway.networking.k8s.io': {
    module: '@kubernetes-models/gateway-api/gateway.networking.k8s.io',
    versions: { v1: 'v1', v1beta1: 'v1beta1' },
  },
  'external-secrets.io': {
    module: '@kubernetes-models/external-secrets/external-secrets.io',
    // No release of the models that runs on Node 20 has `v1`; v1 is v1beta1 promoted with the same fields.
    versions: { v1: 'v1beta1', v1beta1: 'v1beta1' },
  },
  // VerticalPodAutoscaler (rightSizing); 3.3.4 is the last CommonJS release (VPA 1.3: no InPlaceOrRecreate,
  // which VPA 1.4 added to the updateMode enum; see NEWER_THAN_MODEL)
  'autoscaling.k8s.io': { module: '@kubernetes-models/autoscaler/autoscaling.k8s.io', versions: { v1: 'v1' } },
};

/**
 * Enum values the pinned controllers accept but the newest CommonJS models predate: the object is validated
 * with the value replaced by one the model knows that has the same shape, so every other field is still checked.
 */
const NEWER_THAN_MODEL: Record<string, (obj: Json) => Json> = {
  // VPA 1.4+ (the add-on pins 1.7.1): updateMode InPlaceOrRecreate, same fields as Recreate
  'autoscaling.k8s.io/v1/VerticalPodAutoscaler': obj => {
    const spec = obj.spec as { updatePolicy?: { updateMode?: string } } | undefined;
    if (spec?.updatePolicy?.updateMode !== 'InPlaceOrRecreate') return obj;
    return { ...obj, spec: { ...spec, updatePolicy: { ...spec.updatePolicy, updateMode: 'Recreate' } } };
  },
};

// ServiceMonitor, PodMonitor, PrometheusRule (workload `metrics`) and Argo CD's Application/ApplicationSet/
// AppProject: @kubernetes-models/prometheus-operator 4.4.4 and argo-cd 2.7.2, their last CommonJS releases
const MONITORING_AND_GITOPS_PACKAGES: typeof CRD_PACKAGES = {
  'monitoring.coreos.com': { module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com', versions: { v1: 'v1' } },
  'argoproj.io': { module: '@kubernetes-models/argo-cd/argoproj.io', versions: { v1alpha1: 'v1alpha1' } },
};
Object.assign(CRD_PACKAGES, MONITORING_AND_GITOPS_PACKAGES);
// Certificate, ClusterIssuer (cert-manager add-on, Tls.letsEncrypt): 4.4.4, the last CommonJS release
CRD_PACKAGES['cert-manager.io'] = { module: '@kubernetes-models/cert-manager/cert-manager.io', versions: { v1: 'v1' } };

const SAFE_API_VERSION = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const SAFE_KIND = /^[A-Z][A-Za-z0-9]*$/;

const cache = new Map<string, Validator[] | null>();

/** Which validators apply to a kind: `package` (typed model), `builtin` (mini schema), both, or none. */
export function schemaSources(apiVersion: string, kind: string): Array<'kubernetes-models' | 'crd-package' | 'builtin'> {
  const out: Array<'kubernetes-models' | 'crd-package' | 'builtin'> = [];
  const [group, version] = splitApiVersion(apiVersion);
  if (CRD_PACKAGES[group]) {
    if (loadCrdModel(group, version, kind)) out.push('crd-package');
  } else if (loadCoreModel(apiVersion, kind)) {
    out.push('kubernetes-models');
  }
  if (BUILTIN_CRD_SCHEMAS[`${apiVersion}/${kind}`]) out.push('builtin');
  return out;
}

/** Validates one object; `undefined` when no schema is known for its apiVersion/kind. */
export function validateSchema(obj: Json): SchemaIssue[] | undefined {
  const key = `${obj.apiVersion}/${obj.kind}`;
  let validators = cache.get(key);
  if (validators === undefined) {
    validators = buildValidators(String(obj.apiVersion), String(obj.kind));
    cache.set(key, validators);
  }
  if (validators === null) return undefined;
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const v of validators) {
    for (const issue of v(obj)) {
      const k = `${issue.path}|${issue.message}`;
      if (!seen.has(k)) {
        seen.add(k);
        issues.push(issue);
      }
    }
  }
  return issues;
}

export function splitApiVersion(apiVersion: string): [group: string, version: string] {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

function buildValidators(apiVersion: string, kind: string): Validator[] | null {
  if (!SAFE_API_VERSION.test(apiVersion) || !SAFE_KIND.test(kind)) return null;
  const [group, version] = splitApiVersion(apiVersion);
  const validators: Validator[] = [];
  const crd = CRD_PACKAGES[group];
  if (crd) {
    const model = loadCrdModel(group, version, kind);
    const schemaVersion = crd.versions[version];
    const known = NEWER_THAN_MODEL[`${apiVersion}/${kind}`] ?? ((obj: Json) => obj);
    if (model) {
      validators.push(obj => runModel(model, known(schemaVersion === version ? obj : { ...obj, apiVersion: `${group}/${schemaVersion}` })));
    }
  } else {
    const model = loadCoreModel(apiVersion, kind);
    if (model) validators.push(obj => runModel(model, obj));
  }
  const mini: MiniSchema | undefined = BUILTIN_CRD_SCHEMAS[`${apiVersion}/${kind}`];
  if (mini) validators.push(obj => checkMini(mini, obj));
  return validators.length > 0 ? validators : null;
}

type ModelClass = new (data: Json) => { validate(): void };

function loadCoreModel(apiVersion: string, kind: string): ModelClass | undefined {
  return tryRequire(`kubernetes-models/${apiVersion}/${kind}`, kind);
}

function loadCrdModel(group: string, version: string, kind: string): ModelClass | undefined {
  const crd = CRD_PACKAGES[group];
  const schemaVersion = crd?.versions[version];
  if (!crd || !schemaVersion || !SAFE_KIND.test(kind)) return undefined;
  return tryRequire(`${crd.module}/${schemaVersion}/${kind}`, kind);
}

const modules = new Map<string, ModelClass | undefined>();

function tryRequire(id: string, kind: string): ModelClass | undefined {
  if (modules.has(id)) return modules.get(id);
  let model: ModelClass | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(id);
    model = typeof mod?.[kind] === 'function' ? mod[kind] : undefined;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e;
    model = undefined;
  }
  modules.set(id, model);
  return model;
}

function runModel(model: ModelClass, obj: Json): SchemaIssue[] {
  try {
    new model(obj).validate();
    return [];
  } catch (e) {
    const errors = (e as { errors?: Json[] }).errors;
    if (!Array.isArray(errors)) return [{ path: '', message: String((e as Error).message ?? e) }];
    return errors
      .filter(err => !isNullableNoise(err, errors))
      .map(err => ({ path: pointerToPath(err.instancePath ?? ''), message: ajvMessage(err) }));
  }
}

/** `oneOf: [X, null]` reports "must be null" and "must match exactly one schema" next to the real error. */
function isNullableNoise(err: Json, all: Json[]): boolean {
  if (err.keyword === 'type' && err.params?.type === 'null') return all.length > 1;
  if (err.keyword === 'oneOf') return all.some(o => o !== err && o.keyword !== 'oneOf' && !(o.keyword === 'type' && o.params?.type === 'null'));
  return false;
}

function ajvMessage(err: Json): string {
  const p = err.params ?? {};
  if (err.keyword === 'required') return `required field "${p.missingProperty}" is missing`;
  if (err.keyword === 'enum') return `${err.message}: ${(p.allowedValues ?? []).map((v: unknown) => JSON.stringify(v)).join(', ')}`;
  return String(err.message);
}

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
