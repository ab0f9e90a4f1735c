import { Duration, Size } from 'cdk8s';
import { all, expectPropError, newChart, one, synthValid } from './fixtures';
import { Callers, Colour, ReleaseStrategy, StatefulService, WebService, Worker } from '../../lib/workloads';
import { schemaSources } from '../support/k8s-check';
import { chartFor, COLOUR, selects, TRACK } from './release/release-helpers';

const IMAGE = 'registry.example.com/shop/api:1.4.2';

describe('metrics on a WebService', () => {
  const chart = newChart({ namespace: 'shop' });
  new WebService(chart, 'api', {
    image: IMAGE,
    ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090 }],
    autoscaling: { minReplicas: 2, maxReplicas: 6 },
    metrics: { port: 'metrics', path: '/stats/prometheus', interval: Duration.seconds(15) },
  });
  const objects = synthValid(chart, { failOnWarnings: true });

  test('the operator models check the monitoring objects', () => {
    for (const kind of ['ServiceMonitor', 'PodMonitor', 'PrometheusRule']) {
      expect(schemaSources('monitoring.coreos.com/v1', kind)).toContain('crd-package');
    }
  });

  test('a ServiceMonitor scrapes the one labelled Service on the metrics port', () => {
    const monitor = one(objects, 'ServiceMonitor', 'api');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata.namespace).toBe('shop');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/stats/prometheus', interval: '15s', scheme: 'http' }]);
    const service = one(objects, 'Service', 'api');
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels[k]).toBe(v);
    expect(monitor.spec.selector.matchLabels['platform.cdk-k8s.io/metrics']).toBe('api');
  });

  test('Prometheus\'s namespace is let in on the metrics container port only', () => {
    const policy = one(objects, 'NetworkPolicy', 'api');
    const rule = policy.spec.ingress.at(-1);
    expect(rule).toEqual({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ port: 9090, protocol: 'TCP' }],
    });
  });

  test('default alerts: crash looping, unavailable replicas, autoscaler at its maximum for 15 minutes', () => {
    const rules = one(objects, 'PrometheusRule', 'api').spec.groups[0].rules;
    expect(rules.map((r: { alert: string }) => r.alert)).toEqual(['ApiCrashLooping', 'ApiReplicasUnavailable', 'ApiAutoscalerAtMaximum']);
    const hpa = rules[2];
    expect(hpa.for).toBe('15m');
    expect(hpa.expr).toBe('kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler="api"} '
      + '>= kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler="api"}');
    expect(one(objects, 'HorizontalPodAutoscaler', 'api').spec.maxReplicas).toBe(6);
  });

  test('a dashboard ConfigMap for the namespace, labelled for Grafana\'s sidecar', () => {
    const dashboard = one(objects, 'ConfigMap', 'grafana-dashboard-shop');
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    const json = JSON.parse(dashboard.data['shop.json']);
    expect(json.title).toBe('Workloads: shop');
    expect(json.panels.filter((p: { type: string }) => p.type === 'row').map((p: { title: string }) => p.title)).toEqual(['Deployment api']);
  });
});

