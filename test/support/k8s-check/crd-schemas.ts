/*
 * Minimal structural schemas of the CRD fields this project emits (Traefik v3, Gateway API v1, External
 * Secrets v1). They run in addition to the typed models when those are installed, and alone when not.
 * Written from the CRDs: traefik v3 `traefik.io_*.yaml`, gateway-api v1.2 standard channel, external-secrets
 * v0.17 `external-secrets.io_*.yaml`. Unknown fields are not rejected (kept in line with the typed models).
 */
import { Json, isObject, show } from './model';
import type { SchemaIssue } from './schema';

export type MiniSchema =
  | {
    readonly type: 'object';
    readonly required?: readonly string[];
    readonly properties?: Readonly<Record<string, MiniSchema>>;
    readonly values?: MiniSchema;
    readonly exactlyOne?: readonly string[];
  }
  | { readonly type: 'array'; readonly items?: MiniSchema; readonly minItems?: number; readonly maxItems?: number }
  | { readonly type: 'string'; readonly enum?: readonly string[]; readonly pattern?: RegExp; readonly minLength?: number; readonly maxLength?: number }
  | { readonly type: 'integer'; readonly minimum?: number; readonly maximum?: number }
  | { readonly type: 'int-or-string'; readonly minimum?: number; readonly maximum?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'any' };

const str = (extra: Partial<{ enum: string[]; pattern: RegExp; minLength: number; maxLength: number }> = {}): MiniSchema => ({ type: 'string', ...extra });
const int = (minimum?: number, maximum?: number): MiniSchema => ({ type: 'integer', minimum, maximum });
const obj = (properties: Record<string, MiniSchema>, required: string[] = [], exactlyOne?: string[]): MiniSchema =>
  ({ type: 'object', properties, required, exactlyOne });
const arr = (items: MiniSchema, maxItems?: number, minItems?: number): MiniSchema => ({ type: 'array', items, maxItems, minItems });
const any: MiniSchema = { type: 'any' };
const bool: MiniSchema = { type: 'boolean' };
const map: MiniSchema = { type: 'object', values: { type: 'string' } };

const NAME = str({ minLength: 1, maxLength: 253 });
const PORT = int(1, 65535);

function root(spec: MiniSchema, specRequired = true): MiniSchema {
  return obj({
    apiVersion: str(),
    kind: str(),
    metadata: obj({ name: NAME, namespace: str(), labels: map, annotations: map }, ['name']),
    spec,
  }, ['apiVersion', 'kind', 'metadata', ...(specRequired ? ['spec'] : [])]);
}

// ---- Traefik v3 (traefik.io/v1alpha1)
const traefikServiceRef = obj({
  name: str({ minLength: 1 }),
  kind: str({ enum: ['Service', 'TraefikService'] }),
  namespace: str(),
  port: { type: 'int-or-string' },
  weight: int(0),
  scheme: str(),
  strategy: str(),
  passHostHeader: bool,
  responseForwarding: any,
  serversTransport: str(),
  sticky: any,
  nativeLB: bool,
  nodePortLB: bool,
}, ['name']);
const traefikMirror = obj({
  name: str({ minLength: 1 }),
  kind: str({ enum: ['Service', 'TraefikService'] }),
  namespace: str(),
  port: { type: 'int-or-string' },
  percent: int(0, 100),
}, ['name']);
const TRAEFIK_SERVICE = root(obj({
  weighted: obj({ services: arr(traefikServiceRef, undefined, 1), sticky: any }, ['services']),
  mirroring: obj({
    name: str({ minLength: 1 }),
    kind: str({ enum: ['Service', 'TraefikService'] }),
    namespace: str(),
    port: { type: 'int-or-string' },
    mirrors: arr(traefikMirror),
    mirrorBody: bool,
    maxBodySize: int(-1),
  }, ['name']),
}, [], ['weighted', 'mirroring']));

