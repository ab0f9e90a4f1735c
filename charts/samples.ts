import { App } from 'cdk8s';
import { ClusterTraits, PlatformChart, WebService } from '../lib';

/**
 * The sample workloads of the bundled platform, built for a cluster's traits: the examples from the
 * product brief.
 *
 * - `nginx`: an nginx Deployment of 3 replicas behind a ClusterIP Service on port 80 and an Ingress for
 *   host `myapp.example.com`, path `/`. The unprivileged nginx image listens on 8080 and needs writable
 *   /tmp and /var/cache/nginx with a read-only root filesystem.
 * - `users`: a service of 2 replicas.
 */
export function sampleWorkloads(app: App, traits: ClusterTraits): PlatformChart[] {
  const chart = new PlatformChart(app, 'samples', { traits, namespace: 'samples', partOf: 'samples' });

  new WebService(chart, 'nginx', {
    image: 'nginxinc/nginx-unprivileged:1.27.3-alpine',
    replicas: 3,
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/',
    writablePaths: ['/tmp', '/var/cache/nginx'],
    runAsUser: 101,
    runAsGroup: 101,
    ingress: { hosts: ['myapp.example.com'], paths: ['/'] },
  });

  new WebService(chart, 'users', {
    image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
    replicas: 2,
    ports: [{ name: 'http', port: 80, targetPort: 9898 }],
    healthCheckPath: '/readyz',
    env: { PODINFO_UI_MESSAGE: 'users service' },
  });

  return [chart];
}
