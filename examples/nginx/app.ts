/**
 * Seed example: nginx, 3 replicas, behind a ClusterIP Service on port 80 and an Ingress for
 * `myapp.example.com`, path `/`.
 *
 *   npx tsx examples/nginx/app.ts        → charts/dist/examples/nginx/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, PlatformNamespace, WebService } from '../../lib';

/** Adds the nginx chart to `app`, for a cluster with the given traits (k3s/Traefik by default). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.k3s()): PlatformChart {
  const chart = new PlatformChart(app, 'nginx', { traits, namespace: 'web' });
  new PlatformNamespace(chart, 'web', { defaultDenyIngress: true });
  new WebService(chart, 'nginx', {
    // the unprivileged image listens on 8080 and runs as user 101
    image: 'nginxinc/nginx-unprivileged:1.27.3-alpine',
    replicas: 3,
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/',
    runAsUser: 101,
    runAsGroup: 101,
    // the root filesystem is read-only: nginx writes to these
    writablePaths: ['/tmp', '/var/cache/nginx'],
    ingress: { hosts: ['myapp.example.com'], paths: ['/'] },
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'nginx') });
  build(app);
  app.synth();
}
