/**
 * Contender "library": this library's EKS platform (network, cluster, add-ons, controllers) with N
 * WebServices delivered by `cluster.addWorkloads` (a Helm chart S3 asset), loaded from the compiled
 * JavaScript the package ships (dist/, given by the runner in BENCH_LIBRARY).
 * Run: BENCH_LIBRARY=/path/to/dist node library-eks.js <N> <outdir>
 */
import { App } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { BENCH_IMAGE, contenderArgs, serviceName } from './private/plus-services';
import type * as Platform from '../../lib';

async function main(): Promise<void> {
  const { count, outdir } = contenderArgs();
  const libraryPath = process.env.BENCH_LIBRARY;
  if (!libraryPath) throw new Error('BENCH_LIBRARY must name the compiled library (e.g. /repo/dist); bench/run.ts sets it.');
  const lib: typeof Platform = await import(libraryPath);

  const app = new App({ outdir });
  const stack = new lib.EksPlatformStack(app, 'acme-eks', { platformName: 'acme' });
  const chart = new lib.PlatformChart(new cdk8s.App(), 'shop', { traits: stack.cluster.traits, namespace: 'shop' });
  for (let i = 0; i < count; i++) {
    const name = serviceName(i);
    new lib.WebService(chart, name, { image: BENCH_IMAGE, ingress: { hosts: [`${name}.example.com`] } });
  }
  stack.cluster.addWorkloads('Apps', [chart]);
  app.synth();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