describe('metrics on a StatefulService and a Worker', () => {
  const chart = newChart({ namespace: 'data' });
  new StatefulService(chart, 'db', {
    image: 'registry.example.com/db/postgres:16.4',
    ports: [{ name: 'postgres', port: 5432 }, { name: 'metrics', port: 9187 }],
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(20) }],
    metrics: { port: 'metrics' },
  });
  new Worker(chart, 'jobs', {
    image: 'registry.example.com/shop/jobs:2.0.1',
    ports: [{ name: 'metrics', port: 9100 }],
    metrics: { port: 'metrics' },
  });
  new Worker(chart, 'open', {
    image: 'registry.example.com/shop/jobs:2.0.1',
    ports: [{ name: 'metrics', port: 9100 }],
    callers: Callers.any(),
    metrics: { port: 'metrics', alerts: false },
  });
  const objects = synthValid(chart, { failOnWarnings: true });

  test('StatefulService: scraped through the client Service only, not the headless one', () => {
    expect(all(objects, 'ServiceMonitor')).toHaveLength(1);
    expect(one(objects, 'Service', 'db').metadata.labels['platform.cdk-k8s.io/metrics']).toBe('db');
    expect(one(objects, 'Service', 'db-headless').metadata.labels['platform.cdk-k8s.io/metrics']).toBeUndefined();
    expect(one(objects, 'ServiceMonitor', 'db').spec.endpoints[0]).toEqual({ port: 'metrics', path: '/metrics', interval: '30s', scheme: 'http' });
  });

  test('StatefulService: a volume over 85% full is an alert', () => {
    const rules = one(objects, 'PrometheusRule', 'db').spec.groups[0].rules;
    expect(rules.map((r: { alert: string }) => r.alert)).toEqual(['DbCrashLooping', 'DbReplicasUnavailable', 'DbVolumeAlmostFull']);
    expect(rules[2].expr).toBe('kubelet_volume_stats_used_bytes{namespace="data", persistentvolumeclaim=~"(data)-db-[0-9]+"} '
      + '/ kubelet_volume_stats_capacity_bytes{namespace="data", persistentvolumeclaim=~"(data)-db-[0-9]+"} > 0.85');
  });

  test('Worker: a PodMonitor on the container port; its deny-all policy now admits Prometheus on that port', () => {
    expect(one(objects, 'PodMonitor', 'jobs').spec).toEqual({
      selector: { matchLabels: one(objects, 'Deployment', 'jobs').spec.selector.matchLabels },
      podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s', scheme: 'http' }],
    });
    expect(one(objects, 'NetworkPolicy', 'jobs').spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      }],
      ports: [{ port: 9100, protocol: 'TCP' }],
    }]);
  });

  test('Callers.any(): no policy to open; alerts: false writes no rules', () => {
    expect(all(objects, 'NetworkPolicy').map(p => p.metadata.name)).not.toContain('open');
    expect(all(objects, 'PrometheusRule').map(p => p.metadata.name)).toEqual(['db', 'jobs']);
  });

  test('one dashboard for the namespace, a row per workload', () => {
    const json = JSON.parse(one(objects, 'ConfigMap', 'grafana-dashboard-data').data['data.json']);
    expect(json.panels.filter((p: { type: string }) => p.type === 'row').map((p: { title: string }) => p.title))
      .toEqual(['StatefulSet db', 'Deployment jobs', 'Deployment open']);
  });
});

