/*
 * Cross-reference checks: every name one object uses to point at another must resolve inside the checked set
 * (or be declared external in the options), with the right kind, namespace and port.
 */
import { Findings, Json, ManifestCheckOptions, Obj, PodTemplate, asArray, containersOf, isObject, mapSelectorMatches, selectorMatches, show } from './model';

export class Index {
  private readonly byKey = new Map<string, Obj>();
  constructor(public readonly objects: readonly Obj[], public readonly templates: readonly PodTemplate[]) {
    for (const o of objects) this.byKey.set(key(o.kind, o.namespace, o.name), o);
  }
  public find(kind: string, namespace: string | undefined, name: string): Obj | undefined {
    return this.byKey.get(key(kind, namespace, name));
  }
  public ofKind(kind: string): Obj[] {
    return this.objects.filter(o => o.kind === kind);
  }
  public templatesIn(namespace: string | undefined): PodTemplate[] {
    return this.templates.filter(t => t.owner.namespace === namespace);
  }
}

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

function listed(list: readonly string[] | undefined, namespace: string | undefined, name: string): boolean {
  return (list ?? []).some(e => e === name || e === `${namespace}/${name}`);
}

function labelsText(l: Record<string, string>): string {
  return JSON.stringify(l);
}

export function checkCrossReferences(ix: Index, f: Findings, options: ManifestCheckOptions): void {
  for (const o of ix.objects) {
    switch (o.kind) {
      case 'Service': if (o.group === '') checkService(o, ix, f); break;
      case 'Ingress': if (o.group === 'networking.k8s.io') checkIngress(o, ix, f, options); break;
      case 'HorizontalPodAutoscaler': checkHpa(o, ix, f); break;
      case 'VerticalPodAutoscaler': if (o.group === 'autoscaling.k8s.io') checkVpa(o, ix, f); break;
      case 'PodDisruptionBudget': checkPdb(o, ix, f); break;
      case 'StatefulSet': checkStatefulSetService(o, ix, f); break;
      case 'IngressRoute': if (o.group.startsWith('traefik.')) checkIngressRoute(o, ix, f, options); break;
      case 'TraefikService': if (o.group.startsWith('traefik.')) checkTraefikService(o, ix, f, options); break;
      case 'HTTPRoute': if (o.group === 'gateway.networking.k8s.io') checkHttpRoute(o, ix, f, options); break;
      case 'NetworkPolicy': checkNetworkPolicy(o, ix, f); break;
      default: break;
    }
  }
  for (const t of ix.templates) checkConfigRefs(t, ix, f, options);
}

// ---------------------------------------------------------------- Service → pods

/** Pod templates a Service selects (empty when it has no selector). */
export function selectedTemplates(svc: Obj, ix: Index): PodTemplate[] {
  const selector = svc.raw.spec?.selector;
  if (!isObject(selector) || Object.keys(selector).length === 0) return [];
  return ix.templatesIn(svc.namespace).filter(t => mapSelectorMatches(selector, t.labels));
}

function servingContainers(t: PodTemplate): Json[] {
  return containersOf(t.spec, t.specPath)
    .filter(c => c.type === 'containers' || (c.type === 'initContainers' && c.container?.restartPolicy === 'Always'))
    .map(c => c.container);
}

function containerPortsText(t: PodTemplate): string {
  const ports = servingContainers(t).flatMap(c => asArray(c?.ports)).map(p => (p.name ? `${p.name}=${p.containerPort}` : String(p.containerPort)));
  return ports.length ? ports.join(', ') : 'no ports';
}

