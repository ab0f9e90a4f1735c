import { Size } from 'cdk8s';
import { all, expectPropError, newChart, one, synthValid } from './fixtures';
import {
  Callers, ClaimRetentionPolicy, ClusterTraits, DisruptionBudget, KubeObject, PodManagementPolicy, Probe, StatefulService,
  StatefulServiceProps, VolumeAccessMode, WebService,
} from '../../lib/workloads';

const BASE: StatefulServiceProps = {
  image: 'postgres:16.4',
  ports: [{ name: 'postgres', port: 5432 }],
  volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(10) }],
};

function synth(props: Partial<StatefulServiceProps> = {}, chartProps = {}): { objects: KubeObject[]; db: StatefulService } {
  const chart = newChart(chartProps);
  const db = new StatefulService(chart, 'db', { ...BASE, ...props });
  return { objects: synthValid(chart), db };
}

describe('StatefulService defaults', () => {
  let objects: KubeObject[];
  let db: StatefulService;
  beforeAll(() => ({ objects, db } = synth({}, { namespace: 'shop' })));

  test('writes a StatefulSet, a headless and a client Service, a PDB and a NetworkPolicy only', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'StatefulSet/db', 'Service/db-headless', 'Service/db', 'PodDisruptionBudget/db', 'NetworkPolicy/db',
    ]);
  });

  test('the StatefulSet uses the headless Service, one ordered replica and rolling updates', () => {
    const spec = one(objects, 'StatefulSet').spec;
    expect(spec.serviceName).toBe('db-headless');
    expect(spec.replicas).toBe(1);
    expect(spec.podManagementPolicy).toBe('OrderedReady');
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' } });
  });

  test('volume claims are retained when the StatefulSet is deleted or scaled down', () => {
    expect(one(objects, 'StatefulSet').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });

  test('a claim template per volume: size, ReadWriteOnce, storage class from the traits, stable labels only', () => {
    const [claim] = one(objects, 'StatefulSet').spec.volumeClaimTemplates;
    expect(claim).toEqual({
      metadata: { name: 'data', labels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db', 'app.kubernetes.io/managed-by': 'cdk-k8s-platform' } },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '10Gi' } } },
    });
    // the version label would change with every image and volumeClaimTemplates cannot be updated
    expect(claim.metadata.labels['app.kubernetes.io/version']).toBeUndefined();
  });

  test('the volume is mounted, and group ownership is only fixed when the volume root does not match', () => {
    const pod = one(objects, 'StatefulSet').spec.template.spec;
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/postgresql/data' });
    expect(pod.securityContext).toMatchObject({ fsGroup: 10001, fsGroupChangePolicy: 'OnRootMismatch', runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
  });

  test('the component label is database', () => {
    expect(one(objects, 'StatefulSet').metadata.labels['app.kubernetes.io/component']).toBe('database');
    expect(one(objects, 'StatefulSet').spec.template.metadata.labels['app.kubernetes.io/component']).toBe('database');
  });

  test('the headless Service has no cluster IP and publishes pods before they are ready', () => {
    const spec = one(objects, 'Service', 'db-headless').spec;
    expect(spec.clusterIP).toBe('None');
    expect(spec.publishNotReadyAddresses).toBe(true);
    expect(spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP' }]);
  });

  test('the client Service is a ClusterIP Service of ready pods', () => {
    const spec = one(objects, 'Service', 'db').spec;
    expect(spec.type).toBe('ClusterIP');
    expect(spec.clusterIP).toBeUndefined();
    expect(spec.publishNotReadyAddresses).toBeUndefined();
  });

  test('probes default to TCP on the first port', () => {
    const c = one(objects, 'StatefulSet').spec.template.spec.containers[0];
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'postgres' });
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 'postgres' });
    expect(c.startupProbe.tcpSocket).toEqual({ port: 'postgres' });
  });

  test('a PDB allows one pod down', () => {
    expect(one(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
  });

  test('the NetworkPolicy admits the namespace on the container ports', () => {
    expect(one(objects, 'NetworkPolicy').spec.ingress).toEqual([{ from: [{ podSelector: {} }], ports: [{ port: 5432, protocol: 'TCP' }] }]);
  });

  test('exposes the L1 objects and stable pod DNS names', () => {
    expect(db.statefulSet.kind).toBe('StatefulSet');
    expect(db.headlessService.name).toBe('db-headless');
    expect(db.service?.name).toBe('db');
    expect(db.headlessServiceName).toBe('db-headless');
    expect(db.podDnsName(0)).toBe('db-0.db-headless.shop.svc.cluster.local');
    expect(db.podDnsName(2, 'k8s.internal')).toBe('db-2.db-headless.shop.svc.k8s.internal');
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });
});

describe('StatefulService options', () => {
  test('storage class from the k3s traits, or per volume', () => {
    const { objects } = synth({
      volumes: [
        { name: 'data', mountPath: '/data', size: Size.gibibytes(1) },
        { name: 'wal', mountPath: '/wal', size: Size.mebibytes(512), storageClassName: 'fast-ssd', accessMode: VolumeAccessMode.READ_WRITE_ONCE_POD },
      ],
    }, { traits: ClusterTraits.k3s() });
    const [data, wal] = one(objects, 'StatefulSet').spec.volumeClaimTemplates;
    expect(data.spec.storageClassName).toBe('local-path');
    expect(wal.spec).toEqual({ accessModes: ['ReadWriteOncePod'], storageClassName: 'fast-ssd', resources: { requests: { storage: '512Mi' } } });
  });

  test.each([
    [ClaimRetentionPolicy.retain(), 'Retain', 'Retain'],
    [ClaimRetentionPolicy.deleteDataWhenScaledDown(), 'Retain', 'Delete'],
    [ClaimRetentionPolicy.deleteDataWhenDeleted(), 'Delete', 'Retain'],
    [ClaimRetentionPolicy.deleteDataAlways(), 'Delete', 'Delete'],
  ])('claim retention %#', (claimRetention, whenDeleted, whenScaled) => {
    const { objects } = synth({ claimRetention });
    expect(one(objects, 'StatefulSet').spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted, whenScaled });
  });

  test('parallel pod management, three replicas, no client Service, DNS only for ready pods', () => {
    const { objects, db } = synth({ podManagementPolicy: PodManagementPolicy.PARALLEL, replicas: 3, clientService: false, publishNotReadyAddresses: false });
    expect(one(objects, 'StatefulSet').spec).toMatchObject({ podManagementPolicy: 'Parallel', replicas: 3 });
    expect(all(objects, 'Service').map(s => s.metadata.name)).toEqual(['db-headless']);
    expect(one(objects, 'Service').spec.publishNotReadyAddresses).toBe(false);
    expect(db.service).toBeUndefined();
  });

  test('without volumes: no claim templates and no fsGroupChangePolicy', () => {
    const { objects } = synth({ volumes: undefined });
    const spec = one(objects, 'StatefulSet').spec;
    expect(spec.volumeClaimTemplates).toBeUndefined();
    expect(spec.template.spec.securityContext.fsGroupChangePolicy).toBeUndefined();
  });

  test('HTTP probes from healthCheckPath, or exec probes', () => {
    const http = one(synth({ ports: [{ name: 'http', port: 8080 }], healthCheckPath: '/healthz' }).objects, 'StatefulSet').spec.template.spec.containers[0];
    expect(http.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTP' });
    const exec = one(synth({ probes: { readiness: Probe.exec(['pg_isready']), liveness: false, startup: false } }).objects, 'StatefulSet').spec.template.spec.containers[0];
    expect(exec.readinessProbe.exec).toEqual({ command: ['pg_isready'] });
    expect(exec.livenessProbe).toBeUndefined();
  });

  test('Service ports map to target ports', () => {
    const { objects } = synth({ ports: [{ name: 'client', port: 6379, targetPort: 16379 }] });
    expect(one(objects, 'StatefulSet').spec.template.spec.containers[0].ports).toEqual([{ name: 'client', containerPort: 16379, protocol: 'TCP' }]);
    expect(one(objects, 'NetworkPolicy').spec.ingress[0].ports).toEqual([{ port: 16379, protocol: 'TCP' }]);
  });

  test('Callers.only keeps the pods reachable from each other (replication)', () => {
    const chart = newChart();
    const web = new WebService(chart, 'web', { image: 'nginx:1.27.3', replicas: 2 });
    new StatefulService(chart, 'db', { ...BASE, callers: Callers.only(web) });
    const np = one(synthValid(chart), 'NetworkPolicy', 'db');
    expect(np.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: web.selectorLabels } },
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db' } } },
    ]);
  });

  test('Callers.any writes no NetworkPolicy; DisruptionBudget.none no PDB', () => {
    const { objects, db } = synth({ callers: Callers.any(), disruptionBudget: DisruptionBudget.none() });
    expect(all(objects, 'NetworkPolicy')).toHaveLength(0);
    expect(all(objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(db.networkPolicy).toBeUndefined();
  });

  test('component can be overridden', () => {
    const { objects } = synth({ component: 'cache' });
    expect(one(objects, 'StatefulSet').metadata.labels['app.kubernetes.io/component']).toBe('cache');
  });
});

