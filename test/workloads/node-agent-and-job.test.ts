/* NodeAgent (DaemonSet) and OneOffJob (Job): same secure defaults and checks as the other kinds. */
import { App, Duration } from 'cdk8s';
import { expectPropError, newChart, one, synthValid } from './fixtures';
import {
  Callers, ClusterTraits, IngressFlavour, JobRestartPolicy, NodeAgent, OneOffJob, PlatformChart, PlatformNamespace, PodSecurityLevel,
} from '../../lib/workloads';

const AGENT = 'prom/node-exporter:v1.8.2';

describe('NodeAgent', () => {
  test('a DaemonSet under Pod Security "restricted", no PDB, no spread, ingress denied', () => {
    const chart = newChart({ namespace: 'shop' });
    new NodeAgent(chart, 'exporter', { image: AGENT, ports: [{ name: 'metrics', port: 9100 }], healthCheckPath: '/' });
    const objects = synthValid(chart);
    expect(objects.map(o => o.kind).sort()).toEqual(['DaemonSet', 'NetworkPolicy']);
    const ds = one(objects, 'DaemonSet');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    expect(ds.spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(ds.spec.template.spec.containers[0].readinessProbe.httpGet.port).toBe('metrics');
    expect(ds.metadata.labels['app.kubernetes.io/component']).toBe('agent');
    expect(one(objects, 'NetworkPolicy').spec.ingress ?? []).toEqual([]);
  });

  test('callers may reach its ports', () => {
    const chart = newChart();
    new NodeAgent(chart, 'exporter', { image: AGENT, ports: [{ name: 'metrics', port: 9100 }], callers: Callers.sameNamespace() });
    expect(one(synthValid(chart), 'NetworkPolicy').spec.ingress[0].ports).toEqual([{ port: 9100, protocol: 'TCP' }]);
  });

  test('refused where the traits say DaemonSets cannot run (EKS Fargate)', () => {
    const chart = newChart({ traits: ClusterTraits.custom({ ingressFlavour: IngressFlavour.ALB, storageClassName: 'gp3', daemonSetSupport: false }) });
    expectPropError(() => new NodeAgent(chart, 'exporter', { image: AGENT }),
      { path: 'shop/exporter', prop: 'NodeAgent.traits', value: '"daemonSetSupport: false"', says: 'this cluster cannot run DaemonSets (its pods run on EKS Fargate' });
  });

  test('host access is refused unless the namespace is privileged', () => {
    const app = new App();
    const chart = new PlatformChart(app, 'shop', { traits: ClusterTraits.eks(), namespace: 'shop' });
    new PlatformNamespace(chart, 'shop-namespace', { name: 'shop' });
    expectPropError(() => new NodeAgent(chart, 'logs', { image: AGENT, hostPaths: [{ hostPath: '/var/log', mountPath: '/host/log' }] }),
      { path: 'shop/logs', prop: 'NodeAgent.hostPaths', value: '["/var/log"]', says: 'is host access, which Pod Security "restricted" and "baseline" forbid, and namespace "shop" enforces "restricted".' });
    expectPropError(() => new NodeAgent(newChart({ namespace: 'nowhere' }), 'net', { image: AGENT, hostNetwork: true }),
      { path: 'shop/net', prop: 'NodeAgent.hostNetwork', value: 'true', says: 'namespace "nowhere" is not a PlatformNamespace of this app' });
  });

  test('host paths in a privileged namespace: read-only hostPath mounts, still non-root and no capabilities', () => {
    const app = new App();
    const chart = new PlatformChart(app, 'agents', { traits: ClusterTraits.eks(), namespace: 'agents' });
    new PlatformNamespace(chart, 'agents-namespace', { name: 'agents', podSecurity: PodSecurityLevel.PRIVILEGED });
    new NodeAgent(chart, 'logs', { image: AGENT, hostPaths: [{ hostPath: '/var/log', mountPath: '/host/log' }] });
    const ds = one(synthValid(chart, { disableRules: ['pss/host-path', 'pss/volume-types'] }), 'DaemonSet');
    const spec = ds.spec.template.spec;
    expect(spec.volumes).toContainEqual({ name: 'host-0', hostPath: { path: '/var/log', type: 'Directory' } });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'host-0', mountPath: '/host/log', readOnly: true });
    expect(spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  });
});

describe('OneOffJob', () => {
  test('a Job with the secure defaults and a NetworkPolicy denying ingress', () => {
    const chart = newChart();
    new OneOffJob(chart, 'migrate', {
      image: 'ghcr.io/acme/migrate:2.1.0',
      backoffLimit: 2,
      activeDeadline: Duration.minutes(30),
      ttlAfterFinished: Duration.hours(1),
      restartPolicy: JobRestartPolicy.NEVER,
    });
    const objects = synthValid(chart);
    expect(objects.map(o => o.kind).sort()).toEqual(['Job', 'NetworkPolicy']);
    const job = one(objects, 'Job');
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 3600, parallelism: 1, completions: 1 });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.containers[0].readinessProbe).toBeUndefined();
  });

  test('durations and counts are checked with the ScheduledJob messages', () => {
    const fail = (props: object, prop: string, value: string, says: string) =>
      expectPropError(() => new OneOffJob(newChart(), 'migrate', { image: 'ghcr.io/acme/migrate:2.1.0', ...props }), { path: 'shop/migrate', prop: `OneOffJob.${prop}`, value, says });
    fail({ activeDeadline: Duration.millis(1500) }, 'activeDeadline', '1.5', 'must be an integer from 1 to 31536000 (seconds).');
    fail({ backoffLimit: -1 }, 'backoffLimit', '-1', 'must be an integer from 0 to 1000.');
    fail({ restartPolicy: 'Always' }, 'restartPolicy', '"Always"', 'must be one of JobRestartPolicy.ON_FAILURE ("OnFailure") or JobRestartPolicy.NEVER ("Never").');
  });
});
