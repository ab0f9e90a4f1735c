import { all, expectPropError, newChart, one, synthValid } from './fixtures';
import { Callers, DisruptionBudget, KubeObject, Probe, WebService, Worker, WorkerProps } from '../../lib/workloads';

const BASE: WorkerProps = { image: 'ghcr.io/acme/consumer:2.3.1' };

function synth(props: Partial<WorkerProps> = {}): { objects: KubeObject[]; worker: Worker } {
  const chart = newChart();
  const worker = new Worker(chart, 'consumer', { ...BASE, ...props });
  return { objects: synthValid(chart), worker };
}

describe('Worker defaults', () => {
  let objects: KubeObject[];
  beforeAll(() => ({ objects } = synth()));

  test('a Deployment, a PDB and a NetworkPolicy; no Service, no autoscaler', () => {
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/consumer', 'PodDisruptionBudget/consumer', 'NetworkPolicy/consumer']);
  });

  test('one replica, rolling updates without unavailability', () => {
    const spec = one(objects, 'Deployment').spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
  });

  test('no ports and no probes', () => {
    const c = one(objects, 'Deployment').spec.template.spec.containers[0];
    expect(c.ports).toBeUndefined();
    expect(c.readinessProbe).toBeUndefined();
    expect(c.livenessProbe).toBeUndefined();
    expect(c.startupProbe).toBeUndefined();
  });

  test('the secure pod defaults', () => {
    const pod = one(objects, 'Deployment').spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true });
  });

  test('component worker', () => {
    expect(one(objects, 'Deployment').metadata.labels['app.kubernetes.io/component']).toBe('worker');
  });

  test('the NetworkPolicy denies all ingress', () => {
    const np = one(objects, 'NetworkPolicy');
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress ?? []).toEqual([]);
    expect(np.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'consumer', 'app.kubernetes.io/instance': 'consumer' } });
  });

  test('snapshot', () => {
    expect(objects).toMatchSnapshot();
  });
});

describe('Worker options', () => {
  test('autoscaling: an HPA and no replicas on the Deployment', () => {
    const { objects, worker } = synth({ autoscaling: { minReplicas: 2, maxReplicas: 20, cpuUtilization: 60 } });
    expect(one(objects, 'Deployment').spec.replicas).toBeUndefined();
    const hpa = one(objects, 'HorizontalPodAutoscaler').spec;
    expect(hpa).toMatchObject({ minReplicas: 2, maxReplicas: 20, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'consumer' } });
    expect(hpa.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } });
    expect(worker.autoscaler).toBeDefined();
  });

  test('an exec liveness probe', () => {
    const { objects } = synth({ probes: { liveness: Probe.exec(['/bin/healthcheck'], {}) } });
    const c = one(objects, 'Deployment').spec.template.spec.containers[0];
    expect(c.livenessProbe).toMatchObject({ exec: { command: ['/bin/healthcheck'] }, periodSeconds: 20 });
    expect(c.readinessProbe).toBeUndefined();
  });

  test('a metrics port: container port, default probes, callers admitted on it', () => {
    const chart = newChart();
    const prometheus = new WebService(chart, 'prometheus', { image: 'prom/prometheus:v2.54.1', replicas: 1, ports: [{ name: 'http', port: 9090 }] });
    new Worker(chart, 'consumer', { ...BASE, ports: [{ name: 'metrics', port: 9100 }], healthCheckPath: '/healthz', callers: Callers.only(prometheus) });
    const objects = synthValid(chart);
    const c = one(objects, 'Deployment', 'consumer').spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics', scheme: 'HTTP' });
    expect(one(objects, 'NetworkPolicy', 'consumer').spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: prometheus.selectorLabels } }],
      ports: [{ port: 9100, protocol: 'TCP' }],
    }]);
  });

  test('Callers.any writes no NetworkPolicy; DisruptionBudget.none no PDB; zero replicas no PDB', () => {
    const a = synth({ callers: Callers.any(), disruptionBudget: DisruptionBudget.none() });
    expect(all(a.objects, 'NetworkPolicy')).toHaveLength(0);
    expect(all(a.objects, 'PodDisruptionBudget')).toHaveLength(0);
    expect(a.worker.networkPolicy).toBeUndefined();
    const b = synth({ replicas: 0 });
    expect(one(b.objects, 'Deployment').spec.replicas).toBe(0);
    expect(all(b.objects, 'PodDisruptionBudget')).toHaveLength(0);
  });
});

describe('Worker validation', () => {
  const fail = (props: Partial<WorkerProps>, prop: string, value: string, says: string) =>
    expectPropError(() => new Worker(newChart(), 'consumer', { ...BASE, ...props }), { path: 'shop/consumer', prop: `Worker.${prop}`, value, says });

  test('replicas and autoscaling are exclusive', () => {
    fail({ replicas: 2, autoscaling: {} }, 'replicas', '2', 'cannot be combined with autoscaling');
  });

  test('replicas is a whole number', () => {
    fail({ replicas: 2.5 }, 'replicas', '2.5', 'must be an integer from 0 to 1000.');
  });

  test('callers need ports', () => {
    fail({ callers: Callers.sameNamespace() }, 'callers', '"same-namespace"', 'needs ports');
  });

  test('TCP or HTTP probes need a port', () => {
    fail({ probes: { readiness: Probe.tcp() } }, 'probes.readiness.port', 'undefined', 'the workload has no ports: use Probe.exec()');
  });

  test('worker ports have no targetPort', () => {
    fail({ ports: [{ name: 'metrics', port: 9100, targetPort: 9101 } as never] }, 'ports[0].targetPort', '9101', 'is not used here');
  });

  test('autoscaling bounds', () => {
    fail({ autoscaling: { minReplicas: 5, maxReplicas: 3 } }, 'autoscaling.minReplicas', '5', 'must not exceed autoscaling.maxReplicas (3).');
  });
});
