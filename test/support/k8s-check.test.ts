import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { checkManifests, expectValidManifests, formatFindings, MANIFEST_RULES, ManifestCheckOptions, ManifestFinding, schemaSources } from './k8s-check';

/* eslint-disable @typescript-eslint/no-explicit-any */

const LABELS = { 'app.kubernetes.io/name': 'web' };

function container(name = 'web'): any {
  return {
    name,
    image: 'nginx:1.27',
    ports: [{ name: 'http', containerPort: 8080 }],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 101,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function podSpec(): any {
  return { automountServiceAccountToken: false, containers: [container()], volumes: [{ name: 'tmp', emptyDir: {} }] };
}

/** A valid Deployment + Service + HPA + Ingress + PDB set (fresh copy each call). */
function goodSet(): any[] {
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { matchLabels: LABELS }, template: { metadata: { labels: { ...LABELS, version: 'v1' } }, spec: podSpec() } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        ingressClassName: 'alb',
        rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } },
    },
  ];
}

const byKind = (set: any[], kind: string, i = 0): any => set.filter(o => o.kind === kind)[i];
const rulesOf = (fs: ManifestFinding[]) => [...new Set(fs.map(x => x.rule))].sort();

/** Applies a change to the good set and returns the findings. */
function findingsAfter(change: (set: any[]) => void | any[], options?: ManifestCheckOptions): ManifestFinding[] {
  const set = goodSet();
  const extra = change(set);
  return checkManifests(extra ? [...set, ...extra] : set, options);
}

describe('a good set', () => {
  test('Deployment + Service + HPA + Ingress + PDB passes with zero findings', () => {
    expect(checkManifests(goodSet())).toEqual([]);
    expect(() => expectValidManifests(goodSet())).not.toThrow();
  });

  test('accepts ChartManifest[] and reports the chart', () => {
    const set = goodSet();
    expect(checkManifests([{ name: 'shop', objects: set }])).toEqual([]);
    delete set[1].spec.ports[0].port;
    const fs = checkManifests([{ name: 'shop', objects: set }]);
    expect(fs.some(x => x.chart === 'shop' && x.rule === 'schema')).toBe(true);
  });

  test('accepts a cdk8s Chart and Testing.synth output', () => {
    const chart = Testing.chart();
    for (const o of goodSet()) new ApiObject(chart, `${o.kind}-${o.metadata.name}`, o);
    expect(checkManifests(chart)).toEqual([]);
    expect(checkManifests(Testing.synth(chart))).toEqual([]);
  });

  test('every rule id used by a finding is documented', () => {
    expect(Object.keys(MANIFEST_RULES)).toContain('pss/capabilities');
  });
});

describe('expectValidManifests', () => {
  test('throws with every finding listed, one per line', () => {
    const set = goodSet();
    byKind(set, 'Service').spec.selector = { app: 'nope' };
    delete byKind(set, 'Deployment').spec.template.spec.containers[0].securityContext.seccompProfile;
    expect(() => expectValidManifests(set)).toThrow(/2 finding\(s\):\n {2}\[pss\/seccomp\] Deployment\/shop\/web at spec\.template\.spec\.containers\[0\]\.securityContext\.seccompProfile\.type: container "web" has no seccomp profile.*\n {2}\[xref\/service-selector\] Service\/shop\/web at spec\.selector: selector \{"app":"nope"\} matches no pod template in namespace "shop"/);
  });

  test('warnings fail only with failOnWarnings', () => {
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'ghost' } } } };
    expect(() => expectValidManifests([...goodSet(), np])).not.toThrow();
    expect(() => expectValidManifests([...goodSet(), np], { failOnWarnings: true })).toThrow(/warning \[xref\/network-policy\] NetworkPolicy\/shop\/np at spec.podSelector: podSelector \{"matchLabels":\{"app":"ghost"\}\} matches no pod template/);
  });

  test('disableRules skips a rule or a prefix', () => {
    const set = goodSet();
    byKind(set, 'Service').spec.selector = { app: 'nope' };
    expect(() => expectValidManifests(set, { disableRules: ['xref/service-selector'] })).not.toThrow();
    expect(() => expectValidManifests(set, { disableRules: ['xref/'] })).not.toThrow();
    expect(formatFindings(checkManifests(set))).toMatch(/service-selector/);
  });
});

