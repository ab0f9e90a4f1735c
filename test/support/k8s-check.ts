/**
 * The project's manifest checker: every Kubernetes object a test emits goes through `expectValidManifests`.
 *
 * Checks (rule ids in `MANIFEST_RULES`):
 * 1. schema — OpenAPI schema of Kubernetes 1.30 (`kubernetes-models` 4.5.1) for core kinds; Traefik, Gateway API
 *    and External Secrets CRDs with their typed models when installed plus a built-in structural check.
 *    A kind with no schema is a finding.
 * 2. Pod Security "restricted" (baseline + restricted), plus project rules (no service-account token,
 *    read-only root filesystem), for every pod template.
 * 3. Cross-references between objects (Service → pods and ports, Ingress/IngressRoute/TraefikService/HTTPRoute
 *    → Services and ports, ALB actions, HPA/VPA/PDB → workloads, ConfigMap/Secret refs, StatefulSet → headless
 *    Service, NetworkPolicy → pods).
 * 4. Duplicates and object names.
 *
 * @example
 *   expectValidManifests(Testing.synth(chart));
 *   expectValidManifests(synthesizeManifests(app), { externalSecrets: ['registry-creds'] });
 */
import { Findings, Json, ManifestCheckOptions, ManifestFinding, Obj, PodTemplate, isObject, show } from './k8s-check/model';
import { checkPodSecurity } from './k8s-check/pss';
import { CLUSTER_SCOPED, splitApiVersion, validateSchema } from './k8s-check/schema';
import { Index, checkCrossReferences } from './k8s-check/xref';
import type { ChartManifest } from '../../lib/workloads/manifests';

export type { ManifestCheckOptions, ManifestFinding, FindingSeverity } from './k8s-check/model';
export { schemaSources } from './k8s-check/schema';

/** Plain objects (`Testing.synth`, `chart.toJson()`), `ChartManifest[]`, or anything with `toJson()` (a Chart). */
export type ManifestInput = readonly unknown[] | readonly ChartManifest[] | { toJson(): unknown[] };

/** Every rule id, with what it checks. */
export const MANIFEST_RULES: Readonly<Record<string, string>> = {
  'input': 'each item is an object with apiVersion, kind and metadata',
  'schema': 'the object matches the OpenAPI / CRD schema of its apiVersion and kind',
  'schema/unknown-kind': 'a schema is known for the apiVersion and kind',
  'metadata/name': 'metadata.name is set and is a valid DNS name for the kind',
  'duplicate': 'no two objects share group, kind, namespace and name',
  'pss/host-namespaces': 'hostNetwork, hostPID, hostIPC unset or false',
  'pss/privileged': 'no privileged containers',
  'pss/capabilities-baseline': 'capabilities.add only from the baseline list',
  'pss/host-path': 'no hostPath volumes',
  'pss/host-ports': 'no hostPort',
  'pss/apparmor': 'AppArmor RuntimeDefault or Localhost',
  'pss/selinux': 'SELinux type in the allowed set, no user/role',
  'pss/proc-mount': 'procMount Default',
  'pss/seccomp-baseline': 'seccomp never Unconfined',
  'pss/sysctls': 'only safe sysctls',
  'pss/probe-host': 'probes and lifecycle hooks do not set host',
  'pss/volume-types': 'only restricted volume types',
  'pss/privilege-escalation': 'allowPrivilegeEscalation false on every container, set explicitly',
  'pss/run-as-non-root': 'runAsNonRoot true on the pod or every container, never false',
  'pss/run-as-user': 'runAsUser never 0',
  'pss/seccomp': 'seccomp RuntimeDefault or Localhost on the pod or every container',
  'pss/capabilities': 'capabilities.drop includes ALL, add only NET_BIND_SERVICE',
  'project/automount-token': 'automountServiceAccountToken false (unless allowServiceAccountToken)',
  'project/read-only-root-fs': 'readOnlyRootFilesystem true on every container (requireReadOnlyRootFilesystem)',
  'xref/service-selector': 'a Service selector matches a pod template in its namespace',
  'xref/service-target-port': 'a Service targetPort is a container port of every selected pod template',
  'xref/ingress-backend': 'an Ingress backend names an existing Service and port',
  'xref/alb-action': 'ALB use-annotation backends have a valid actions.<name> annotation naming existing Services/ports; conditions.<name> annotations are valid and used',
  'xref/hpa-target': 'an HPA scaleTargetRef names an existing workload',
  'xref/vpa-target': 'a VerticalPodAutoscaler targetRef names an existing workload; containerPolicies name its containers',
  'xref/hpa-replicas': 'a workload scaled by an HPA does not set spec.replicas',
  'xref/pdb-selector': 'a PDB selector matches a pod template',
  'xref/config-ref': 'ConfigMap/Secret references resolve (or are declared external)',
  'xref/traefik-service': 'IngressRoute/TraefikService references name existing Services (and ports) or TraefikServices',
  'xref/httproute-backend': 'HTTPRoute backendRefs and RequestMirror backends name existing Services and ports',
  'xref/statefulset-service': 'a StatefulSet serviceName names a headless Service',
  'xref/network-policy': 'a NetworkPolicy podSelector matches a pod template (warning)',
};

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names must be DNS-1035 labels (≤ 63) / DNS-1123 labels (≤ 63). Others: DNS-1123 subdomain. */
const LABEL_NAMED_1035 = new Set(['Service']);
const LABEL_NAMED_1123 = new Set(['Namespace']);

