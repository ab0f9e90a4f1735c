/**
 * Canary: a second Deployment with the new image receives 10% of the requests (ALB weighted forward).
 * See docs/release-strategies.md for promotion and rollback.
 *
 *   npx tsx examples/release-strategies/canary.ts        → charts/dist/examples/release-canary/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, ReleaseStrategy, WebService } from '../../lib';

/** Adds the chart to `app` (EKS/ALB by default). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.eks()): PlatformChart {
  const chart = new PlatformChart(app, 'release-canary', { traits, namespace: 'shop' });
  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/shop-web:1.4.0',
    ingress: { hosts: ['shop.example.com'] },
    release: ReleaseStrategy.canary({ image: 'ghcr.io/acme/shop-web:1.5.0', weight: 10 }),
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'release-canary') });
  build(app);
  app.synth();
}
