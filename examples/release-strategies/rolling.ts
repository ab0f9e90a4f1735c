/**
 * Rolling update (the default): new pods start before old ones stop, 50% surge, none unavailable.
 * See docs/release-strategies.md for promotion and rollback.
 *
 *   npx tsx examples/release-strategies/rolling.ts        → charts/dist/examples/release-rolling/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, ReleaseStrategy, WebService } from '../../lib';

/** Adds the chart to `app` (EKS/ALB by default). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.eks()): PlatformChart {
  const chart = new PlatformChart(app, 'release-rolling', { traits, namespace: 'shop' });
  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/shop-web:1.4.0',
    ingress: { hosts: ['shop.example.com'] },
    release: ReleaseStrategy.rolling({ maxSurge: '50%', maxUnavailable: 0 }),
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'release-rolling') });
  build(app);
  app.synth();
}