describe('input, schema, names, duplicates', () => {
  test('non-objects are findings', () => {
    const fs = checkManifests([{ kind: 'Service' }]);
    expect(fs).toEqual([expect.objectContaining({ rule: 'input', message: expect.stringMatching(/is not a Kubernetes object/) })]);
  });

  test('schema: a wrong type is reported with its path', () => {
    const fs = findingsAfter(set => { byKind(set, 'Deployment').spec.replicas = 'three'; byKind(set, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'web'; });
    const schema = fs.filter(x => x.rule === 'schema');
    expect(schema).toEqual([expect.objectContaining({ object: 'Deployment/shop/web', path: 'spec.replicas', message: 'spec.replicas must be integer (apps/v1 Deployment schema).' })]);
  });

  test('schema: a missing required field', () => {
    const fs = findingsAfter(set => { delete byKind(set, 'Deployment').spec.template.spec.containers[0].name; });
    expect(fs.filter(x => x.rule === 'schema').map(x => x.message)).toContain('spec.template.spec.containers[0] required field "name" is missing (apps/v1 Deployment schema).');
  });

  test('schema: unknown core kind and unknown CRD are findings, allowUnknownKinds lets them pass', () => {
    const objs = [
      { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } },
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'y' } },
    ];
    const fs = checkManifests(objs);
    expect(fs.map(x => `${x.rule} ${x.object}: ${x.message}`)).toEqual([
      'schema/unknown-kind Deploymnet/default/x: no schema is known for apiVersion "apps/v1" kind "Deploymnet": check the spelling, or list "apps/Deploymnet" in allowUnknownKinds.',
      'schema/unknown-kind Widget/default/y: no schema is known for apiVersion "example.com/v1" kind "Widget": check the spelling, or list "example.com/Widget" in allowUnknownKinds.',
    ]);
    expect(checkManifests(objs, { allowUnknownKinds: ['apps/Deploymnet', 'example.com/Widget'] })).toEqual([]);
  });

  test('metadata/name: Service names must be DNS-1035 labels', () => {
    const fs = findingsAfter(() => [{ apiVersion: 'v1', kind: 'Service', metadata: { name: '1web.x' }, spec: { ports: [{ port: 80 }] } }]);
    expect(fs).toEqual([expect.objectContaining({ rule: 'metadata/name', message: expect.stringMatching(/^name "1web.x" must be a DNS-1035 label/) })]);
  });

  test('duplicate: same group/kind/namespace/name twice', () => {
    const fs = findingsAfter(set => [byKind(set, 'Service')]);
    expect(rulesOf(fs)).toEqual(['duplicate']);
    expect(fs[0]).toMatchObject({ object: 'Service/shop/web', message: 'is emitted more than once: names must be unique per kind and namespace.' });
  });

  test('missing namespace is the default namespace (or defaultNamespace)', () => {
    const set = goodSet();
    for (const o of set) delete o.metadata.namespace;
    expect(checkManifests(set)).toEqual([]);
    const fs = checkManifests([...set, { ...goodSet()[1] }], { defaultNamespace: 'shop' });
    expect(rulesOf(fs)).toEqual(['duplicate']);
  });

  // Speed is the benchmark's concern (docs/benchmarks.md); this proves a large set checks clean in one call.
  test('a thousand objects in many namespaces check clean in one call', () => {
    const many: any[] = [];
    for (let i = 0; i < 200; i++) {
      for (const o of goodSet()) {
        o.metadata.namespace = `ns${i}`;
        many.push(o);
      }
    }
    expect(many).toHaveLength(200 * goodSet().length);
    expect(checkManifests(many)).toEqual([]);
  });
});

