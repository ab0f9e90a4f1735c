import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { expectPropError, one } from './fixtures';
import {
  Callers, ClusterTraits, Cpu, DisruptionBudget, PathType, PlatformChart, Probe, SecretRef, ServiceType, WebService,
} from '../../lib';

import { expectValidManifests } from '../support/k8s-check';

const IMAGE = 'nginxinc/nginx-unprivileged:1.27.3';

/** Synthesizes a chart and checks every object (schema, Pod Security restricted, cross-references). */
function synth(chart: Chart, options: Parameters<typeof expectValidManifests>[1] = {}): any[] {
  const objects = Testing.synth(chart);
  expectValidManifests(objects, options);
  return objects;
}

function chartFor(traits = ClusterTraits.eks({ vpcCidr: '10.0.0.0/16', externalSecretStore: { name: 'aws-secrets-manager', secretNamePrefix: 'prod/' } }), namespace: string | undefined = 'shop') {
  return new PlatformChart(Testing.app(), 'shop', { traits, namespace });
}

function byKind(objects: any[], kind: string, name?: string): any[] {
  return objects.filter(o => o.kind === kind && (name === undefined || o.metadata.name === name));
}

describe('WebService defaults', () => {
  const chart = chartFor();
  new WebService(chart, 'web', { image: IMAGE, ingress: { hosts: ['myapp.example.com'] } });
  const objects = synth(chart);
  const deployment = one(objects, 'Deployment', 'web');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  test('emits Deployment, Service, HPA, PDB, Ingress and NetworkPolicy', () => {
    expect(objects.map(o => o.kind).sort()).toEqual(
      ['Deployment', 'HorizontalPodAutoscaler', 'Ingress', 'NetworkPolicy', 'PodDisruptionBudget', 'Service']);
  });

  test('pods pass Pod Security restricted', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('standard labels and stable selector', () => {
    expect(deployment.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/instance': 'web',
      'app.kubernetes.io/version': '1.27.3',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/managed-by': 'cdk-k8s-platform',
    });
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' });
    expect(one(objects, 'Service').spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  test('autoscaled: HPA 2..10 at 70% CPU and no replicas on the Deployment', () => {
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = one(objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
  });

  test('honest resources: requests, memory limit, no CPU limit', () => {
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  test('probes default to TCP on the first port, with a startup probe', () => {
    expect(container.readinessProbe).toMatchObject({ tcpSocket: { port: 'http' }, periodSeconds: 10 });
    expect(container.livenessProbe).toMatchObject({ tcpSocket: { port: 'http' }, periodSeconds: 20 });
    expect(container.startupProbe).toMatchObject({ tcpSocket: { port: 'http' }, periodSeconds: 5, failureThreshold: 30 });
  });

  test('pinned image pulled IfNotPresent, writable /tmp, soft spread', () => {
    expect(container.image).toBe(IMAGE);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.volumeMounts).toEqual([{ name: 'writable-0', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'writable-0', emptyDir: {} }]);
    expect(pod.topologySpreadConstraints.map((t: any) => [t.topologyKey, t.whenUnsatisfiable])).toEqual([
      ['topology.kubernetes.io/zone', 'ScheduleAnyway'], ['kubernetes.io/hostname', 'ScheduleAnyway'],
    ]);
  });

  test('PDB maxUnavailable 1 on the same pods', () => {
    const pdb = one(objects, 'PodDisruptionBudget');
    expect(pdb.spec).toMatchObject({ maxUnavailable: 1, selector: { matchLabels: deployment.spec.selector.matchLabels } });
  });

  test('Ingress uses the ALB traits', () => {
    const ing = one(objects, 'Ingress');
    expect(ing.spec.ingressClassName).toBe('alb');
    expect(ing.metadata.annotations).toEqual({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
    });
    expect(ing.spec.rules).toEqual([{
      host: 'myapp.example.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] },
    }]);
  });

  test('NetworkPolicy admits the namespace and the VPC (ALB in ip mode) on the container port', () => {
    const np = one(objects, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toEqual([
      { from: [{ podSelector: {} }], ports: [{ port: 8080, protocol: 'TCP' }] },
      { from: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });
});

describe('WebService options', () => {
  test('fixed replicas: no HPA, replicas on the Deployment', () => {
    const chart = chartFor();
    new WebService(chart, 'users', { image: IMAGE, replicas: 2 });
    const objects = synth(chart);
    expect(byKind(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(one(objects, 'Deployment').spec.replicas).toBe(2);
  });

  test('autoscaling defaults never contradict a bound the user gave', () => {
    const chart = chartFor();
    new WebService(chart, 'one', { image: IMAGE, autoscaling: { maxReplicas: 1 } });
    new WebService(chart, 'many', { image: IMAGE, autoscaling: { minReplicas: 12 } });
    const objects = synth(chart);
    expect(one(objects, 'HorizontalPodAutoscaler', 'one').spec).toMatchObject({ minReplicas: 1, maxReplicas: 1 });
    expect(one(objects, 'HorizontalPodAutoscaler', 'many').spec).toMatchObject({ minReplicas: 12, maxReplicas: 12 });
  });

  test('resources can be overridden and omitted per field', () => {
    const chart = chartFor();
    new WebService(chart, 'web', {
      image: IMAGE,
      resources: { cpuRequest: Cpu.millis(250), cpuLimit: Cpu.units(1), memoryLimit: false, memoryRequest: Size.mebibytes(512) },
      autoscaling: { memoryUtilization: 80, minReplicas: 3, maxReplicas: 6 },
    });
    const objects = synth(chart);
    expect(one(objects, 'Deployment').spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1' },
    });
    expect(one(objects, 'HorizontalPodAutoscaler').spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    ]);
  });

  test('a Cpu of cdk8s-plus-28 is accepted where the library\'s Cpu is (the same shape)', () => {
    const chart = chartFor();
    new WebService(chart, 'web', { image: IMAGE, resources: { cpuRequest: kplus.Cpu.millis(300), cpuLimit: kplus.Cpu.units(2) } });
    expect(one(synth(chart), 'Deployment').spec.template.spec.containers[0].resources).toMatchObject({ requests: { cpu: '300m' }, limits: { cpu: '2' } });
  });

  test('HTTP probes from healthCheckPath, custom probe and probes turned off', () => {
    const chart = chartFor();
    new WebService(chart, 'web', {
      image: IMAGE,
      healthCheckPath: '/healthz',
      probes: { liveness: Probe.http('/livez', { period: Duration.seconds(30) }), startup: false },
    });
    const c = one(synth(chart), 'Deployment').spec.template.spec.containers[0];
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/livez' }, periodSeconds: 30 });
    expect(c.startupProbe).toBeUndefined();
  });

  test('config as env and files, with a checksum that changes with the content', () => {
    const checksum = (content: string) => {
      const chart = chartFor();
      new WebService(chart, 'web', { image: IMAGE, config: { env: { LOG_LEVEL: 'info' }, files: { 'app.yaml': content } } });
      const objects = synth(chart);
      const d = one(objects, 'Deployment');
      expect(one(objects, 'ConfigMap').data).toEqual({ 'LOG_LEVEL': 'info', 'app.yaml': content });
      expect(d.spec.template.spec.containers[0].envFrom).toBeUndefined();
      // each config variable by key: the file does not leak into the environment
      expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'LOG_LEVEL' } } }]);
      expect(d.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/web', readOnly: true });
      return d.spec.template.metadata.annotations['checksum/config'];
    };
    expect(checksum('a: 1')).toMatch(/^[a-f0-9]{64}$/);
    expect(checksum('a: 1')).not.toEqual(checksum('a: 2'));
  });

  test('secrets by reference: existing Secret and ExternalSecret from Secrets Manager', () => {
    const chart = chartFor();
    new WebService(chart, 'web', {
      image: IMAGE,
      secretEnv: {
        DB_PASSWORD: SecretRef.fromSecret('db-credentials', 'password'),
        API_TOKEN: SecretRef.fromAwsSecretsManager({ remoteName: 'prod/web/api', property: 'token' }),
      },
    });
    const objects = synth(chart, { externalSecrets: ['shop/db-credentials'] });
    const env = one(objects, 'Deployment').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'web-external', key: 'API_TOKEN' } } },
    ]);
    const es = one(objects, 'ExternalSecret');
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'aws-secrets-manager' },
      target: { name: 'web-external', creationPolicy: 'Owner' },
      data: [{ secretKey: 'API_TOKEN', remoteRef: { key: 'prod/web/api', property: 'token' } }],
    });
  });

  test('Secrets Manager references: refused without an External Secrets store, and outside its name prefix', () => {
    expect(() => new WebService(chartFor(ClusterTraits.k3s()), 'web', {
      image: IMAGE, secretEnv: { TOKEN: SecretRef.fromAwsSecretsManager({ remoteName: 'prod/web/api' }) },
    })).toThrow(/WebService\.secretEnv\.TOKEN is "SecretRef\.fromAwsSecretsManager\(prod\/web\/api\)": needs the External Secrets Operator/);
    expect(() => new WebService(chartFor(), 'web', {
      image: IMAGE, secretEnv: { TOKEN: SecretRef.fromAwsSecretsManager({ remoteName: 'other/web/api' }) },
    })).toThrow(/WebService\.secretEnv\.TOKEN\.remoteName is "other\/web\/api": is outside the secrets the cluster's store may read: name it "prod\/\.\.\."/);
    // an ARN inside the prefix is accepted
    expect(() => new WebService(chartFor(), 'web', {
      image: IMAGE, secretEnv: { TOKEN: SecretRef.fromAwsSecretsManager({ remoteName: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:prod/web/api-AbCdEf' }) },
    })).not.toThrow();
  });

  test('LoadBalancer Service gets the traits annotations', () => {
    const chart = chartFor();
    new WebService(chart, 'web', { image: IMAGE, serviceType: ServiceType.LOAD_BALANCER, internetFacing: true });
    const svc = one(synth(chart), 'Service');
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    });
  });

  test('k3s traits: Traefik ingress class, TLS secret, NetworkPolicy from the Traefik pods', () => {
    const chart = chartFor(ClusterTraits.k3s());
    new WebService(chart, 'web', {
      image: IMAGE,
      ingress: { hosts: ['a.example.com'], paths: ['/api'], pathType: PathType.EXACT, tls: { secretName: 'a-tls' } },
    });
    const objects = synth(chart);
    const ing = one(objects, 'Ingress');
    expect(ing.spec.ingressClassName).toBe('traefik');
    expect(ing.spec.tls).toEqual([{ hosts: ['a.example.com'], secretName: 'a-tls' }]);
    expect(ing.spec.rules[0].http.paths[0]).toMatchObject({ path: '/api', pathType: 'Exact' });
    expect(one(objects, 'NetworkPolicy').spec.ingress[1].from).toEqual([{
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    }]);
  });

  test('Gateway API traits: an HTTPRoute instead of an Ingress', () => {
    const chart = chartFor(ClusterTraits.gatewayApi({ gatewayName: 'public', gatewayNamespace: 'gateways' }));
    new WebService(chart, 'web', { image: IMAGE, ingress: { hosts: ['a.example.com'] } });
    const objects = synth(chart);
    expect(byKind(objects, 'Ingress')).toHaveLength(0);
    expect(one(objects, 'HTTPRoute').spec).toEqual({
      parentRefs: [{ name: 'public', namespace: 'gateways' }],
      hostnames: ['a.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }],
    });
  });

  test('callers: only named workloads, across namespaces; any() writes no policy', () => {
    const app = Testing.app();
    const other = new PlatformChart(app, 'other', { traits: ClusterTraits.k3s(), namespace: 'front' });
    const front = new WebService(other, 'front', { image: IMAGE });
    const chart = new PlatformChart(app, 'back', { traits: ClusterTraits.k3s(), namespace: 'back' });
    new WebService(chart, 'api', { image: IMAGE, callers: Callers.only(front) });
    new WebService(chart, 'open', { image: IMAGE, callers: Callers.any() });
    const objects = synth(chart);
    expect(one(objects, 'NetworkPolicy', 'api').spec.ingress).toEqual([{
      from: [{
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'front', 'app.kubernetes.io/instance': 'front' } },
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'front' } },
      }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    }]);
    expect(byKind(objects, 'NetworkPolicy', 'open')).toHaveLength(0);
  });

  test('disruption budget can be changed or removed', () => {
    const chart = chartFor();
    new WebService(chart, 'a', { image: IMAGE, disruptionBudget: DisruptionBudget.minAvailable('50%') });
    new WebService(chart, 'b', { image: IMAGE, disruptionBudget: DisruptionBudget.none() });
    const objects = synth(chart);
    expect(one(objects, 'PodDisruptionBudget', 'a').spec.minAvailable).toBe('50%');
    expect(byKind(objects, 'PodDisruptionBudget', 'b')).toHaveLength(0);
  });
});