describe('metrics during a release: every pod set is scraped once, admitted for Prometheus and told apart', () => {
  const PROMETHEUS = {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
  };

  /** Synthesizes (and checks) web service `web` with metrics on its http port (8080) and the release. */
  function synthWeb(release: ReleaseStrategy): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    const chart = chartFor('traefik');
    new WebService(chart, 'web', {
      image: 'shop/web:1.4.0', ingress: { hosts: ['shop.example.com'] }, autoscaling: { maxReplicas: 4 }, release, metrics: { port: 'http' },
    });
    return synthValid(chart, { failOnWarnings: true });
  }

  /** Per Deployment: how many Services the ServiceMonitor scrapes its pods through, and whether a policy on them admits Prometheus on 8080. */
  function coverage(objects: any[]): Record<string, { scrapedVia: string[]; admitted: boolean }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const monitor = one(objects, 'ServiceMonitor', 'web');
    const scraped = all(objects, 'Service').filter(s => selects(monitor.spec.selector.matchLabels, s.metadata.labels));
    return Object.fromEntries(all(objects, 'Deployment').map(d => {
      const pod = d.spec.template.metadata.labels;
      const policies = all(objects, 'NetworkPolicy').filter(np => selects(np.spec.podSelector.matchLabels, pod));
      const admitted = policies.some(np => np.spec.ingress.some((r: any) => // eslint-disable-line @typescript-eslint/no-explicit-any
        JSON.stringify(r.from) === JSON.stringify([PROMETHEUS]) && r.ports.some((p: { port: number }) => p.port === 8080)));
      return [d.metadata.name, { scrapedVia: scraped.filter(s => selects(s.spec.selector, pod)).map(s => s.metadata.name), admitted }];
    }));
  }

  const candidates: Array<[string, ReleaseStrategy, string]> = [
    ['canary', ReleaseStrategy.canary({ image: 'shop/web:1.5.0', weight: 10 }), 'canary'],
    ['abTest', ReleaseStrategy.abTest({ image: 'shop/web:1.5.0', header: { name: 'X-Variant', value: 'b' } }), 'b'],
    ['shadow', ReleaseStrategy.shadow({ image: 'shop/web:1.5.0', percent: 50 }), 'shadow'],
  ];

  test.each(candidates)('%s: the candidate pods are scraped through their Service and admitted by their NetworkPolicy', (_n, release, track) => {
    const objects = synthWeb(release);
    expect(coverage(objects)).toEqual({
      web: { scrapedVia: ['web'], admitted: true },
      [`web-${track}`]: { scrapedVia: [`web-${track}`], admitted: true },
    });
    expect(all(objects, 'ServiceMonitor')).toHaveLength(1);
  });

  test.each(candidates)('%s: one job for both versions, the track label tells them apart, the alerts watch both Deployments', (_n, release, track) => {
    const objects = synthWeb(release);
    const spec = one(objects, 'ServiceMonitor', 'web').spec;
    expect(spec.jobLabel).toBe('platform.cdk-k8s.io/metrics');
    expect(spec.podTargetLabels).toEqual([TRACK]);
    expect(one(objects, 'Service', `web-${track}`).metadata.labels['platform.cdk-k8s.io/metrics']).toBe('web');
    const rules = one(objects, 'PrometheusRule', 'web').spec.groups[0].rules;
    expect(rules.map((r: { expr: string }) => r.expr)).toEqual([
      `max_over_time(kube_pod_container_status_waiting_reason{namespace="shop", pod=~"(web|web-${track})-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}", reason="CrashLoopBackOff"}[5m]) >= 1`,
      `kube_deployment_status_replicas_unavailable{namespace="shop", deployment=~"web|web-${track}"} > 0`,
      `kube_horizontalpodautoscaler_status_current_replicas{namespace="shop", horizontalpodautoscaler=~"web|web-${track}"} `
        + `>= kube_horizontalpodautoscaler_spec_max_replicas{namespace="shop", horizontalpodautoscaler=~"web|web-${track}"}`,
    ]);
  });

  test('blue-green: both colours are scraped once (live through web, idle through web-preview), told apart by colour', () => {
    const objects = synthWeb(ReleaseStrategy.blueGreen({ live: Colour.GREEN, greenImage: 'shop/web:1.5.0' }));
    expect(coverage(objects)).toEqual({
      'web-blue': { scrapedVia: ['web-preview'], admitted: true },
      'web-green': { scrapedVia: ['web'], admitted: true },
    });
    expect(one(objects, 'ServiceMonitor', 'web').spec.podTargetLabels).toEqual([COLOUR]);
    const unavailable = one(objects, 'PrometheusRule', 'web').spec.groups[0].rules[1];
    expect(unavailable.expr).toBe('kube_deployment_status_replicas_unavailable{namespace="shop", deployment=~"web-blue|web-green"} > 0');
  });

  test('the dashboard\'s panels cover the pods of every Deployment of the release', () => {
    const dashboard = (objects: any[]) => JSON.parse(one(objects, 'ConfigMap', 'grafana-dashboard-shop').data['shop.json']); // eslint-disable-line @typescript-eslint/no-explicit-any
    const exprs = (objects: any[]) => dashboard(objects).panels.filter((p: { targets?: unknown }) => p.targets) // eslint-disable-line @typescript-eslint/no-explicit-any
      .map((p: { targets: Array<{ expr: string }> }) => p.targets[0].expr);
    const canary = exprs(synthWeb(ReleaseStrategy.canary({ image: 'shop/web:1.5.0', weight: 10 })));
    expect(canary).toHaveLength(4);
    for (const expr of canary) expect(expr).toContain('namespace="shop", pod=~"(web|web-canary)-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}"');
    const blueGreen = exprs(synthWeb(ReleaseStrategy.blueGreen({ live: Colour.GREEN, greenImage: 'shop/web:1.5.0' })));
    for (const expr of blueGreen) expect(expr).toContain('pod=~"(web-blue|web-green)-[bcdfghjklmnpqrstvwxz2456789]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}"');
    const pod = /pod=~"([^"]+)"/.exec(canary[0])![1];
    // Prometheus anchors =~ at both ends; Kubernetes' generated names use no vowels and no 0, 1 or 3
    const matches = (name: string) => new RegExp(`^${pod}$`).test(name);
    expect(['web-7d4b9c8f6-x2x7k', 'web-canary-5f6d7c8b9-bcdfg', 'web-58b6c9d7-4kz2w'].filter(matches)).toHaveLength(3);
    // another workload's pods: a StatefulService web-admin, a Job web-migrate, a CronJob's job, a Deployment web-admin
    expect(['web-admin-0', 'web-migrate-x7k2p', 'web-28471234-bcdfg', 'web-admin-5f6d7c8b9-bcdfg', 'web'].filter(matches)).toEqual([]);
  });

  test('blue-green with one colour: its pods are scraped and alerted on by their Deployment\'s name', () => {
    const objects = synthWeb(ReleaseStrategy.blueGreen({ live: Colour.BLUE }));
    expect(coverage(objects)).toEqual({ 'web-blue': { scrapedVia: ['web'], admitted: true } });
    const unavailable = one(objects, 'PrometheusRule', 'web').spec.groups[0].rules[1];
    expect(unavailable.expr).toBe('kube_deployment_status_replicas_unavailable{namespace="shop", deployment="web-blue"} > 0');
  });
});