describe('CRD schemas', () => {
  const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
  const ts = (spec: any) => ({ apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', metadata: { name: 'web-split', namespace: 'shop' }, spec });
  const route = (spec: any) => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web', namespace: 'shop' }, spec });

  test('valid Traefik weighted + mirroring + IngressRoute, HTTPRoute, ExternalSecret pass', () => {
    const fs = findingsAfter(() => [
      svc('web-canary'),
      ts({ weighted: { services: [{ name: 'web', port: 80, weight: 90 }, { name: 'web-canary', port: 'http', weight: 10 }] } }),
      { ...ts({ mirroring: { name: 'web', port: 80, mirrors: [{ name: 'web-canary', port: 80, percent: 20 }] } }), metadata: { name: 'web-mirror', namespace: 'shop' } },
      {
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'IngressRoute',
        metadata: { name: 'web', namespace: 'shop' },
        spec: {
          entryPoints: ['websecure'],
          routes: [
            { kind: 'Rule', match: 'Host(`shop.example.com`) && Header(`X-Canary`, `always`)', priority: 100, services: [{ name: 'web-canary', port: 80 }] },
            { kind: 'Rule', match: 'Host(`shop.example.com`)', priority: 10, services: [{ name: 'web-split', kind: 'TraefikService' }] },
          ],
        },
      },
      route({
        parentRefs: [{ name: 'gw', namespace: 'gateway' }],
        hostnames: ['shop.example.com'],
        rules: [
          { matches: [{ headers: [{ type: 'Exact', name: 'X-Canary', value: 'always' }] }], backendRefs: [{ name: 'web-canary', port: 80 }] },
          {
            filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-canary', port: 80 }, percent: 20 } }],
            backendRefs: [{ name: 'web', port: 80, weight: 90 }, { name: 'web-canary', port: 80, weight: 10 }],
          },
        ],
      }),
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: { name: 'db', namespace: 'shop' },
        spec: { secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' }, target: { name: 'db-creds' }, refreshInterval: '1h', data: [{ secretKey: 'password', remoteRef: { key: 'prod/db' } }] },
      },
      { apiVersion: 'external-secrets.io/v1', kind: 'ClusterSecretStore', metadata: { name: 'aws' }, spec: { provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } } } },
    ]);
    expect(fs).toEqual([]);
  });

  test('Traefik: a non-integer weight and a mirror percent over 100', () => {
    const fs = checkManifests([ts({ weighted: { services: [{ name: 'web', port: 80, weight: 'ninety' }] } }), { ...ts({ mirroring: { name: 'web', port: 80, mirrors: [{ name: 'web', port: 80, percent: 150 }] } }), metadata: { name: 'm' } }], { disableRules: ['xref/'] });
    const msgs = fs.filter(x => x.rule === 'schema').map(x => x.message);
    expect(msgs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^spec\.weighted\.services\[0\]\.weight must be (an )?integer/),
      'spec.mirroring.mirrors[0].percent must be <= 100, got 150 (traefik.io/v1alpha1 TraefikService schema).',
    ]));
  });

  test('Traefik: a TraefikService must set exactly one of weighted or mirroring; IngressRoute routes need match', () => {
    const fs = checkManifests([
      ts({}),
      { apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name: 'r' }, spec: { routes: [{ kind: 'Rule', services: [] }] } },
    ], { disableRules: ['xref/'] });
    const msgs = fs.map(x => x.message);
    expect(msgs).toContain('spec must set exactly one of weighted, mirroring (set: none) (traefik.io/v1alpha1 TraefikService schema).');
    expect(msgs).toContain('spec.routes[0] required field "match" is missing (traefik.io/v1alpha1 IngressRoute schema).');
  });

  test('Gateway API: negative weight, empty header name, mirror percent out of range, unknown filter', () => {
    const fs = checkManifests([route({
      rules: [{
        matches: [{ headers: [{ name: '', value: 'x' }] }],
        filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'web', port: 80 }, percent: 101 } }, { type: 'Mirror' }],
        backendRefs: [{ name: 'web', port: 80, weight: -1 }],
      }],
    })], { disableRules: ['xref/'] });
    const msgs = fs.filter(x => x.rule === 'schema').map(x => x.message);
    expect(msgs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^spec\.rules\[0\]\.backendRefs\[0\]\.weight must be >= 0/),
      expect.stringMatching(/^spec\.rules\[0\]\.matches\[0\]\.headers\[0\]\.name must (have at least 1 characters|NOT have fewer than 1 characters)/),
      'spec.rules[0].filters[0].requestMirror.percent must be <= 100, got 101 (gateway.networking.k8s.io/v1 HTTPRoute schema).',
      expect.stringMatching(/^spec\.rules\[0\]\.filters\[1\]\.type must be (one of|equal to one of the allowed values)/),
    ]));
  });

  test('External Secrets: remoteRef.key is required', () => {
    const fs = checkManifests([{ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'db' }, spec: { data: [{ secretKey: 'p', remoteRef: {} }] } }]);
    expect(fs.map(x => x.message)).toContain('spec.data[0].remoteRef required field "key" is missing (external-secrets.io/v1 ExternalSecret schema).');
  });

  test('the CRD kinds we emit have a schema (built-in, plus the typed models when installed)', () => {
    for (const [apiVersion, kind] of [
      ['traefik.io/v1alpha1', 'TraefikService'], ['traefik.io/v1alpha1', 'IngressRoute'], ['traefik.io/v1alpha1', 'Middleware'],
      ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['gateway.networking.k8s.io/v1', 'Gateway'],
      ['external-secrets.io/v1', 'ExternalSecret'], ['external-secrets.io/v1', 'SecretStore'], ['external-secrets.io/v1', 'ClusterSecretStore'],
    ]) {
      expect(schemaSources(apiVersion, kind)).toContain('builtin');
    }
    expect(schemaSources('apps/v1', 'Deployment')).toEqual(['kubernetes-models']);
  });

  // The typed CRD models are devDependencies (CommonJS 0.x releases: the 2.x ones need Node 22): they are
  // always installed here and must be used.
  test.each([
    ['@kubernetes-models/traefik', 'traefik.io/v1alpha1', 'TraefikService'],
    ['@kubernetes-models/gateway-api', 'gateway.networking.k8s.io/v1', 'HTTPRoute'],
    ['@kubernetes-models/external-secrets', 'external-secrets.io/v1', 'ExternalSecret'],
    ['@kubernetes-models/autoscaler', 'autoscaling.k8s.io/v1', 'VerticalPodAutoscaler'],
  ])('%s is used for %s %s', (_pkg, apiVersion, kind) => {
    expect(schemaSources(apiVersion, kind)).toContain('crd-package');
  });

  test('a VerticalPodAutoscaler is checked against its CRD schema and its target', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'a:1' }] } } },
    };
    const vpa = (spec: Record<string, unknown>) => ({ apiVersion: 'autoscaling.k8s.io/v1', kind: 'VerticalPodAutoscaler', metadata: { name: 'api' }, spec });
    const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' };
    const rules = (objs: unknown[]) => checkManifests(objs).filter(x => !/^(pss|project)\//.test(x.rule)).map(x => `${x.rule} ${x.path}: ${x.message}`);
    expect(rules([deployment, vpa({ targetRef: target, updatePolicy: { updateMode: 'Off' } })])).toEqual([]);
    expect(rules([deployment, vpa({ targetRef: target, updatePolicy: { updateMode: 'Sometimes' } })]))
      .toEqual(['schema spec.updatePolicy.updateMode: spec.updatePolicy.updateMode must be equal to one of the allowed values: "Off", "Initial", "Recreate", "Auto" (autoscaling.k8s.io/v1 VerticalPodAutoscaler schema).']);
    expect(rules([vpa({ targetRef: target })])).toEqual(['xref/vpa-target spec.targetRef: targetRef Deployment/api is not in namespace "default" of the checked set.']);
    expect(rules([deployment, vpa({ targetRef: target, resourcePolicy: { containerPolicies: [{ containerName: 'web' }] } })]))
      .toEqual(['xref/vpa-target spec.resourcePolicy.containerPolicies[0].containerName: "web" is not a container of Deployment/default/api (api).']);
  });

  test('typed CRD model errors appear (IngressRoute route without kind)', () => {
    const fs = checkManifests([{ apiVersion: 'traefik.io/v1alpha1', kind: 'IngressRoute', metadata: { name: 'r' }, spec: { routes: [{ match: 'Host(`a`)' }] } }]);
    expect(fs.map(x => x.message)).toEqual(['spec.routes[0] required field "kind" is missing (traefik.io/v1alpha1 IngressRoute schema).']);
  });
});