describe('StatefulService validation', () => {
  const fail = (props: Partial<StatefulServiceProps>, prop: string, value: string, says: string | RegExp) =>
    expectPropError(() => new StatefulService(newChart(), 'db', { ...BASE, ...props }), { path: 'shop/db', prop: `StatefulService.${prop}`, value, says });

  test('volume size must be positive', () => {
    fail({ volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(0) }] }, 'volumes[0].size', '"0Ki"', 'must be a positive size');
  });

  test('volume names are DNS labels', () => {
    fail({ volumes: [{ name: 'Data_1', mountPath: '/data', size: Size.gibibytes(1) }] }, 'volumes[0].name', '"Data_1"', 'must be a DNS-1123 label');
  });

  test('volume names are unique', () => {
    fail({
      volumes: [{ name: 'data', mountPath: '/a', size: Size.gibibytes(1) }, { name: 'data', mountPath: '/b', size: Size.gibibytes(1) }],
    }, 'volumes[].name', '"data"', 'each volume name may appear only once.');
  });

  test('volume names may not take the pod\'s own volume names', () => {
    fail({ volumes: [{ name: 'writable-0', mountPath: '/data', size: Size.gibibytes(1) }] }, 'volumes[0].name', '"writable-0"', 'is reserved');
  });

  test('volume mount paths are absolute and unique', () => {
    fail({ volumes: [{ name: 'data', mountPath: 'data', size: Size.gibibytes(1) }] }, 'volumes[0].mountPath', '"data"', 'must be an absolute path');
    fail({
      volumes: [{ name: 'a', mountPath: '/data', size: Size.gibibytes(1) }, { name: 'b', mountPath: '/data', size: Size.gibibytes(1) }],
    }, 'volumes[].mountPath', '"/data"', 'each mount path may appear only once.');
  });

  test('a volume mount path may not also be a writable path', () => {
    fail({ writablePaths: ['/tmp', '/data'], volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(1) }] },
      'volumes[0].mountPath', '"/data"', 'is also listed in writablePaths');
    fail({ volumes: [{ name: 'data', mountPath: '/tmp', size: Size.gibibytes(1) }] }, 'volumes[0].mountPath', '"/tmp"', 'is also listed in writablePaths');
  });

  test('storage class names are DNS subdomains', () => {
    fail({ volumes: [{ name: 'data', mountPath: '/data', size: Size.gibibytes(1), storageClassName: 'Fast SSD' }] }, 'volumes[0].storageClassName', '"Fast SSD"', 'DNS-1123 subdomain');
  });

  test('replicas is a whole number', () => {
    fail({ replicas: 1.5 }, 'replicas', '1.5', 'must be an integer from 0 to 1000.');
    fail({ replicas: -1 }, 'replicas', '-1', 'must be an integer from 0 to 1000.');
  });

  test('at least one port, with valid names and numbers', () => {
    fail({ ports: [] }, 'ports', '[]', 'must list at least one port');
    fail({ ports: [{ name: 'pg', port: 70000 }] }, 'ports[0].port', '70000', 'must be an integer from 1 to 65535.');
    fail({ ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] }, 'ports[].name', '"a"', 'each port name may appear only once.');
  });

  test('names fit the StatefulSet limits and are Service names', () => {
    const long = `a${'b'.repeat(52)}`;
    fail({ name: long }, 'name', JSON.stringify(long), 'must be at most 52 characters');
    fail({ name: '1db' }, 'name', '"1db"', 'must be a DNS-1035 label');
  });

  test('a budget that blocks every drain is refused', () => {
    fail({ replicas: 2, disruptionBudget: DisruptionBudget.minAvailable(2) }, 'disruptionBudget.minAvailable', '2', 'must be below the replica count (2)');
  });

  test('podDnsName wants an ordinal', () => {
    const db = new StatefulService(newChart(), 'db', BASE);
    expectPropError(() => db.podDnsName(-1), { path: 'shop/db', prop: 'podDnsName(ordinal)', value: '-1', says: 'must be an integer' });
  });
});
