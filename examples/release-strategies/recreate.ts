/**
 * Recreate: all old pods stop before new ones start, for apps that must never run two versions at once.
 * See docs/release-strategies.md for promotion and rollback.
 *
 *   npx tsx examples/release-strategies/recreate.ts        → charts/dist/examples/release-recreate/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, ReleaseStrategy, WebService } from '../../lib';

/** Adds the chart to `app` (EKS/ALB by default). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.eks()): PlatformChart {
  const chart = new PlatformChart(app, 'release-recreate', { traits, namespace: 'shop' });
  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/shop-web:1.4.0',
    ingress: { hosts: ['shop.example.com'] },
    release: ReleaseStrategy.recreate(),
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'release-recreate') });
  build(app);
  app.synth();
}