describe('bad metrics are refused at synth, naming the prop and the value', () => {
  test('a port that is not one of the workload\'s ports', () => {
    expectPropError(() => new WebService(newChart(), 'api', { image: IMAGE, metrics: { port: 'metrics' } }), {
      path: 'shop/api',
      prop: 'WebService.metrics.port',
      value: '"metrics"',
      says: 'must be the name of one of the workload\'s ports ("http"): Prometheus scrapes a declared port.',
    });
  });

  test('a Worker without ports', () => {
    expectPropError(() => new Worker(newChart(), 'jobs', { image: IMAGE, metrics: { port: 'metrics' } }), {
      path: 'shop/jobs',
      prop: 'Worker.metrics.port',
      value: '"metrics"',
      says: 'but it declares none: add the metrics port to `ports` (e.g. { name: "metrics", port: 9090 }).',
    });
  });

  test('an interval under 5 seconds', () => {
    expectPropError(() => new WebService(newChart(), 'api', { image: IMAGE, metrics: { port: 'http', interval: Duration.seconds(2) } }), {
      path: 'shop/api',
      prop: 'WebService.metrics.interval',
      value: '"2s"',
      says: 'must be a whole number of seconds from 5 s to 10 minutes',
    });
  });

  test('a path that is not an absolute URL path', () => {
    expectPropError(() => new StatefulService(newChart(), 'db', {
      image: IMAGE, ports: [{ name: 'db', port: 5432 }], metrics: { port: 'db', path: 'metrics' },
    }), { path: 'shop/db', prop: 'StatefulService.metrics.path', value: '"metrics"', says: 'must be an absolute URL path such as "/metrics".' });
  });
});
