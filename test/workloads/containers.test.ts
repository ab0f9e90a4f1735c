/*
 * Init containers, native sidecars and shared volumes on every workload kind: same secure defaults and checks as
 * the main container, errors naming `initContainers[i].x` / `sidecars[i].x`.
 */
import { Size } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import {
  ClusterTraits, CronSchedule, PlatformChart, Probe, ScheduledJob, SecretRef, StatefulService, WebService, Worker, WorkerProps,
} from '../../lib/workloads';

const IMAGE = 'ghcr.io/acme/api:1.0.0';
const SHIPPER = 'fluent/fluent-bit:3.2.2';

/** A pod with one init container, one sidecar with a port and a shared volume. */
const MULTI: Pick<WorkerProps, 'initContainers' | 'sidecars' | 'sharedVolumes' | 'volumeMounts'> = {
  initContainers: [{ name: 'fetch', image: 'busybox:1.37.0', command: ['sh', '-c', 'cp /src/* /work/'], volumeMounts: [{ volume: 'work', mountPath: '/work' }] }],
  sidecars: [{
    name: 'shipper',
    image: SHIPPER,
    ports: [{ name: 'shipper-http', port: 2020 }],
    healthCheckPath: '/api/v1/health',
    env: { LOG_LEVEL: 'info' },
    secretEnv: { SHIPPER_TOKEN: SecretRef.fromSecret('shipper', 'token') },
    volumeMounts: [{ volume: 'work', mountPath: '/logs', readOnly: true }],
  }],
  sharedVolumes: [{ name: 'work', sizeLimit: Size.mebibytes(256) }],
  volumeMounts: [{ volume: 'work', mountPath: '/var/lib/app' }],
};

/** The pod spec of the one workload object of `kind`. */
function podSpec(chart: PlatformChart, kind: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const o = one(synthValid(chart, { externalSecrets: ['shipper'] }), kind);
  return kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
}

