/**
 * A/B by header: requests with `X-Variant: b` (and 5% of the others) go to version B.
 * See docs/release-strategies.md for promotion and rollback.
 *
 *   npx tsx examples/release-strategies/ab-test.ts        → charts/dist/examples/release-ab-test/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, ReleaseStrategy, WebService } from '../../lib';

/** Adds the chart to `app` (EKS/ALB by default). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.eks()): PlatformChart {
  const chart = new PlatformChart(app, 'release-ab-test', { traits, namespace: 'shop' });
  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/shop-web:1.4.0',
    ingress: { hosts: ['shop.example.com'] },
    release: ReleaseStrategy.abTest({
      image: 'ghcr.io/acme/shop-web:1.5.0',
      header: { name: 'X-Variant', value: 'b' },
      weight: 5,
    }),
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'release-ab-test') });
  build(app);
  app.synth();
}