const POD_TEMPLATE_PATHS: Record<string, string> = {
  Deployment: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  ReplicaSet: 'spec.template',
  ReplicationController: 'spec.template',
  Job: 'spec.template',
  CronJob: 'spec.jobTemplate.spec.template',
  PodTemplate: 'template',
};

/** Runs every check and returns all findings (errors and warnings), in input order. */
export function checkManifests(input: ManifestInput, options: ManifestCheckOptions = {}): ManifestFinding[] {
  const f = new Findings(options.disableRules ?? []);
  const objects = collect(input, f, options);

  // duplicates
  const seen = new Map<string, Obj>();
  for (const o of objects) {
    const k = `${o.group}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
    if (seen.has(k)) f.add('duplicate', o, 'metadata.name', `is emitted more than once${o.chart !== undefined || seen.get(k)!.chart !== undefined ? ` (charts ${seen.get(k)!.chart} and ${o.chart})` : ''}: names must be unique per kind and namespace.`);
    else seen.set(k, o);
  }

  // schema + names
  const allowUnknown = new Set(options.allowUnknownKinds ?? []);
  for (const o of objects) {
    checkName(o, f);
    if (f.isDisabled('schema') && f.isDisabled('schema/unknown-kind')) continue;
    const issues = validateSchema(o.raw);
    if (issues === undefined) {
      if (!allowUnknown.has(o.group ? `${o.group}/${o.kind}` : o.kind)) {
        f.add('schema/unknown-kind', o, 'kind', `no schema is known for apiVersion ${show(o.apiVersion)} kind ${show(o.kind)}: check the spelling, or list "${o.group ? `${o.group}/` : ''}${o.kind}" in allowUnknownKinds.`);
      }
      continue;
    }
    for (const issue of issues) f.add('schema', o, issue.path, `${issue.path || '(root)'} ${issue.message} (${o.apiVersion} ${o.kind} schema).`);
  }

  // pod security
  const templates = objects.flatMap(podTemplatesOf);
  for (const t of templates) checkPodSecurity(t, f, options);

  // cross references
  checkCrossReferences(new Index(objects, templates), f, options);
  return f.list;
}

/** Throws (for jest) when there are findings: errors always, warnings with `failOnWarnings`. */
export function expectValidManifests(input: ManifestInput, options: ManifestCheckOptions = {}): void {
  const findings = checkManifests(input, options).filter(x => x.severity === 'error' || options.failOnWarnings);
  if (findings.length > 0) throw new Error(`Kubernetes manifest check failed with ${findings.length} finding(s):\n${formatFindings(findings)}`);
}

/** One finding per line: `[rule] Kind/ns/name at path: message`. */
export function formatFindings(findings: readonly ManifestFinding[]): string {
  return findings
    .map(x => `  ${x.severity === 'warning' ? 'warning ' : ''}[${x.rule}] ${x.chart !== undefined ? `${x.chart}: ` : ''}${x.object}${x.path ? ` at ${x.path}` : ''}: ${x.message}`)
    .join('\n');
}

// ----------------------------------------------------------------------------------------------------

function collect(input: ManifestInput, f: Findings, options: ManifestCheckOptions): Obj[] {
  const items: Array<{ raw: unknown; chart?: string }> = [];
  const push = (raw: unknown, chart?: string) => {
    if (isObject(raw) && raw.kind === 'List' && Array.isArray(raw.items)) raw.items.forEach((i: unknown) => push(i, chart));
    else if (raw !== null && raw !== undefined) items.push({ raw, chart });
  };
  const list: readonly unknown[] = Array.isArray(input) ? input : typeof (input as { toJson?: unknown }).toJson === 'function' ? (input as { toJson(): unknown[] }).toJson() : [];
  for (const item of list) {
    if (isObject(item) && typeof item.name === 'string' && Array.isArray(item.objects) && item.kind === undefined) {
      for (const o of item.objects) push(o, item.name);
    } else {
      push(item);
    }
  }
  const defaultNs = options.defaultNamespace ?? 'default';
  const out: Obj[] = [];
  items.forEach(({ raw, chart }, i) => {
    const r: Json = raw;
    if (!isObject(r) || typeof r.apiVersion !== 'string' || typeof r.kind !== 'string' || !isObject(r.metadata)) {
      const bad: Obj = { raw: r, apiVersion: '', group: '', kind: '?', name: `#${i}`, namespace: undefined, id: `item #${i}`, chart };
      f.add('input', bad, '', `is not a Kubernetes object (needs apiVersion, kind and metadata): ${show(r)}.`);
      return;
    }
    const [group] = splitApiVersion(r.apiVersion);
    const clusterScoped = CLUSTER_SCOPED.has(r.kind);
    const namespace = clusterScoped ? undefined : (typeof r.metadata.namespace === 'string' ? r.metadata.namespace : defaultNs);
    const name = typeof r.metadata.name === 'string' ? r.metadata.name : '';
    const id = clusterScoped ? `${r.kind}/${name || '?'}` : `${r.kind}/${namespace}/${name || '?'}`;
    out.push({ raw: r, apiVersion: r.apiVersion, group, kind: r.kind, name, namespace, id, chart });
  });
  return out;
}

