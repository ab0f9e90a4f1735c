import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KUBEADM_ADDONS } from '../../../lib/clusters/kubeadm';
import { MERGE_VALUES } from '../../../lib/clusters/self-managed/private/ingress-endpoint';
import { useHelm } from '../../support/helm';

// The values the ingress-endpoint association writes, rendered by the real Traefik charts (offline, real helm):
// Traefik's container must get the NLB's name as the ingress endpoint and no published Service, and kubeadm's
// DaemonSet the update strategy that can roll it on host ports. Charts: ingress-endpoint-charts/README.md.

const HOST = 'acme-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com';
const FLAG = '--providers.kubernetesingress.ingressendpoint.hostname=';
const PUBLISHED_SERVICE = '--providers.kubernetesingress.ingressendpoint.publishedservice';
const CHARTS = path.join(__dirname, 'ingress-endpoint-charts');
const helm = useHelm();

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingress-endpoint-chart-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the association's merge on `current` (YAML or JSON text); the file it wrote, parsed. */
function merge(current: string, kind: 'values' | 'helmchartconfig'): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const input = path.join(dir, `current-${kind}`);
  const out = path.join(dir, `merged-${kind}.json`);
  fs.writeFileSync(input, current);
  const r = spawnSync('python3', ['-c', MERGE_VALUES, input, HOST, kind, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`merge failed: ${r.stderr}`);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}

/** Writes `values` to a values file for helm. */
function valuesFile(name: string, values: unknown): string {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(values));
  return file;
}

/** The one workload (Deployment or DaemonSet) the chart renders, and its Traefik container's args. */
function traefik(objects: any[], kind: 'Deployment' | 'DaemonSet') { // eslint-disable-line @typescript-eslint/no-explicit-any
  const workloads = objects.filter(o => o.kind === 'Deployment' || o.kind === 'DaemonSet');
  expect(workloads.map(o => o.kind)).toEqual([kind]);
  const container = workloads[0].spec.template.spec.containers.find((c: { name: string }) => c.name === 'traefik');
  return { workload: workloads[0], args: container.args as string[], ports: container.ports as { name: string; hostPort?: number }[] };
}

