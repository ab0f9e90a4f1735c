/**
 * Seed example: the `users` service, 2 replicas, releasing its next version as a canary that receives 10%
 * of the requests.
 *
 *   npx tsx examples/users-service/app.ts        → charts/dist/examples/users-service/*.k8s.yaml
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, ReleaseStrategy, SecretRef, WebService } from '../../lib';

/** Adds the users chart to `app` (EKS traits by default: ALB weighted routing). */
export function build(app: App, traits: ClusterTraits = ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' })): PlatformChart {
  const chart = new PlatformChart(app, 'users', { traits, namespace: 'users' });
  new WebService(chart, 'users', {
    image: 'ghcr.io/acme/users:2.3.0',
    replicas: 2,
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/healthz',
    env: { LOG_LEVEL: 'info' },
    // a reference only: the value stays in an existing Kubernetes Secret
    secretEnv: { DATABASE_URL: SecretRef.fromSecret('users-db', 'url') },
    ingress: { hosts: ['api.example.com'], paths: ['/users'] },
    release: ReleaseStrategy.canary({ image: 'ghcr.io/acme/users:2.4.0', weight: 10 }),
  });
  return chart;
}

if (require.main === module) {
  const app = new App({ outdir: path.join(__dirname, '..', '..', 'charts', 'dist', 'examples', 'users-service') });
  build(app);
  app.synth();
}