describe('WebService validation errors', () => {
  const cases: Array<[string, (c: PlatformChart) => void, RegExp]> = [
    ['latest tag', c => new WebService(c, 'web', { image: 'nginx:latest' }),
      /\[shop\/web\] WebService\.image is "nginx:latest": uses the "latest" tag/],
    ['untagged image', c => new WebService(c, 'web', { image: 'nginx' }),
      /WebService\.image is "nginx": must name a tag or a digest/],
    ['bad name', c => new WebService(c, 'Web_1', { image: IMAGE }),
      /\[shop\/Web_1\] WebService\.name is "Web_1": must be a DNS-1123 label/],
    ['service name starting with a digit', c => new WebService(c, '1web', { image: IMAGE }),
      /WebService\.name is "1web": must be a DNS-1035 label/],
    ['port out of range', c => new WebService(c, 'web', { image: IMAGE, ports: [{ name: 'http', port: 70000 }] }),
      /WebService\.ports\[0\]\.port is 70000: must be an integer from 1 to 65535/],
    ['duplicate ports', c => new WebService(c, 'web', { image: IMAGE, ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 80 }] }),
      /WebService\.ports\[\]\.port is "80\/TCP": each service port may appear only once/],
    ['replicas and autoscaling', c => new WebService(c, 'web', { image: IMAGE, replicas: 2, autoscaling: {} }),
      /WebService\.replicas is 2: cannot be combined with autoscaling/],
    ['min > max', c => new WebService(c, 'web', { image: IMAGE, autoscaling: { minReplicas: 5, maxReplicas: 3 } }),
      /WebService\.autoscaling\.minReplicas is 5: must not exceed autoscaling\.maxReplicas \(3\)/],
    ['cpu percent', c => new WebService(c, 'web', { image: IMAGE, autoscaling: { cpuUtilization: 150 } }),
      /WebService\.autoscaling\.cpuUtilization is 150: must be an integer from 1 to 100 \(a percentage\)/],
    ['request above limit', c => new WebService(c, 'web', { image: IMAGE, resources: { memoryRequest: Size.gibibytes(1) } }),
      /WebService\.resources\.memoryRequest is "1024Mi": must not exceed resources\.memoryLimit \(256Mi\)/],
    ['zero cpu', c => new WebService(c, 'web', { image: IMAGE, resources: { cpuRequest: Cpu.millis(0) } }),
      /WebService\.resources\.cpuRequest is "0m": must be a positive CPU quantity/],
    ['probe timeout above period', c => new WebService(c, 'web', { image: IMAGE, probes: { readiness: Probe.tcp({ period: Duration.seconds(2), timeout: Duration.seconds(5) }) } }),
      /WebService\.probes\.readiness\.timeout is "5s": must not exceed the period \(2s\)/],
    ['probe on an unknown port', c => new WebService(c, 'web', { image: IMAGE, probes: { readiness: Probe.tcp({ port: 'admin' }) } }),
      /WebService\.probes\.readiness\.port is "admin": no container port has this name; declared ports: http/],
    ['ingress on an unknown port', c => new WebService(c, 'web', { image: IMAGE, ingress: { port: 'grpc' } }),
      /WebService\.ingress\.port is "grpc": names no port of the service; its ports are: http/],
    ['bad host', c => new WebService(c, 'web', { image: IMAGE, ingress: { hosts: ['https://a.example.com'] } }),
      /WebService\.ingress\.hosts\[0\] is "https:\/\/a\.example\.com": must be a fully qualified lowercase DNS name/],
    ['duplicate host/path across services', c => {
      new WebService(c, 'a', { image: IMAGE, ingress: { hosts: ['x.example.com'] } });
      new WebService(c, 'b', { image: IMAGE, ingress: { hosts: ['x.example.com'] } });
    }, /\[shop\/b\] WebService\.ingress is "x\.example\.com\/": this host and path is already routed by shop\/a/],
    ['secret-looking env', c => new WebService(c, 'web', { image: IMAGE, env: { DB_PASSWORD: 'hunter2' } }),
      /WebService\.env\.DB_PASSWORD is "\(value hidden\)": looks like a secret/],
    ['uid 0', c => new WebService(c, 'web', { image: IMAGE, runAsUser: 0 }),
      /WebService\.runAsUser is 0: must be an integer from 1 to 2147483647 \(Pod Security "restricted" forbids uid 0\)/],
    ['relative writable path', c => new WebService(c, 'web', { image: IMAGE, writablePaths: ['tmp'] }),
      /WebService\.writablePaths\[0\] is "tmp": must be an absolute path/],
    ['TLS without a secret on Traefik', c => new WebService(c, 'web', { image: IMAGE, ingress: { hosts: ['a.example.com'], tls: {} } }),
      /WebService\.ingress\.tls\.secretName is undefined: is required with traefik/],
    ['minAvailable not below replicas', c => new WebService(c, 'web', { image: IMAGE, replicas: 2, disruptionBudget: DisruptionBudget.minAvailable(2) }),
      /WebService\.disruptionBudget\.minAvailable is 2: must be below the replica count \(2\)/],
  ];

  test.each(cases)('%s', (_name, build, message) => {
    const chart = chartFor(_name.includes('Traefik') ? ClusterTraits.k3s() : undefined);
    expect(() => build(chart)).toThrow(message);
  });

  test.each([
    ['DB_PASS', 'hunter2'],
    ['DATABASE_URL', 'postgres://app:hunter2@db:5432/app'],
  ])('secret-looking env %s is refused', (key, value) => {
    expect(() => new WebService(chartFor(), 'web', { image: IMAGE, env: { [key]: value } }))
      .toThrow(new RegExp(`WebService\\.env\\.${key} is "\\(value hidden\\)": looks like a secret`));
  });

  test('the value of a secret-looking env var is never shown in the error', () => {
    const chart = chartFor();
    expect(() => new WebService(chart, 'web', { image: IMAGE, env: { API_TOKEN: 'sentinel-value-123' } })).toThrow(/^(?![\s\S]*sentinel-value-123)/);
  });

  test('a workload outside a PlatformChart gets a clear error', () => {
    const chart = new Chart(Testing.app(), 'plain');
    expect(() => new WebService(chart, 'web', { image: IMAGE })).toThrow(/must be created inside a PlatformChart/);
  });
});