describe('Pod Security restricted', () => {
  // [rule, change to the pod spec / first container, path, message, other rules the change also breaks]
  const cases: Array<[string, (s: any, c: any) => void, string, RegExp, string[]]> = [
    ['pss/host-namespaces', s => { s.hostNetwork = true; }, 'spec.template.spec.hostNetwork', /hostNetwork is true/, []],
    ['pss/privileged', (_s, c) => { c.securityContext.privileged = true; }, 'spec.template.spec.containers[0].securityContext.privileged', /container "web" is privileged/, []],
    ['pss/host-path', s => { s.volumes.push({ name: 'h', hostPath: { path: '/var' } }); }, 'spec.template.spec.volumes[1].hostPath', /volume "h" is a hostPath volume/, ['pss/volume-types']],
    ['pss/host-ports', (_s, c) => { c.ports[0].hostPort = 80; }, 'spec.template.spec.containers[0].ports[0].hostPort', /uses hostPort 80/, []],
    ['pss/apparmor', (_s, c) => { c.securityContext.appArmorProfile = { type: 'Unconfined' }; }, 'spec.template.spec.containers[0].securityContext.appArmorProfile.type', /AppArmor profile is "Unconfined"/, []],
    ['pss/selinux', s => { s.securityContext = { seLinuxOptions: { type: 'spc_t' } }; }, 'spec.template.spec.securityContext.seLinuxOptions.type', /SELinux type "spc_t" is not allowed/, []],
    ['pss/proc-mount', (_s, c) => { c.securityContext.procMount = 'Unmasked'; }, 'spec.template.spec.containers[0].securityContext.procMount', /procMount "Unmasked"/, []],
    ['pss/sysctls', s => { s.securityContext = { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }; }, 'spec.template.spec.securityContext.sysctls[0].name', /sysctl "kernel.msgmax" is not in the safe set/, []],
    ['pss/probe-host', (_s, c) => { c.livenessProbe = { httpGet: { host: '10.0.0.1', port: 8080, path: '/' } }; }, 'spec.template.spec.containers[0].livenessProbe.httpGet.host', /livenessProbe targets host "10.0.0.1"/, []],
    ['pss/volume-types', s => { s.volumes.push({ name: 'n', nfs: { server: 'x', path: '/' } }); }, 'spec.template.spec.volumes[1].nfs', /volume "n" has type nfs: restricted allows only/, []],
    ['pss/privilege-escalation', (_s, c) => { delete c.securityContext.allowPrivilegeEscalation; }, 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation', /allowPrivilegeEscalation unset: it must be set to false explicitly/, []],
    ['pss/run-as-non-root', (_s, c) => { delete c.securityContext.runAsNonRoot; }, 'spec.template.spec.containers[0].securityContext.runAsNonRoot', /may run as root: set runAsNonRoot true on the pod or on every container/, []],
    ['pss/run-as-user', (_s, c) => { c.securityContext.runAsUser = 0; }, 'spec.template.spec.containers[0].securityContext.runAsUser', /runs as user 0/, []],
    ['pss/seccomp', (_s, c) => { delete c.securityContext.seccompProfile; }, 'spec.template.spec.containers[0].securityContext.seccompProfile.type', /has no seccomp profile/, []],
    ['pss/capabilities', (_s, c) => { c.securityContext.capabilities = { drop: ['NET_RAW'] }; }, 'spec.template.spec.containers[0].securityContext.capabilities.drop', /does not drop ALL capabilities \(drop is \["NET_RAW"\]\)/, []],
    ['project/automount-token', s => { delete s.automountServiceAccountToken; }, 'spec.template.spec.automountServiceAccountToken', /automountServiceAccountToken is unset: set it to false/, []],
    ['project/read-only-root-fs', (_s, c) => { c.securityContext.readOnlyRootFilesystem = false; }, 'spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem', /has a writable root filesystem/, []],
  ];

  test.each(cases)('%s', (rule, change, path, message, also) => {
    const fs = findingsAfter(set => { const spec = byKind(set, 'Deployment').spec.template.spec; change(spec, spec.containers[0]); });
    expect(rulesOf(fs)).toEqual([rule, ...also].sort());
    expect(fs[0]).toMatchObject({ rule, object: 'Deployment/shop/web', path });
    expect(fs[0].message).toMatch(message);
  });

  test('baseline capabilities and restricted capabilities are separate rules', () => {
    const fs = findingsAfter(set => { byKind(set, 'Deployment').spec.template.spec.containers[0].securityContext.capabilities.add = ['SYS_ADMIN', 'CHOWN', 'NET_BIND_SERVICE']; });
    expect(fs.map(x => `${x.rule} ${x.path}`)).toEqual([
      'pss/capabilities-baseline spec.template.spec.containers[0].securityContext.capabilities.add[0]',
      'pss/capabilities spec.template.spec.containers[0].securityContext.capabilities.add[0]',
      'pss/capabilities spec.template.spec.containers[0].securityContext.capabilities.add[1]',
    ]);
  });

  test('seccomp Unconfined is a baseline finding; pod-level RuntimeDefault covers every container', () => {
    const fs = findingsAfter(set => { byKind(set, 'Deployment').spec.template.spec.containers[0].securityContext.seccompProfile.type = 'Unconfined'; });
    expect(rulesOf(fs)).toEqual(['pss/seccomp-baseline']);
    const ok = findingsAfter(set => {
      const spec = byKind(set, 'Deployment').spec.template.spec;
      spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' }, runAsNonRoot: true };
      delete spec.containers[0].securityContext.seccompProfile;
      delete spec.containers[0].securityContext.runAsNonRoot;
    });
    expect(ok).toEqual([]);
  });

  test('pod-level runAsNonRoot true is overridden by a container false; pod runAsUser 0', () => {
    const fs = findingsAfter(set => {
      const spec = byKind(set, 'Deployment').spec.template.spec;
      spec.securityContext = { runAsNonRoot: true, runAsUser: 0 };
      spec.containers[0].securityContext.runAsNonRoot = false;
    });
    expect(fs.map(x => `${x.rule} ${x.path}`)).toEqual([
      'pss/run-as-user spec.template.spec.securityContext.runAsUser',
      'pss/run-as-non-root spec.template.spec.containers[0].securityContext.runAsNonRoot',
    ]);
  });

  test('AppArmor annotation on the template', () => {
    const fs = findingsAfter(set => { byKind(set, 'Deployment').spec.template.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/web': 'unconfined' }; });
    expect(fs).toEqual([expect.objectContaining({ rule: 'pss/apparmor', path: 'spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/web"]' })]);
  });

  test('init and ephemeral containers are checked too', () => {
    const fs = findingsAfter(set => {
      const spec = byKind(set, 'Deployment').spec.template.spec;
      spec.initContainers = [{ name: 'init', image: 'busybox' }];
      spec.ephemeralContainers = [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }];
    });
    const paths = fs.map(x => `${x.rule} ${x.path.replace(/\.securityContext.*/, '')}`);
    expect(paths).toEqual(expect.arrayContaining([
      'pss/privilege-escalation spec.template.spec.initContainers[0]',
      'pss/capabilities spec.template.spec.initContainers[0]',
      'pss/privileged spec.template.spec.ephemeralContainers[0]',
      'pss/seccomp spec.template.spec.ephemeralContainers[0]',
      'project/read-only-root-fs spec.template.spec.ephemeralContainers[0]',
    ]));
  });

  test('every pod-bearing kind: Pod, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob', () => {
    const bad = () => ({ containers: [{ name: 'c', image: 'x' }] });
    const tpl = () => ({ metadata: { labels: { app: 'x' } }, spec: bad() });
    const objs = [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: bad() },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { selector: { matchLabels: { app: 'x' } }, template: tpl() } },
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd' }, spec: { selector: { matchLabels: { app: 'x' } }, template: tpl() } },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { selector: { matchLabels: { app: 'x' } }, template: tpl() } },
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: tpl() } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: tpl() } } } },
    ];
    const fs = checkManifests(objs).filter(x => x.rule === 'pss/capabilities');
    expect(fs.map(x => `${x.object} ${x.path}`)).toEqual([
      'Pod/default/p spec.containers[0].securityContext.capabilities.drop',
      'StatefulSet/default/s spec.template.spec.containers[0].securityContext.capabilities.drop',
      'DaemonSet/default/d spec.template.spec.containers[0].securityContext.capabilities.drop',
      'ReplicaSet/default/r spec.template.spec.containers[0].securityContext.capabilities.drop',
      'Job/default/j spec.template.spec.containers[0].securityContext.capabilities.drop',
      'CronJob/default/c spec.jobTemplate.spec.template.spec.containers[0].securityContext.capabilities.drop',
    ]);
  });

  test('options: allowServiceAccountToken, requireReadOnlyRootFilesystem', () => {
    const change = (set: any[]) => {
      const spec = byKind(set, 'Deployment').spec.template.spec;
      spec.automountServiceAccountToken = true;
      spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    };
    expect(rulesOf(findingsAfter(change))).toEqual(['project/automount-token', 'project/read-only-root-fs']);
    expect(findingsAfter(change, { allowServiceAccountToken: true, requireReadOnlyRootFilesystem: false })).toEqual([]);
    expect(rulesOf(findingsAfter(change, { allowServiceAccountToken: ['Deployment/web'] }))).toEqual(['project/read-only-root-fs']);
    expect(rulesOf(findingsAfter(change, { allowServiceAccountToken: ['other'] }))).toEqual(['project/automount-token', 'project/read-only-root-fs']);
  });

  test('cdk8s-plus-28 defaults fail exactly seccomp and capabilities (as the reference says)', () => {
    const chart = new Chart(Testing.app(), 'plus');
    new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx', portNumber: 8080 }] });
    expect(rulesOf(checkManifests(chart))).toEqual(['pss/capabilities', 'pss/seccomp']);
  });
});