/** The `--set key=value` flags of the control plane's `helm upgrade --install traefik`, as values (numbers and booleans typed as helm does). */
function bootValues(): Record<string, unknown> {
  const script = fs.readFileSync(path.join(__dirname, '../../../lib/clusters/kubeadm/scripts/kubeadm-control-plane.sh'), 'utf8');
  const command = script.slice(script.indexOf('upgrade --install traefik'), script.indexOf('install_helm_controller\n}'));
  const values: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
  const sets = [...command.matchAll(/--set ([\w.]+)=(\S+)/g)];
  expect(sets.length).toBeGreaterThanOrEqual(7);
  for (const [, key, raw] of sets) {
    const parts = key.split('.');
    let at = values;
    for (const p of parts.slice(0, -1)) at = (at[p] ??= {});
    at[parts[parts.length - 1]] = /^\d+$/.test(raw) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return values;
}

describe(`kubeadm: Traefik's chart ${KUBEADM_ADDONS.traefikChartVersion} (traefik/traefik-helm-chart) with the release's merged values`, () => {
  const chart = path.join(CHARTS, `traefik-${KUBEADM_ADDONS.traefikChartVersion}`);

  test('the vendored chart is the pinned version', () => {
    expect(fs.readFileSync(path.join(chart, 'Chart.yaml'), 'utf8')).toMatch(new RegExp(`^version: ${KUBEADM_ADDONS.traefikChartVersion.replace(/\./g, '\\.')}$`, 'm'));
  });

  test('the boot\'s values alone: a DaemonSet on host ports 80/443 that publishes its Service, rolled one node at a time without a surge pod', () => {
    const { workload, args, ports } = traefik(helm().template(chart, [valuesFile('boot', bootValues())], 'traefik'), 'DaemonSet');
    expect(args.filter(a => a.startsWith(PUBLISHED_SERVICE))).toHaveLength(1);
    expect(args.filter(a => a.startsWith(FLAG))).toEqual([]);
    expect(workload.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ports.filter(p => p.hostPort).map(p => [p.name, p.hostPort])).toEqual([['web', 80], ['websecure', 443]]);
  });

  test('merged: the container passes the NLB\'s name as the ingress endpoint, no published Service; the DaemonSet-safe strategy; host ports kept', () => {
    const merged = merge(JSON.stringify(bootValues()), 'values');
    const { workload, args, ports } = traefik(helm().template(chart, [valuesFile('kubeadm-merged', merged)], 'traefik'), 'DaemonSet');
    expect(args.filter(a => a.startsWith(FLAG))).toEqual([`${FLAG}${HOST}`]);
    expect(args.filter(a => a.startsWith(PUBLISHED_SERVICE))).toEqual([]);
    expect(workload.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ports.filter(p => p.hostPort).map(p => [p.name, p.hostPort])).toEqual([['web', 80], ['websecure', 443]]);
  });

  test('a release made with the chart\'s default strategy (0 unavailable, 1 surge) renders the DaemonSet-safe one once merged', () => {
    const old = { ...bootValues(), updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } };
    const before = traefik(helm().template(chart, [valuesFile('kubeadm-old', old)], 'traefik'), 'DaemonSet');
    expect(before.workload.spec.updateStrategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const after = traefik(helm().template(chart, [valuesFile('kubeadm-old-merged', merge(JSON.stringify(old), 'values'))], 'traefik'), 'DaemonSet');
    expect(after.workload.spec.updateStrategy.rollingUpdate).toEqual({ maxUnavailable: 1, maxSurge: 0 });
  });
});

/**
 * k3s's HelmChart kube-system/traefik values (manifests/traefik.yaml of the k3s releases that package chart
 * 34.2.1+up34.2.0; the image tag left to the chart), under the HelmChartConfig's valuesContent, as k3s's Helm
 * controller layers them, with the `global.systemDefaultRegistry` it sets.
 */
const K3S_VALUES = {
  deployment: { podAnnotations: { 'prometheus.io/port': '8082', 'prometheus.io/scrape': 'true' } },
  providers: { kubernetesIngress: { publishedService: { enabled: true } } },
  priorityClassName: 'system-cluster-critical',
  tolerations: [
    { key: 'CriticalAddonsOnly', operator: 'Exists' },
    { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
  ],
  service: { ipFamilyPolicy: 'PreferDualStack' },
  global: { systemDefaultRegistry: '' },
};

describe('k3s: its packaged Traefik chart 34.2.1+up34.2.0 (k3s-io/k3s-charts) with the HelmChartConfig\'s merged values', () => {
  const chart = path.join(CHARTS, 'traefik-34.2.1+up34.2.0');

  test('k3s\'s values alone: Traefik publishes its (ServiceLB) Service', () => {
    const { args } = traefik(helm().template(chart, [valuesFile('k3s', K3S_VALUES)], 'traefik'), 'Deployment');
    expect(args.filter(a => a.startsWith(PUBLISHED_SERVICE))).toEqual([`${PUBLISHED_SERVICE}=default/traefik`]);
    expect(args.filter(a => a.startsWith(FLAG))).toEqual([]);
  });

  test('with the HelmChartConfig (a new one, and one that already set other values): the NLB\'s name, no published Service, the other values kept', () => {
    for (const existing of ['', 'logs:\n  access:\n    enabled: true\nadditionalArguments:\n  - "--log.level=DEBUG"\n']) {
      const config = merge(existing, 'helmchartconfig');
      expect(config).toMatchObject({ apiVersion: 'helm.cattle.io/v1', kind: 'HelmChartConfig', metadata: { name: 'traefik', namespace: 'kube-system' } });
      const content = path.join(dir, 'valuesContent.yaml');
      fs.writeFileSync(content, config.spec.valuesContent);
      const objects = helm().template(chart, [valuesFile('k3s', K3S_VALUES), content], 'traefik');
      const { args } = traefik(objects, 'Deployment');
      expect(args.filter(a => a.startsWith(FLAG))).toEqual([`${FLAG}${HOST}`]);
      expect(args.filter(a => a.startsWith(PUBLISHED_SERVICE))).toEqual([]);
      if (existing) expect(args).toEqual(expect.arrayContaining(['--log.level=DEBUG', '--accesslog=true']));
    }
  });
});
