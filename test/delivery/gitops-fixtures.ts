/** Charts for the GitOps writer's tests: every workload kind, a claim, literal template braces. */
import { ApiObject, App, Size } from 'cdk8s';
import {
  Callers, ClusterTraits, CronSchedule, PlatformChart, PlatformNamespace, ReleaseStrategy, ScheduledJob, SecretRef, StatefulService, WebService, Worker,
} from '../../lib';

/** Secrets the fixture reads and does not define (they come from External Secrets in a real cluster). */
export const FIXTURE_EXTERNAL_SECRETS = ['postgres'];

/**
 * The README's shop (api autoscaled with a canary, postgres with a volume) plus a Worker with fixed replicas
 * and an init container on its own image, a ScheduledJob, a PersistentVolumeClaim and a ConfigMap holding
 * `{{ }}` text that Helm must render literally.
 */
export function shopPlatformChart(traits: ClusterTraits, app = new App()): PlatformChart {
  const shop = new PlatformChart(app, 'shop', { traits, namespace: 'shop', partOf: 'shop' });
  new PlatformNamespace(shop, 'shop', { defaultDenyIngress: true });
  const api = new WebService(shop, 'api', {
    image: 'ghcr.io/acme/shop-api:1.8.2',
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/healthz',
    secretEnv: { DATABASE_PASSWORD: SecretRef.fromSecret('postgres', 'password') },
    autoscaling: { minReplicas: 2, maxReplicas: 8 },
    ingress: { hosts: ['shop.example.com'], paths: ['/api'] },
    release: ReleaseStrategy.canary({ image: 'ghcr.io/acme/shop-api:1.9.0', weight: 10 }),
  });
  new StatefulService(shop, 'postgres', {
    image: 'postgres:16.4-alpine',
    ports: [{ name: 'postgres', port: 5432 }],
    runAsUser: 70,
    runAsGroup: 70,
    secretEnv: { POSTGRES_PASSWORD: SecretRef.fromSecret('postgres', 'password') },
    env: { PGDATA: '/var/lib/postgresql/data/pgdata' },
    writablePaths: ['/tmp', '/var/run/postgresql'],
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(20) }],
    callers: Callers.only(api),
  });
  new Worker(shop, 'mailer', {
    image: 'ghcr.io/acme/mailer:2.0.1',
    replicas: 2,
    env: { GREETING: 'Hello {{ .Name }}, braces }} stay literal' },
    initContainers: [{ name: 'migrate', image: 'ghcr.io/acme/mailer:2.0.1', command: ['mailer', 'migrate'] }],
  });
  new ScheduledJob(shop, 'report', { image: 'ghcr.io/acme/report@sha256:' + 'a'.repeat(64), schedule: CronSchedule.daily() });
  new ApiObject(shop, 'uploads', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'uploads' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
  });
  new ApiObject(shop, 'templates', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'mail-templates' },
    data: { 'welcome.txt': 'Welcome {{ .User }}! {{- if .Vip }}VIP{{ end }}' },
  });
  return shop;
}