function checkService(svc: Obj, ix: Index, f: Findings): void {
  const spec = svc.raw.spec ?? {};
  if (spec.type === 'ExternalName') return;
  const selector = spec.selector;
  if (!isObject(selector) || Object.keys(selector).length === 0) return;
  const selected = selectedTemplates(svc, ix);
  if (selected.length === 0) {
    const candidates = ix.templatesIn(svc.namespace).slice(0, 4).map(t => `${t.owner.id} ${labelsText(t.labels)}`);
    f.add('xref/service-selector', svc, 'spec.selector',
      `selector ${labelsText(selector)} matches no pod template in namespace "${svc.namespace}"` +
      (candidates.length ? ` (pod templates there: ${candidates.join('; ')})` : ' (there are none)') + '.');
    return;
  }
  asArray(spec.ports).forEach((p, i) => {
    const target = p?.targetPort ?? p?.port;
    for (const t of selected) {
      const ports = servingContainers(t).flatMap(c => asArray(c?.ports));
      const ok = typeof target === 'string'
        ? ports.some(cp => cp?.name === target)
        : ports.some(cp => cp?.containerPort === target);
      if (!ok) {
        f.add('xref/service-target-port', svc, `spec.ports[${i}].targetPort`,
          `port ${show(p?.name ?? p?.port)} targets ${show(target)}, which no container of ${t.owner.id} declares (it declares: ${containerPortsText(t)}).`);
      }
    }
  });
}

