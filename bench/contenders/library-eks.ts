/**
 * Contender "library": this library's EKS platform (network, cluster, add-ons, controllers) with N
 * WebServices in PlatformCharts of SERVICES_PER_CHART, all delivered by ONE `cluster.addWorkloads` call
 * (Helm chart S3 assets), loaded from the compiled JavaScript the package ships (dist/, given by the runner
 * in BENCH_LIBRARY).
 * Run: BENCH_LIBRARY=/path/to/dist node library-eks.js <N> <outdir>
 */
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { BENCH_IMAGE, contenderArgs, serviceGroups, serviceName } from './private/plus-services';
import type * as Platform from '../../lib';

async function main(): Promise<void> {
  const { count, outdir } = contenderArgs();
  const libraryPath = process.env.BENCH_LIBRARY;
  if (!libraryPath) throw new Error('BENCH_LIBRARY must name the compiled library (e.g. /repo/dist); bench/run.ts sets it.');
  const lib: typeof Platform = await import(libraryPath);

  const app = new App({ outdir });
  const stack = new lib.EksPlatformStack(app, 'acme-eks', { platformName: 'acme' });
  const k8s = new cdk8s.App();
  const charts = serviceGroups(count).map(group => {
    const chart = new lib.PlatformChart(k8s, group.name, { traits: stack.cluster.traits, namespace: 'shop' });
    for (let i = group.first; i < group.first + group.count; i++) {
      const name = serviceName(i);
      new lib.WebService(chart, name, { image: BENCH_IMAGE, ingress: { hosts: [`${name}.example.com`] } });
    }
    return chart;
  });
  stack.cluster.addWorkloads('apps', charts);
  app.synth();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