describe.each([
  ['WebService', 'Deployment', (c: PlatformChart) => new WebService(c, 'app', { image: IMAGE, replicas: 2, ...MULTI })],
  ['Worker', 'Deployment', (c: PlatformChart) => new Worker(c, 'app', { image: IMAGE, ...MULTI })],
  ['StatefulService', 'StatefulSet', (c: PlatformChart) => new StatefulService(c, 'app', { image: IMAGE, ports: [{ name: 'db', port: 5432 }], ...MULTI })],
  ['ScheduledJob', 'CronJob', (c: PlatformChart) => new ScheduledJob(c, 'app', { image: IMAGE, schedule: CronSchedule.daily(), ...MULTI })],
])('%s with an init container, a sidecar and a shared volume', (_kind, objectKind, make) => {
  test('passes the schema, restricted and cross-reference checks, init containers first, then sidecars', () => {
    const chart = newChart();
    make(chart);
    const spec = podSpec(chart, objectKind);
    expect(spec.initContainers.map((c: { name: string; restartPolicy?: string }) => [c.name, c.restartPolicy])).toEqual([['fetch', undefined], ['shipper', 'Always']]);
    expect(spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']);
    expect(spec.volumes).toContainEqual({ name: 'work', emptyDir: { sizeLimit: '256Mi' } });
  });

  test('every extra container gets the secure defaults of the main container', () => {
    const chart = newChart();
    make(chart);
    const spec = podSpec(chart, objectKind);
    const main = spec.containers[0];
    for (const c of spec.initContainers) {
      expect(c.securityContext).toEqual(main.securityContext);
      expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
      expect(c.imagePullPolicy).toBe('IfNotPresent');
      expect(c.volumeMounts).toContainEqual({ name: `${c.name}-writable-0`, mountPath: '/tmp' });
    }
    const shipper = spec.initContainers[1];
    expect(shipper.readinessProbe.httpGet).toEqual({ path: '/api/v1/health', port: 'shipper-http', scheme: 'HTTP' });
    expect(shipper.env).toContainEqual({ name: 'SHIPPER_TOKEN', valueFrom: { secretKeyRef: { name: 'shipper', key: 'token' } } });
    expect(shipper.volumeMounts).toContainEqual({ name: 'work', mountPath: '/logs', readOnly: true });
    expect(spec.initContainers[0].readinessProbe).toBeUndefined();
  });
});

describe('checks of extra containers', () => {
  const fail = (props: Partial<WorkerProps>, prop: string, value: string, says: string) =>
    expectPropError(() => new Worker(newChart(), 'app', { image: IMAGE, ports: [{ name: 'http', port: 8080 }], ...props }), { path: 'shop/app', prop: `Worker.${prop}`, value, says });

  test('an image without a tag, a secret in env, and bad resources are refused as for the main container', () => {
    fail({ sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy' }] }, 'sidecars[0].image', '"envoyproxy/envoy"', 'must name a tag or a digest');
    fail({ initContainers: [{ name: 'migrate', image: IMAGE, env: { DB_PASSWORD: 'hunter2' } }] }, 'initContainers[0].env.DB_PASSWORD', '"(value hidden)"', 'looks like a secret');
    fail({ sidecars: [{ name: 'proxy', image: SHIPPER, resources: { cpuRequest: 'abc' as never } }] }, 'sidecars[0].resources.cpuRequest', '"abc"', 'must be a Cpu');
  });

  test('container names are unique in the pod', () => {
    fail({ sidecars: [{ name: 'app', image: SHIPPER }] }, 'sidecars[0].name', '"app"',
      'is also the name of another container of the pod (the main container is named like the workload, "app"): container names must be unique.');
    fail({ initContainers: [{ name: 'x', image: SHIPPER }], sidecars: [{ name: 'x', image: SHIPPER }] }, 'sidecars[0].name', '"x"', 'container names must be unique');
  });

  test('sidecar ports do not collide with the main container\'s or each other\'s', () => {
    fail({ sidecars: [{ name: 'proxy', image: SHIPPER, ports: [{ name: 'admin', port: 8080 }] }] }, 'sidecars[0].ports[0].port', '8080',
      'is also a port of the main container (app): the containers of a pod share one network, so each port can be used once.');
    fail({ sidecars: [{ name: 'a', image: SHIPPER, ports: [{ name: 'a', port: 9000 }] }, { name: 'b', image: SHIPPER, ports: [{ name: 'b', port: 9000 }] }] },
      'sidecars[1].ports[0].port', '9000', 'is also a port of sidecar a');
    fail({ sidecars: [{ name: 'proxy', image: SHIPPER, ports: [{ name: 'http', port: 9000 }] }] }, 'sidecars[0].ports[0].name', '"http"', 'port names must be unique in the pod');
  });

  test('a sidecar probe on a port it does not have is refused', () => {
    fail({ sidecars: [{ name: 'proxy', image: SHIPPER, probes: { readiness: Probe.tcp() } }] }, 'sidecars[0].probes.readiness.port', 'undefined', 'has no ports: use Probe.exec()');
  });

  test('shared volumes: declared, mounted, in memory only with a limit', () => {
    fail({ volumeMounts: [{ volume: 'cache', mountPath: '/cache' }] }, 'volumeMounts[0].volume', '"cache"', 'must name a volume of sharedVolumes, and the workload declares none');
    fail({ sharedVolumes: [{ name: 'cache' }] }, 'sharedVolumes[0].name', '"cache"', 'is mounted by no container');
    fail({ sharedVolumes: [{ name: 'cache', inMemory: true }], volumeMounts: [{ volume: 'cache', mountPath: '/cache' }] }, 'sharedVolumes[0].inMemory', 'true', 'needs sizeLimit');
    fail({ sharedVolumes: [{ name: 'writable-0' }] }, 'sharedVolumes[0].name', '"writable-0"', 'is reserved');
    fail({ sharedVolumes: [{ name: 'c' }], sidecars: [{ name: 'p', image: SHIPPER, volumeMounts: [{ volume: 'd', mountPath: '/d' }] }] },
      'sidecars[0].volumeMounts[0].volume', '"d"', 'must name one of the pod\'s sharedVolumes (c).');
  });

  test('an in-memory shared volume with a limit is written with medium Memory', () => {
    const chart = newChart();
    new Worker(chart, 'app', { image: IMAGE, sharedVolumes: [{ name: 'cache', inMemory: true, sizeLimit: Size.mebibytes(64) }], volumeMounts: [{ volume: 'cache', mountPath: '/cache' }] });
    expect(podSpec(chart, 'Deployment').volumes).toContainEqual({ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
  });

  test('a sidecar reading Secrets Manager gets its own ExternalSecret', () => {
    const chart = newChart({ traits: ClusterTraits.eks({ externalSecretStore: { name: 'aws' } }) });
    new Worker(chart, 'app', { image: IMAGE, sidecars: [{ name: 'proxy', image: SHIPPER, secretEnv: { API_KEY: SecretRef.fromAwsSecretsManager({ remoteName: 'proxy/key' }) } }] });
    const objects = synthValid(chart);
    expect(one(objects, 'ExternalSecret').metadata.name).toBe('app-proxy-external');
  });
});
