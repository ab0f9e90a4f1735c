/** The README's shop example (api + postgres) as a chart, for model tests. */
import { App, Size } from 'cdk8s';
import {
  Callers, ClusterTraits, PlatformChart, PlatformNamespace, ReleaseStrategy, SecretRef, StatefulService, WebService,
} from '../../../lib/workloads';

/** Options of {@link shopChart}. */
export interface ShopOptions {
  /** The api's image tag. */
  readonly apiVersion?: string;
  /** Include postgres. */
  readonly postgres?: boolean;
  /** Include the canary release of the api. */
  readonly canary?: boolean;
  /** The chart's namespace. */
  readonly namespace?: string;
}

/** The README's shop: a namespace with default-deny, the api (HPA, ingress, canary) and postgres with a claim. */
export function shopChart(traits: ClusterTraits, options: ShopOptions = {}): PlatformChart {
  const namespace = options.namespace ?? 'shop';
  const shop = new PlatformChart(new App(), 'shop', { traits, namespace });
  new PlatformNamespace(shop, namespace, { defaultDenyIngress: true });
  const api = new WebService(shop, 'api', {
    image: `ghcr.io/acme/shop-api:${options.apiVersion ?? '1.8.2'}`,
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/healthz',
    secretEnv: { DATABASE_PASSWORD: SecretRef.fromSecret('postgres', 'password') },
    autoscaling: { minReplicas: 2, maxReplicas: 8 },
    ingress: { hosts: ['shop.example.com'], paths: ['/api'] },
    ...(options.canary === false ? {} : { release: ReleaseStrategy.canary({ image: 'ghcr.io/acme/shop-api:1.9.0', weight: 10 }) }),
  });
  if (options.postgres !== false) {
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
  }
  return shop;
}