const INGRESS_ROUTE = root(obj({
  entryPoints: arr(str()),
  routes: arr(obj({
    match: str({ minLength: 1 }),
    kind: str({ enum: ['Rule'] }),
    priority: int(0),
    services: arr(traefikServiceRef),
    middlewares: arr(obj({ name: str({ minLength: 1 }), namespace: str() }, ['name'])),
    syntax: str({ enum: ['v3', 'v2'] }),
    observability: any,
  }, ['match']), undefined, 1),
  tls: any,
}, ['routes']));

const MIDDLEWARE = root({ type: 'object' });

// ---- Gateway API v1
const backendRef = obj({
  group: str(),
  kind: str(),
  name: str({ minLength: 1, maxLength: 253 }),
  namespace: str(),
  port: PORT,
  weight: int(0, 1000000),
  filters: arr(any),
}, ['name']);
const HTTP_FILTER_TYPES = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'ExtensionRef', 'CORS'];
const httpFilter = obj({
  type: str({ enum: HTTP_FILTER_TYPES }),
  requestMirror: obj({
    backendRef: obj({ group: str(), kind: str(), name: str({ minLength: 1 }), namespace: str(), port: PORT }, ['name']),
    percent: int(0, 100),
    fraction: obj({ numerator: int(0), denominator: int(1) }, ['numerator']),
  }, ['backendRef']),
  requestHeaderModifier: any,
  responseHeaderModifier: any,
  requestRedirect: any,
  urlRewrite: any,
  extensionRef: any,
  cors: any,
}, ['type']);
const headerMatch = obj({
  type: str({ enum: ['Exact', 'RegularExpression'] }),
  name: str({ minLength: 1, maxLength: 256, pattern: /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/ }),
  value: str({ minLength: 1, maxLength: 4096 }),
}, ['name', 'value']);
const HTTP_ROUTE = root(obj({
  parentRefs: arr(obj({ group: str(), kind: str(), namespace: str(), name: str({ minLength: 1 }), sectionName: str(), port: PORT }, ['name']), 32),
  hostnames: arr(str({ pattern: /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/ }), 16),
  rules: arr(obj({
    name: str(),
    matches: arr(obj({
      path: obj({ type: str({ enum: ['Exact', 'PathPrefix', 'RegularExpression'] }), value: str({ maxLength: 1024 }) }),
      headers: arr(headerMatch, 16),
      queryParams: arr(any, 16),
      method: str(),
    }), 64),
    filters: arr(httpFilter, 16),
    backendRefs: arr(backendRef, 16),
    timeouts: any,
    retry: any,
    sessionPersistence: any,
  }), 16),
}));

const GATEWAY = root(obj({
  gatewayClassName: str({ minLength: 1 }),
  listeners: arr(obj({
    name: str({ minLength: 1 }),
    hostname: str(),
    port: PORT,
    protocol: str({ minLength: 1 }),
    tls: any,
    allowedRoutes: any,
  }, ['name', 'port', 'protocol']), 64, 1),
  addresses: arr(any),
  infrastructure: any,
}, ['gatewayClassName', 'listeners']));

// ---- External Secrets v1
const EXTERNAL_SECRET = root(obj({
  secretStoreRef: obj({ name: str({ minLength: 1 }), kind: str({ enum: ['SecretStore', 'ClusterSecretStore'] }) }),
  target: obj({
    name: str(),
    creationPolicy: str({ enum: ['Owner', 'Orphan', 'Merge', 'None'] }),
    deletionPolicy: str({ enum: ['Delete', 'Merge', 'Retain'] }),
    template: any,
    immutable: bool,
  }),
  refreshInterval: str({ pattern: /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/ }),
  refreshPolicy: str({ enum: ['CreatedOnce', 'Periodic', 'OnChange'] }),
  data: arr(obj({
    secretKey: str({ minLength: 1 }),
    remoteRef: obj({ key: str({ minLength: 1 }), property: str(), version: str(), conversionStrategy: str(), decodingStrategy: str(), metadataPolicy: str() }, ['key']),
    sourceRef: any,
  }, ['secretKey', 'remoteRef'])),
  dataFrom: arr(any),
}));
const SECRET_STORE = root(obj({ provider: { type: 'object' }, controller: str(), retrySettings: any, refreshInterval: int(0), conditions: arr(any) }, ['provider']));