describe('WebService disruption budget and durations', () => {
  test.each([
    [DisruptionBudget.maxUnavailable(0), /disruptionBudget\.maxUnavailable is 0: must be at least 1, or no node could ever be drained/],
    [DisruptionBudget.maxUnavailable('0%'), /disruptionBudget\.maxUnavailable is "0%": would block every voluntary disruption/],
    [DisruptionBudget.minAvailable('100%'), /disruptionBudget\.minAvailable is "100%": would block every voluntary disruption/],
  ])('budgets that block drains are refused (%#)', (budget, message) => {
    expect(() => new WebService(chartFor(), 'web', { image: IMAGE, disruptionBudget: budget })).toThrow(message);
  });

  test('sub-second stabilization windows get a clear error', () => {
    expect(() => new WebService(chartFor(), 'web', { image: IMAGE, autoscaling: { scaleDownStabilization: Duration.millis(500) } }))
      .toThrow(/WebService\.autoscaling\.scaleDownStabilization is 0\.5: must be an integer from 0 to 3600 \(seconds\)/);
  });
});

describe('internetFacing must change something', () => {
  const ingress = { hosts: ['shop.example.com'] };

  test('refused for an Ingress of a shared controller (k3s Traefik): the exposure is the cluster\'s', () => {
    expectPropError(() => new WebService(chartFor(ClusterTraits.k3s()), 'web', { image: IMAGE, ingress, internetFacing: true }), {
      path: 'shop/web',
      prop: 'WebService.internetFacing',
      value: 'true',
      says: 'does nothing for the Ingress on this cluster: its ingress controller (traefik) is shared by every workload, so whether it is reachable from the internet '
        + 'is the cluster\'s choice (k3s/kubeadm: the cluster\'s `ingress: IngressExposure.internetFacing()`). Drop internetFacing here and set it on the cluster.',
    });
  });

  test('refused for a LoadBalancer Service where the traits have one scheme only (k3s)', () => {
    expectPropError(() => new WebService(chartFor(ClusterTraits.k3s()), 'web', { image: IMAGE, serviceType: ServiceType.LOAD_BALANCER, internetFacing: true }), {
      path: 'shop/web', prop: 'WebService.internetFacing', value: 'true', says: 'does nothing for the LoadBalancer Service on this cluster',
    });
  });

  test('refused without an ingress or a LoadBalancer Service', () => {
    expectPropError(() => new WebService(chartFor(), 'web', { image: IMAGE, internetFacing: true }), {
      path: 'shop/web',
      prop: 'WebService.internetFacing',
      value: 'true',
      says: 'does nothing: the web service has neither an ingress nor a LoadBalancer Service. Add ingress (or serviceType: ServiceType.LOAD_BALANCER), or drop internetFacing.',
    });
  });

  test('kept where it decides the scheme (EKS ALB, NLB), and false is always fine', () => {
    expect(() => new WebService(chartFor(), 'web', { image: IMAGE, ingress, internetFacing: true })).not.toThrow();
    expect(() => new WebService(chartFor(ClusterTraits.k3s()), 'web', { image: IMAGE, ingress, internetFacing: false })).not.toThrow();
  });
});