/** Checks that a Service exists and has the port (number, name, or numeric string); returns a problem text. */
function servicePortProblem(
  ix: Index, namespace: string | undefined, name: string, port: unknown, options: ManifestCheckOptions, portRequired = true,
): string | undefined {
  if (listed(options.externalServices, namespace, name)) return undefined;
  const svc = ix.find('Service', namespace, name);
  if (!svc) {
    const names = ix.ofKind('Service').filter(s => s.namespace === namespace).map(s => s.name);
    return `names Service "${name}", which is not in namespace "${namespace}" of the checked set (Services there: ${names.join(', ') || 'none'})`;
  }
  const ports = asArray(svc.raw.spec?.ports);
  const portsText = ports.map(p => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(', ') || 'none';
  if (port === undefined || port === null) {
    if (portRequired && ports.length !== 1) return `does not name a port of Service "${name}", which has ${ports.length} ports (${portsText})`;
    return undefined;
  }
  const ok = typeof port === 'number'
    ? ports.some(p => p.port === port)
    : /^\d+$/.test(String(port))
      ? ports.some(p => p.port === Number(port))
      : ports.some(p => p.name === port);
  return ok ? undefined : `names port ${show(port)} of Service "${name}", which has ports: ${portsText}`;
}

// ---------------------------------------------------------------- Ingress (incl. ALB actions)

const ALB_ACTIONS = 'alb.ingress.kubernetes.io/actions.';
const ALB_CONDITIONS = 'alb.ingress.kubernetes.io/conditions.';

function checkIngress(ing: Obj, ix: Index, f: Findings, options: ManifestCheckOptions): void {
  const spec = ing.raw.spec ?? {};
  const annotations: Record<string, string> = ing.raw.metadata?.annotations ?? {};
  const backends: Array<[string, Json]> = [];
  if (spec.defaultBackend) backends.push(['spec.defaultBackend', spec.defaultBackend]);
  asArray(spec.rules).forEach((r, i) => asArray(r?.http?.paths).forEach((p, j) => backends.push([`spec.rules[${i}].http.paths[${j}].backend`, p?.backend])));
  const backendNames = new Set<string>();
  for (const [path, b] of backends) {
    const svc = b?.service;
    if (!svc) continue; // resource backends are not checked
    backendNames.add(svc.name);
    if (svc.port?.name === 'use-annotation') {
      checkAlbAction(ing, `${path}.service`, String(svc.name), annotations, ix, f, options);
      continue;
    }
    const problem = servicePortProblem(ix, ing.namespace, String(svc.name), svc.port?.number ?? svc.port?.name, options);
    if (problem) f.add('xref/ingress-backend', ing, `${path}.service`, `backend ${problem}.`);
  }
  for (const [k, v] of Object.entries(annotations)) {
    if (!k.startsWith(ALB_CONDITIONS)) continue;
    const name = k.slice(ALB_CONDITIONS.length);
    const path = `metadata.annotations[${JSON.stringify(k)}]`;
    try {
      if (!Array.isArray(JSON.parse(v))) f.add('xref/alb-action', ing, path, 'conditions annotation must hold a JSON array of conditions.');
    } catch (e) {
      f.add('xref/alb-action', ing, path, `conditions annotation is not valid JSON: ${(e as Error).message}.`);
    }
    if (!backendNames.has(name)) f.add('xref/alb-action', ing, path, `conditions annotation names "${name}", which no backend of this Ingress uses (backends: ${[...backendNames].join(', ') || 'none'}).`);
  }
}

function checkAlbAction(
  ing: Obj, path: string, name: string, annotations: Record<string, string>, ix: Index, f: Findings, options: ManifestCheckOptions,
): void {
  const annotation = `${ALB_ACTIONS}${name}`;
  const raw = annotations[annotation];
  if (raw === undefined) {
    f.add('xref/alb-action', ing, path, `backend uses port "use-annotation" but the Ingress has no annotation "${annotation}".`);
    return;
  }
  const apath = `metadata.annotations[${JSON.stringify(annotation)}]`;
  let action: Json;
  try {
    action = JSON.parse(raw);
  } catch (e) {
    f.add('xref/alb-action', ing, apath, `action annotation is not valid JSON: ${(e as Error).message}.`);
    return;
  }
  if (action?.type !== 'forward') return;
  asArray(action.forwardConfig?.targetGroups).forEach((tg, i) => {
    if (tg?.serviceName === undefined) return; // targetGroupARN
    const problem = servicePortProblem(ix, ing.namespace, String(tg.serviceName), tg.servicePort, options);
    if (problem) f.add('xref/alb-action', ing, `${apath}.forwardConfig.targetGroups[${i}]`, `target group ${problem}.`);
  });
}

// ---------------------------------------------------------------- HPA, PDB, StatefulSet, NetworkPolicy

function checkHpa(hpa: Obj, ix: Index, f: Findings): void {
  const ref = hpa.raw.spec?.scaleTargetRef ?? {};
  const target = ix.find(String(ref.kind), hpa.namespace, String(ref.name));
  if (!target) {
    f.add('xref/hpa-target', hpa, 'spec.scaleTargetRef', `scaleTargetRef ${ref.kind}/${ref.name} is not in namespace "${hpa.namespace}" of the checked set.`);
    return;
  }
  if (ref.apiVersion !== undefined && ref.apiVersion !== target.apiVersion) {
    f.add('xref/hpa-target', hpa, 'spec.scaleTargetRef.apiVersion', `scaleTargetRef apiVersion ${show(ref.apiVersion)} does not match ${target.id} (${target.apiVersion}).`);
  }
  if (target.raw.spec?.replicas !== undefined) {
    f.add('xref/hpa-replicas', target, 'spec.replicas',
      `is scaled by ${hpa.id} but sets spec.replicas ${show(target.raw.spec.replicas)}: every apply would reset the HPA's scale; remove replicas.`);
  }
}

/** A VPA's targetRef names a workload of the set; its containerPolicies name containers of that workload ('*' for all). */
function checkVpa(vpa: Obj, ix: Index, f: Findings): void {
  const ref = vpa.raw.spec?.targetRef ?? {};
  const target = ix.find(String(ref.kind), vpa.namespace, String(ref.name));
  if (!target) {
    f.add('xref/vpa-target', vpa, 'spec.targetRef', `targetRef ${ref.kind}/${ref.name} is not in namespace "${vpa.namespace}" of the checked set.`);
    return;
  }
  const spec = (ref.kind === 'CronJob' ? target.raw.spec?.jobTemplate?.spec?.template?.spec : target.raw.spec?.template?.spec) ?? {};
  const names = new Set([...asArray(spec.containers), ...asArray(spec.initContainers)].map((c: Json) => c?.name));
  asArray(vpa.raw.spec?.resourcePolicy?.containerPolicies).forEach((p: Json, i: number) => {
    if (p?.containerName !== '*' && !names.has(p?.containerName)) {
      f.add('xref/vpa-target', vpa, `spec.resourcePolicy.containerPolicies[${i}].containerName`,
        `${show(p?.containerName)} is not a container of ${target.id} (${[...names].join(', ')}).`);
    }
  });
}

function checkPdb(pdb: Obj, ix: Index, f: Findings): void {
  const selector = pdb.raw.spec?.selector;
  const matched = isObject(selector) ? ix.templatesIn(pdb.namespace).filter(t => selectorMatches(selector, t.labels)) : [];
  if (matched.length === 0) {
    f.add('xref/pdb-selector', pdb, 'spec.selector', `selector ${show(selector)} matches no pod template in namespace "${pdb.namespace}".`);
  }
}

function checkStatefulSetService(sts: Obj, ix: Index, f: Findings): void {
  const name = sts.raw.spec?.serviceName;
  if (name === undefined || name === '') return;
  const svc = ix.find('Service', sts.namespace, String(name));
  if (!svc) f.add('xref/statefulset-service', sts, 'spec.serviceName', `serviceName "${name}" names no Service in namespace "${sts.namespace}" of the checked set.`);
  else if (svc.raw.spec?.clusterIP !== 'None') f.add('xref/statefulset-service', sts, 'spec.serviceName', `serviceName "${name}" names ${svc.id}, which is not headless: set clusterIP "None" on it.`);
}

function checkNetworkPolicy(np: Obj, ix: Index, f: Findings): void {
  const selector = np.raw.spec?.podSelector ?? {};
  if (!ix.templatesIn(np.namespace).some(t => selectorMatches(selector, t.labels))) {
    f.add('xref/network-policy', np, 'spec.podSelector', `podSelector ${show(selector)} matches no pod template in namespace "${np.namespace}".`, 'warning');
  }
}

// ---------------------------------------------------------------- Traefik, Gateway API

function traefikRef(owner: Obj, path: string, ref: Json, ix: Index, f: Findings, options: ManifestCheckOptions): void {
  if (!isObject(ref) || typeof ref.name !== 'string' || ref.name.includes('@')) return; // `x@provider` is outside Kubernetes
  const ns = typeof ref.namespace === 'string' ? ref.namespace : owner.namespace;
  if (ref.kind === 'TraefikService') {
    if (!ix.find('TraefikService', ns, ref.name)) f.add('xref/traefik-service', owner, path, `names TraefikService "${ref.name}", which is not in namespace "${ns}" of the checked set.`);
    return;
  }
  const problem = servicePortProblem(ix, ns, ref.name, ref.port, options);
  if (problem) f.add('xref/traefik-service', owner, path, `${problem}.`);
}

function checkIngressRoute(o: Obj, ix: Index, f: Findings, options: ManifestCheckOptions): void {
  asArray(o.raw.spec?.routes).forEach((r, i) => asArray(r?.services).forEach((s, j) => traefikRef(o, `spec.routes[${i}].services[${j}]`, s, ix, f, options)));
}

function checkTraefikService(o: Obj, ix: Index, f: Findings, options: ManifestCheckOptions): void {
  const spec = o.raw.spec ?? {};
  asArray(spec.weighted?.services).forEach((s, i) => traefikRef(o, `spec.weighted.services[${i}]`, s, ix, f, options));
  if (spec.mirroring) {
    traefikRef(o, 'spec.mirroring', spec.mirroring, ix, f, options);
    asArray(spec.mirroring.mirrors).forEach((m, i) => traefikRef(o, `spec.mirroring.mirrors[${i}]`, m, ix, f, options));
  }
}

function gatewayBackendRef(o: Obj, path: string, ref: Json, ix: Index, f: Findings, options: ManifestCheckOptions): void {
  if (!isObject(ref)) return;
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return; // other backends are not checked
  const ns = typeof ref.namespace === 'string' ? ref.namespace : o.namespace;
  if (ref.port === undefined && !listed(options.externalServices, ns, String(ref.name))) {
    f.add('xref/httproute-backend', o, `${path}.port`, `backendRef to Service "${ref.name}" has no port (required for Service backends).`);
    return;
  }
  const problem = servicePortProblem(ix, ns, String(ref.name), ref.port, options);
  if (problem) f.add('xref/httproute-backend', o, path, `backendRef ${problem}.`);
}

function checkHttpRoute(o: Obj, ix: Index, f: Findings, options: ManifestCheckOptions): void {
  asArray(o.raw.spec?.rules).forEach((r, i) => {
    const mirrors = (filters: Json, path: string) => asArray(filters).forEach((flt, k) => {
      if (flt?.type === 'RequestMirror') gatewayBackendRef(o, `${path}[${k}].requestMirror.backendRef`, flt.requestMirror?.backendRef, ix, f, options);
    });
    mirrors(r?.filters, `spec.rules[${i}].filters`);
    asArray(r?.backendRefs).forEach((b, j) => {
      gatewayBackendRef(o, `spec.rules[${i}].backendRefs[${j}]`, b, ix, f, options);
      mirrors(b?.filters, `spec.rules[${i}].backendRefs[${j}].filters`);
    });
  });
}

// ---------------------------------------------------------------- ConfigMap / Secret references

function checkConfigRefs(t: PodTemplate, ix: Index, f: Findings, options: ManifestCheckOptions): void {
  const ns = t.owner.namespace;
  const secretExists = (name: string) =>
    ix.find('Secret', ns, name) !== undefined || listed(options.externalSecrets, ns, name) ||
    ix.ofKind('ExternalSecret').some(es => es.namespace === ns && (es.raw.spec?.target?.name ?? es.name) === name);
  const configMapExists = (name: string) =>
    name === 'kube-root-ca.crt' || ix.find('ConfigMap', ns, name) !== undefined || listed(options.externalConfigMaps, ns, name);
  const ref = (kind: 'Secret' | 'ConfigMap', name: unknown, optional: unknown, path: string) => {
    if (optional === true || typeof name !== 'string') return;
    const ok = kind === 'Secret' ? secretExists(name) : configMapExists(name);
    if (!ok) {
      f.add('xref/config-ref', t.owner, path,
        `references ${kind} "${name}", which is not in namespace "${ns}" of the checked set` +
        ` (if it is created elsewhere, list it in the external${kind}s option).`);
    }
  };
  const sp = t.specPath;
  asArray(t.spec?.volumes).forEach((v, i) => {
    if (v?.configMap) ref('ConfigMap', v.configMap.name, v.configMap.optional, `${sp}.volumes[${i}].configMap.name`);
    if (v?.secret) ref('Secret', v.secret.secretName, v.secret.optional, `${sp}.volumes[${i}].secret.secretName`);
    asArray(v?.projected?.sources).forEach((s, j) => {
      if (s?.configMap) ref('ConfigMap', s.configMap.name, s.configMap.optional, `${sp}.volumes[${i}].projected.sources[${j}].configMap.name`);
      if (s?.secret) ref('Secret', s.secret.name, s.secret.optional, `${sp}.volumes[${i}].projected.sources[${j}].secret.name`);
    });
  });
  asArray(t.spec?.imagePullSecrets).forEach((s, i) => ref('Secret', s?.name, false, `${sp}.imagePullSecrets[${i}].name`));
  for (const c of containersOf(t.spec, sp)) {
    asArray(c.container?.envFrom).forEach((e, i) => {
      if (e?.configMapRef) ref('ConfigMap', e.configMapRef.name, e.configMapRef.optional, `${c.path}.envFrom[${i}].configMapRef.name`);
      if (e?.secretRef) ref('Secret', e.secretRef.name, e.secretRef.optional, `${c.path}.envFrom[${i}].secretRef.name`);
    });
    asArray(c.container?.env).forEach((e, i) => {
      const vf = e?.valueFrom;
      if (vf?.configMapKeyRef) ref('ConfigMap', vf.configMapKeyRef.name, vf.configMapKeyRef.optional, `${c.path}.env[${i}].valueFrom.configMapKeyRef.name`);
      if (vf?.secretKeyRef) ref('Secret', vf.secretKeyRef.name, vf.secretKeyRef.optional, `${c.path}.env[${i}].valueFrom.secretKeyRef.name`);
    });
  }
}