describe('cross-references', () => {
  test('xref/service-selector lists the pod templates in the namespace', () => {
    const fs = findingsAfter(set => { byKind(set, 'Service').spec.selector = { app: 'wbe' }; });
    expect(fs).toEqual([expect.objectContaining({
      rule: 'xref/service-selector',
      object: 'Service/shop/web',
      path: 'spec.selector',
      message: 'selector {"app":"wbe"} matches no pod template in namespace "shop" (pod templates there: Deployment/shop/web {"app.kubernetes.io/name":"web","version":"v1"}).',
    })]);
  });

  test('xref/service-selector: same labels in another namespace do not count', () => {
    const fs = findingsAfter(set => { byKind(set, 'Service').metadata.namespace = 'other'; });
    expect(rulesOf(fs)).toEqual(['xref/ingress-backend', 'xref/service-selector']);
  });

  test('xref/service-target-port by name and by number', () => {
    let fs = findingsAfter(set => { byKind(set, 'Service').spec.ports[0].targetPort = 'web'; });
    expect(fs).toEqual([expect.objectContaining({ rule: 'xref/service-target-port', path: 'spec.ports[0].targetPort', message: 'port "http" targets "web", which no container of Deployment/shop/web declares (it declares: http=8080).' })]);
    fs = findingsAfter(set => { byKind(set, 'Service').spec.ports[0].targetPort = 9090; });
    expect(rulesOf(fs)).toEqual(['xref/service-target-port']);
    fs = findingsAfter(set => { byKind(set, 'Service').spec.ports[0].targetPort = 8080; });
    expect(fs).toEqual([]);
  });

  test('xref/ingress-backend: unknown Service, unknown port number and name, default backend', () => {
    const fs = findingsAfter(set => {
      const ing = byKind(set, 'Ingress');
      ing.spec.defaultBackend = { service: { name: 'nope', port: { number: 80 } } };
      const paths = ing.spec.rules[0].http.paths;
      paths.push({ path: '/a', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } });
      paths.push({ path: '/b', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'https' } } } });
      paths.push({ path: '/c', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } });
    });
    expect(fs.map(x => `${x.rule} ${x.path}: ${x.message}`)).toEqual([
      'xref/ingress-backend spec.defaultBackend.service: backend names Service "nope", which is not in namespace "shop" of the checked set (Services there: web).',
      'xref/ingress-backend spec.rules[0].http.paths[1].backend.service: backend names port 8080 of Service "web", which has ports: http=80.',
      'xref/ingress-backend spec.rules[0].http.paths[2].backend.service: backend names port "https" of Service "web", which has ports: http=80.',
    ]);
  });

  test('externalServices lets an Ingress point at a Service outside the set', () => {
    const change = (set: any[]) => { byKind(set, 'Ingress').spec.rules[0].http.paths[0].backend.service.name = 'legacy'; };
    expect(rulesOf(findingsAfter(change))).toEqual(['xref/ingress-backend']);
    expect(findingsAfter(change, { externalServices: ['shop/legacy'] })).toEqual([]);
  });

  describe('ALB use-annotation', () => {
    const canary = () => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-canary', namespace: 'shop' }, spec: { selector: LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    const forward = (groups: any[]) => JSON.stringify({ type: 'forward', forwardConfig: { targetGroups: groups } });
    const useAnnotation = (set: any[], annotations: Record<string, string>) => {
      const ing = byKind(set, 'Ingress');
      ing.metadata.annotations = annotations;
      ing.spec.rules[0].http.paths[0].backend.service = { name: 'weighted', port: { name: 'use-annotation' } };
      return [canary()];
    };

    test('a valid weighted forward and header condition pass', () => {
      expect(findingsAfter(set => useAnnotation(set, {
        'alb.ingress.kubernetes.io/actions.weighted': forward([{ serviceName: 'web', servicePort: '80', weight: 90 }, { serviceName: 'web-canary', servicePort: 'http', weight: 10 }]),
        'alb.ingress.kubernetes.io/conditions.weighted': JSON.stringify([{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'X-Canary', values: ['always'] } }]),
      }))).toEqual([]);
    });

    test('missing action annotation', () => {
      const fs = findingsAfter(set => useAnnotation(set, {}));
      expect(fs).toEqual([expect.objectContaining({ rule: 'xref/alb-action', message: 'backend uses port "use-annotation" but the Ingress has no annotation "alb.ingress.kubernetes.io/actions.weighted".' })]);
    });

    test('target groups naming a missing Service or port', () => {
      const fs = findingsAfter(set => useAnnotation(set, {
        'alb.ingress.kubernetes.io/actions.weighted': forward([{ serviceName: 'web-stable', servicePort: '80', weight: 90 }, { serviceName: 'web-canary', servicePort: '8080', weight: 10 }]),
      }));
      expect(fs.map(x => `${x.path}: ${x.message}`)).toEqual([
        'metadata.annotations["alb.ingress.kubernetes.io/actions.weighted"].forwardConfig.targetGroups[0]: target group names Service "web-stable", which is not in namespace "shop" of the checked set (Services there: web, web-canary).',
        'metadata.annotations["alb.ingress.kubernetes.io/actions.weighted"].forwardConfig.targetGroups[1]: target group names port "8080" of Service "web-canary", which has ports: http=80.',
      ]);
    });

    test('invalid JSON and a conditions annotation no backend uses', () => {
      const fs = findingsAfter(set => useAnnotation(set, {
        'alb.ingress.kubernetes.io/actions.weighted': '{"type":"forward"',
        'alb.ingress.kubernetes.io/conditions.other': '[]',
      }));
      expect(fs.map(x => x.message)).toEqual([
        expect.stringMatching(/^action annotation is not valid JSON: /),
        'conditions annotation names "other", which no backend of this Ingress uses (backends: weighted).',
      ]);
    });
  });

  test('xref/hpa-target and xref/hpa-replicas', () => {
    let fs = findingsAfter(set => { byKind(set, 'HorizontalPodAutoscaler').spec.scaleTargetRef.name = 'api'; });
    expect(fs).toEqual([expect.objectContaining({ rule: 'xref/hpa-target', message: 'scaleTargetRef Deployment/api is not in namespace "shop" of the checked set.' })]);
    fs = findingsAfter(set => { byKind(set, 'HorizontalPodAutoscaler').spec.scaleTargetRef.kind = 'StatefulSet'; });
    expect(rulesOf(fs)).toEqual(['xref/hpa-target']);
    fs = findingsAfter(set => { byKind(set, 'Deployment').spec.replicas = 2; });
    expect(fs).toEqual([expect.objectContaining({ rule: 'xref/hpa-replicas', object: 'Deployment/shop/web', path: 'spec.replicas', message: expect.stringMatching(/is scaled by HorizontalPodAutoscaler\/shop\/web but sets spec.replicas 2/) })]);
  });

  test('xref/pdb-selector with matchLabels and matchExpressions', () => {
    let fs = findingsAfter(set => { byKind(set, 'PodDisruptionBudget').spec.selector = { matchLabels: { app: 'nope' } }; });
    expect(fs).toEqual([expect.objectContaining({ rule: 'xref/pdb-selector', message: 'selector {"matchLabels":{"app":"nope"}} matches no pod template in namespace "shop".' })]);
    fs = findingsAfter(set => { byKind(set, 'PodDisruptionBudget').spec.selector = { matchExpressions: [{ key: 'version', operator: 'In', values: ['v1', 'v2'] }] }; });
    expect(fs).toEqual([]);
    fs = findingsAfter(set => { byKind(set, 'PodDisruptionBudget').spec.selector = { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v1'] }] }; });
    expect(rulesOf(fs)).toEqual(['xref/pdb-selector']);
  });

  test('xref/config-ref: volumes, projected, envFrom, env, imagePullSecrets; ExternalSecret targets and external lists count', () => {
    const change = (set: any[]) => {
      const spec = byKind(set, 'Deployment').spec.template.spec;
      spec.volumes.push({ name: 'cfg', configMap: { name: 'web-config' } }, { name: 'tls', secret: { secretName: 'web-tls' } });
      spec.volumes.push({ name: 'p', projected: { sources: [{ configMap: { name: 'kube-root-ca.crt' } }, { secret: { name: 'proj' } }] } });
      spec.volumes.push({ name: 'o', secret: { secretName: 'maybe', optional: true } });
      spec.imagePullSecrets = [{ name: 'regcred' }];
      spec.containers[0].envFrom = [{ configMapRef: { name: 'web-env' } }, { secretRef: { name: 'db-creds' } }];
      spec.containers[0].env = [{ name: 'K', valueFrom: { secretKeyRef: { name: 'api-key', key: 'k' } } }];
    };
    const fs = findingsAfter(change);
    expect(fs.map(x => `${x.path}: ${x.message}`)).toEqual([
      'spec.template.spec.volumes[1].configMap.name: references ConfigMap "web-config", which is not in namespace "shop" of the checked set (if it is created elsewhere, list it in the externalConfigMaps option).',
      'spec.template.spec.volumes[2].secret.secretName: references Secret "web-tls", which is not in namespace "shop" of the checked set (if it is created elsewhere, list it in the externalSecrets option).',
      expect.stringMatching(/^spec.template.spec.volumes\[3\].projected.sources\[1\].secret.name: references Secret "proj"/),
      expect.stringMatching(/^spec.template.spec.imagePullSecrets\[0\].name: references Secret "regcred"/),
      expect.stringMatching(/^spec.template.spec.containers\[0\].envFrom\[0\].configMapRef.name: references ConfigMap "web-env"/),
      expect.stringMatching(/^spec.template.spec.containers\[0\].envFrom\[1\].secretRef.name: references Secret "db-creds"/),
      expect.stringMatching(/^spec.template.spec.containers\[0\].env\[0\].valueFrom.secretKeyRef.name: references Secret "api-key"/),
    ]);
    const resolved = findingsAfter(set => {
      change(set);
      return [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'shop' }, data: {} },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-tls', namespace: 'shop' }, type: 'kubernetes.io/tls' },
        {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: 'db', namespace: 'shop' },
          spec: { secretStoreRef: { name: 'aws', kind: 'ClusterSecretStore' }, target: { name: 'db-creds' }, data: [{ secretKey: 'p', remoteRef: { key: 'k' } }] },
        },
        { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'api-key', namespace: 'shop' }, spec: { data: [{ secretKey: 'k', remoteRef: { key: 'k' } }] } },
      ];
    }, { externalSecrets: ['proj', 'shop/regcred'], externalConfigMaps: ['web-env'] });
    expect(resolved).toEqual([]);
  });

  test('xref/traefik-service: IngressRoute and TraefikService references', () => {
    const fs = findingsAfter(() => [
      { apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', metadata: { name: 'split', namespace: 'shop' }, spec: { weighted: { services: [{ name: 'web', port: 8080, weight: 1 }, { name: 'gone', port: 80, weight: 1 }] } } },
      { apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', metadata: { name: 'mirror', namespace: 'shop' }, spec: { mirroring: { name: 'web', port: 80, mirrors: [{ name: 'web', port: 'grpc', percent: 5 }] } } },
      {
        apiVersion: 'traefik.io/v1alpha1',
        kind: 'IngressRoute',
        metadata: { name: 'r', namespace: 'shop' },
        spec: { routes: [{ kind: 'Rule', match: 'Host(`a.example.com`)', services: [{ name: 'splitt', kind: 'TraefikService' }, { name: 'noop@internal', kind: 'TraefikService' }, { name: 'web' }] }] },
      },
    ]);
    expect(fs.map(x => `${x.object} ${x.path}: ${x.message}`)).toEqual([
      'TraefikService/shop/split spec.weighted.services[0]: names port 8080 of Service "web", which has ports: http=80.',
      'TraefikService/shop/split spec.weighted.services[1]: names Service "gone", which is not in namespace "shop" of the checked set (Services there: web).',
      'TraefikService/shop/mirror spec.mirroring.mirrors[0]: names port "grpc" of Service "web", which has ports: http=80.',
      'IngressRoute/shop/r spec.routes[0].services[0]: names TraefikService "splitt", which is not in namespace "shop" of the checked set.',
    ]);
  });

  test('xref/httproute-backend: backendRefs and RequestMirror backends', () => {
    const fs = findingsAfter(() => [{
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'shop' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [{
          filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 80 } } }],
          backendRefs: [{ name: 'web', port: 8080 }, { name: 'web' }, { name: 'bucket', kind: 'S3', group: 'example.com' }],
        }],
      },
    }]);
    expect(fs.map(x => `${x.path}: ${x.message}`)).toEqual([
      'spec.rules[0].filters[0].requestMirror.backendRef: backendRef names Service "shadow", which is not in namespace "shop" of the checked set (Services there: web).',
      'spec.rules[0].backendRefs[0]: backendRef names port 8080 of Service "web", which has ports: http=80.',
      'spec.rules[0].backendRefs[1].port: backendRef to Service "web" has no port (required for Service backends).',
    ]);
  });

  test('xref/statefulset-service: missing and not headless', () => {
    const sts = (serviceName: string) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { serviceName, selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: podSpec() } },
    });
    const headless = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 8080 }] } };
    expect(checkManifests([sts('db'), headless])).toEqual([]);
    expect(checkManifests([sts('dbx'), headless]).map(x => x.message)).toEqual(['serviceName "dbx" names no Service in namespace "shop" of the checked set.']);
    const notHeadless = { ...headless, spec: { ...headless.spec, clusterIP: undefined } };
    expect(checkManifests([sts('db'), notHeadless]).map(x => x.message)).toEqual(['serviceName "db" names Service/shop/db, which is not headless: set clusterIP "None" on it.']);
  });

  test('xref/network-policy is a warning; an empty podSelector matches every template', () => {
    const np = (podSelector: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'shop' }, spec: { podSelector, policyTypes: ['Ingress'] } });
    expect(findingsAfter(() => [np({})])).toEqual([]);
    expect(findingsAfter(() => [np({ matchLabels: LABELS })])).toEqual([]);
    expect(findingsAfter(() => [np({ matchLabels: { app: 'x' } })])).toEqual([expect.objectContaining({ rule: 'xref/network-policy', severity: 'warning' })]);
  });
});
