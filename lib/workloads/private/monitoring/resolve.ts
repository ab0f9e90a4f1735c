import { Duration } from 'cdk8s';
import { DEFAULT_PROMETHEUS_NAMESPACE, WorkloadMetrics } from '../../metrics';
import { ResolvedPort } from '../ports';
import { PropValidator } from '../validate';

/** `metrics` with its defaults filled in and every prop checked. */
export interface ResolvedMetrics {
  readonly port: ResolvedPort;
  readonly path: string;
  readonly intervalSeconds: number;
  readonly prometheusNamespace: string;
  readonly alerts: boolean;
}

const MIN_INTERVAL_SECONDS = 5;
const MAX_INTERVAL_SECONDS = 600;
const METRICS_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** Checks `metrics` against the workload's resolved ports. */
export function resolveMetrics(v: PropValidator, metrics: WorkloadMetrics, ports: ReadonlyArray<ResolvedPort>): ResolvedMetrics {
  v.check(typeof metrics === 'object' && metrics !== null, 'metrics', metrics, 'must be an object such as { port: "http", path: "/metrics" }.');
  const names = ports.map(p => p.name);
  const port = ports.find(p => p.name === metrics.port);
  if (!port) {
    v.fail('metrics.port', metrics.port, names.length
      ? `must be the name of one of the workload's ports (${names.map(n => `"${n}"`).join(', ')}): Prometheus scrapes a declared port.`
      : 'must be the name of one of the workload\'s ports, but it declares none: add the metrics port to `ports` (e.g. { name: "metrics", port: 9090 }).');
  }
  const path = metrics.path ?? '/metrics';
  v.check(typeof path === 'string' && METRICS_PATH.test(path) && !path.includes('..'), 'metrics.path', path, 'must be an absolute URL path such as "/metrics".');
  const interval = metrics.interval ?? Duration.seconds(30);
  const seconds = interval.toSeconds();
  v.check(Number.isInteger(seconds) && seconds >= MIN_INTERVAL_SECONDS && seconds <= MAX_INTERVAL_SECONDS, 'metrics.interval', `${seconds}s`,
    `must be a whole number of seconds from ${MIN_INTERVAL_SECONDS} s to ${MAX_INTERVAL_SECONDS / 60} minutes: shorter scrapes load Prometheus and the pod for no gain (e.g. Duration.seconds(30)).`);
  const prometheusNamespace = v.dnsLabel('metrics.prometheusNamespace', metrics.prometheusNamespace ?? DEFAULT_PROMETHEUS_NAMESPACE);
  return { port, path, intervalSeconds: seconds, prometheusNamespace, alerts: metrics.alerts ?? true };
}
