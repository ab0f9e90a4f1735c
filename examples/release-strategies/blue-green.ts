/**
 * Blue-green: two full Deployments; the Service selects the live colour, a preview host reaches the idle one.
 * See docs/release-strategies.md for promotion and rollback.
 *
 *   npx tsx examples/release-strategies/blue-green.ts        → charts/dist/examples/release-blue-green/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, Colour, PlatformChart, ReleaseStrategy, WebService } from '../../lib';

/** Adds the chart to `app` (EKS/ALB by default). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.eks()): PlatformChart {
  const chart = new PlatformChart(app, 'release-blue-green', { traits, namespace: 'shop' });
  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/shop-web:1.4.0',
    ingress: { hosts: ['shop.example.com'] },
    release: ReleaseStrategy.blueGreen({
      live: Colour.BLUE, // blue runs `image`
      greenImage: 'ghcr.io/acme/shop-web:1.5.0',
      previewHost: 'preview.shop.example.com',
    }),
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'release-blue-green') });
  build(app);
  app.synth();
}
