import { App } from 'cdk8s';
import { ClusterTraits, GitOpsChartValues, PlatformChart, PlatformNamespace, ReleaseStrategy, WebService } from '../lib';

/**
 * The sample workloads of the bundled platform, built for a cluster's traits: the examples from the
 * product brief.
 *
 * - `nginx`: an nginx Deployment behind a ClusterIP Service on port 80 and an Ingress for host
 *   `myapp.example.com`, path `/`, autoscaled by a HorizontalPodAutoscaler from 3 to 10 replicas at 70% of
 *   the CPU request (the Deployment has no `replicas` field, so a deploy never resets the autoscaler's
 *   choice). The unprivileged nginx image listens on 8080, runs as user 101 and needs writable /tmp and
 *   /var/cache/nginx with a read-only root filesystem.
 * - `users`: a service of 2 fixed replicas, releasing a new version as a canary that gets 10% of the requests.
 *
 * The namespace enforces Pod Security "restricted" and denies ingress by default; each service admits its
 * own namespace and the ingress controller.
 */
export function sampleWorkloads(app: App, traits: ClusterTraits): PlatformChart[] {
  const chart = new PlatformChart(app, 'samples', { traits, namespace: 'samples', partOf: 'samples' });
  new PlatformNamespace(chart, 'samples', { defaultDenyIngress: true });

  new WebService(chart, 'nginx', {
    image: 'nginxinc/nginx-unprivileged:1.27.3-alpine',
    autoscaling: { minReplicas: 3, maxReplicas: 10, cpuUtilization: 70 },
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
    ingress: { hosts: ['users.example.com'] },
    release: ReleaseStrategy.canary({ image: 'ghcr.io/stefanprodan/podinfo:6.7.2', weight: 10 }),
  });

  return [chart];
}

/**
 * The samples' values per environment, written next to values.yaml as values-<env>.yaml by `npm run charts`:
 * `dev` runs the least (one nginx, one users replica), `prod` autoscales nginx from 5 to 20 and runs 3 users
 * replicas, with images pinned by digest in a real repository (here: the tags of the code).
 */
export const sampleEnvironments: Record<string, GitOpsChartValues> = {
  dev: {
    workloads: {
      'nginx': { autoscaling: { minReplicas: 1, maxReplicas: 3 } },
      'users': { replicaCount: 1 },
      'users-canary': { replicaCount: 1 },
    },
  },
  prod: {
    workloads: {
      nginx: { autoscaling: { minReplicas: 5, maxReplicas: 20 } },
      users: { replicaCount: 3 },
    },
  },
};