function checkName(o: Obj, f: Findings): void {
  const name = o.raw.metadata?.name;
  if (typeof name !== 'string' || name === '') {
    f.add('metadata/name', o, 'metadata.name', 'metadata.name is missing.');
    return;
  }
  let ok: boolean;
  let rule: string;
  if (LABEL_NAMED_1035.has(o.kind) && o.group === '') {
    ok = DNS1035_LABEL.test(name) && name.length <= 63;
    rule = 'a DNS-1035 label (lower-case letters, digits, "-", starting with a letter, at most 63 characters)';
  } else if (LABEL_NAMED_1123.has(o.kind) && o.group === '') {
    ok = DNS1123_LABEL.test(name) && name.length <= 63;
    rule = 'a DNS-1123 label (lower-case letters, digits, "-", at most 63 characters)';
  } else {
    ok = DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
    rule = 'a DNS-1123 subdomain (lower-case letters, digits, "-", ".", at most 253 characters)';
  }
  if (!ok) f.add('metadata/name', o, 'metadata.name', `name ${show(name)} must be ${rule}.`);
}

function podTemplatesOf(o: Obj): PodTemplate[] {
  if (o.kind === 'Pod' && o.group === '') {
    return [{ owner: o, specPath: 'spec', metaPath: 'metadata', labels: o.raw.metadata?.labels ?? {}, annotations: o.raw.metadata?.annotations ?? {}, spec: o.raw.spec ?? {} }];
  }
  const path = POD_TEMPLATE_PATHS[o.kind];
  if (!path) return [];
  const template = path.split('.').reduce<Json>((acc, k) => acc?.[k], o.raw);
  if (!isObject(template)) return [];
  return [{
    owner: o,
    specPath: `${path}.spec`,
    metaPath: `${path}.metadata`,
    labels: template.metadata?.labels ?? {},
    annotations: template.metadata?.annotations ?? {},
    spec: template.spec ?? {},
  }];
}