export const BUILTIN_CRD_SCHEMAS: Record<string, MiniSchema> = {
  'traefik.io/v1alpha1/TraefikService': TRAEFIK_SERVICE,
  'traefik.io/v1alpha1/IngressRoute': INGRESS_ROUTE,
  'traefik.io/v1alpha1/Middleware': MIDDLEWARE,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTP_ROUTE,
  'gateway.networking.k8s.io/v1/Gateway': GATEWAY,
  'external-secrets.io/v1/ExternalSecret': EXTERNAL_SECRET,
  'external-secrets.io/v1/SecretStore': SECRET_STORE,
  'external-secrets.io/v1/ClusterSecretStore': SECRET_STORE,
};

/** Validates `value` against a mini schema; paths in the checker's dotted form. */
export function checkMini(schema: MiniSchema, value: Json, path = ''): SchemaIssue[] {
  const at = (p: string) => p || '(root)';
  switch (schema.type) {
    case 'any': return [];
    case 'boolean': return typeof value === 'boolean' ? [] : [{ path: at(path), message: `must be boolean, got ${show(value)}` }];
    case 'string': {
      if (typeof value !== 'string') return [{ path: at(path), message: `must be string, got ${show(value)}` }];
      const out: SchemaIssue[] = [];
      if (schema.enum && !schema.enum.includes(value)) out.push({ path: at(path), message: `must be one of ${schema.enum.join(', ')}, got ${show(value)}` });
      if (schema.minLength !== undefined && value.length < schema.minLength) out.push({ path: at(path), message: `must have at least ${schema.minLength} characters, got ${show(value)}` });
      if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push({ path: at(path), message: `must have at most ${schema.maxLength} characters` });
      if (schema.pattern && !schema.pattern.test(value)) out.push({ path: at(path), message: `must match ${schema.pattern}, got ${show(value)}` });
      return out;
    }
    case 'integer':
    case 'int-or-string': {
      if (schema.type === 'int-or-string' && typeof value === 'string') {
        return value.length > 0 ? [] : [{ path: at(path), message: 'must not be an empty string' }];
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return [{ path: at(path), message: `must be ${schema.type === 'integer' ? 'an integer' : 'an integer or a string'}, got ${show(value)}` }];
      }
      if (schema.minimum !== undefined && value < schema.minimum) return [{ path: at(path), message: `must be >= ${schema.minimum}, got ${value}` }];
      if (schema.maximum !== undefined && value > schema.maximum) return [{ path: at(path), message: `must be <= ${schema.maximum}, got ${value}` }];
      return [];
    }
    case 'array': {
      if (!Array.isArray(value)) return [{ path: at(path), message: `must be array, got ${show(value)}` }];
      const out: SchemaIssue[] = [];
      if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ path: at(path), message: `must have at least ${schema.minItems} item(s)` });
      if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ path: at(path), message: `must have at most ${schema.maxItems} items, got ${value.length}` });
      if (schema.items) value.forEach((v, i) => out.push(...checkMini(schema.items!, v, `${path}[${i}]`)));
      return out;
    }
    case 'object': {
      if (!isObject(value)) return [{ path: at(path), message: `must be object, got ${show(value)}` }];
      const out: SchemaIssue[] = [];
      for (const r of schema.required ?? []) {
        if (value[r] === undefined || value[r] === null) out.push({ path: at(path), message: `required field "${r}" is missing` });
      }
      if (schema.exactlyOne) {
        const set = schema.exactlyOne.filter(k => value[k] !== undefined);
        if (set.length !== 1) out.push({ path: at(path), message: `must set exactly one of ${schema.exactlyOne.join(', ')} (set: ${set.join(', ') || 'none'})` });
      }
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined || v === null) continue;
        const sub = schema.properties?.[k] ?? schema.values;
        if (sub) out.push(...checkMini(sub, v, path ? `${path}.${k}` : k));
      }
      return out;
    }
  }
}
