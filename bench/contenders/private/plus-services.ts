/**
 * The anchors' workload: N web services written with cdk8s-plus-28, as a team would without this library.
 * Each service is a Deployment + Service + HorizontalPodAutoscaler + Ingress (ALB), the same shape the
 * library's WebService renders (which adds a PodDisruptionBudget and a NetworkPolicy on top).
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/** Image of every benchmark service (pinned; never pulled at synth). */
export const BENCH_IMAGE = 'public.ecr.aws/nginx/nginx:1.27.3';

/** The name of service `i` (`svc-0000` ...). */
export function serviceName(i: number): string {
  return `svc-${String(i).padStart(4, '0')}`;
}

/** Adds `count` cdk8s-plus-28 web services to `chart`. */
export function addPlusServices(chart: Chart, count: number): void {
  for (let i = 0; i < count; i++) {
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
