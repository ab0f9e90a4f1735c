/**
 * The anchors' workload: N web services written with cdk8s-plus-28, as a team would without this library.
 * Each service is a Deployment + Service + HorizontalPodAutoscaler + Ingress (ALB), the same shape the
 * library's WebService renders (which adds a PodDisruptionBudget and a NetworkPolicy on top).
 */
import type { Chart } from 'cdk8s';
import type * as Kplus from 'cdk8s-plus-28';

/** Image of every benchmark service (pinned; never pulled at synth). */
export const BENCH_IMAGE = 'public.ecr.aws/nginx/nginx:1.27.3';

/**
 * Services per cdk8s chart, in every contender: a real app of many services keeps them in many charts (one
 * per team or domain), and one Helm release per chart stays far below Helm's 1 MiB release record.
 */
export const SERVICES_PER_CHART = 100;

/** The name of service `i` (`svc-00000` ...). */
export function serviceName(i: number): string {
  return `svc-${String(i).padStart(5, '0')}`;
}

/** One group of services: chart `index` holds services `first` .. `first + count - 1`. */
export interface ServiceGroup {
  readonly index: number;
  /** The chart's name (`shop-000` ...): a DNS-1123 label, usable as a Helm release name. */
  readonly name: string;
  readonly first: number;
  readonly count: number;
}

/** `count` services split into groups of {@link SERVICES_PER_CHART} (the last one smaller). */
export function serviceGroups(count: number): ServiceGroup[] {
  const groups: ServiceGroup[] = [];
  for (let first = 0, index = 0; first < count; first += SERVICES_PER_CHART, index++) {
    groups.push({ index, name: `shop-${String(index).padStart(3, '0')}`, first, count: Math.min(SERVICES_PER_CHART, count - first) });
  }
  return groups;
}

/** Adds the services of `group` (all of them when a number is given: services 0 .. n-1) to `chart`. */
export function addPlusServices(chart: Chart, group: ServiceGroup | number): void {
  // Loaded here, not at the top: the library contender imports this module for the helpers above only, and must
  // not pay for loading cdk8s-plus-28 (about 150 ms) when the library does not need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const kplus = require('cdk8s-plus-28') as typeof Kplus;
  const { first, count } = typeof group === 'number' ? { first: 0, count: group } : group;
  for (let i = first; i < first + count; i++) {
    const name = serviceName(i);
    const deployment = new kplus.Deployment(chart, name, {
      metadata: { name },
      containers: [{ name: 'main', image: BENCH_IMAGE, portNumber: 8080 }],
    });
    const service = deployment.exposeViaService({ name, ports: [{ port: 80, targetPort: 8080 }] });
    new kplus.HorizontalPodAutoscaler(chart, `${name}-hpa`, {
      metadata: { name },
      target: deployment,
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(70))],
    });
    new kplus.Ingress(chart, `${name}-ingress`, {
      metadata: { name },
      className: 'alb',
      rules: [{ host: `${name}.example.com`, path: '/', backend: kplus.IngressBackend.fromService(service) }],
    });
  }
}

/** `<n> <outdir>` from the command line of a contender. */
export function contenderArgs(): { readonly count: number; readonly outdir: string } {
  const [count, outdir] = process.argv.slice(2);
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1 || !outdir) {
    throw new Error(`usage: node ${process.argv[1]} <services (a positive integer)> <outdir>; got ${JSON.stringify(process.argv.slice(2))}`);
  }
  return { count: n, outdir };
}
