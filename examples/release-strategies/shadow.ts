/**
 * Shadow: every request is answered by the stable version and copied to the candidate (Traefik mirroring).
 * On k3s (Traefik): an ALB cannot mirror requests, so shadow on EKS is refused at synth time.
 * See docs/release-strategies.md for promotion and rollback.
 *
 *   npx tsx examples/release-strategies/shadow.ts        → charts/dist/examples/release-shadow/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, ReleaseStrategy, WebService } from '../../lib';

/** Adds the chart to `app` (k3s/Traefik by default). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.k3s()): PlatformChart {
  const chart = new PlatformChart(app, 'release-shadow', { traits, namespace: 'shop' });
  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/shop-web:1.4.0',
    ingress: { hosts: ['shop.example.com'] },
    release: ReleaseStrategy.shadow({ image: 'ghcr.io/acme/shop-web:1.5.0', percent: 100 }),
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'release-shadow') });
  build(app);
  app.synth();
}
