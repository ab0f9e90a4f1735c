/**
 * A three-tier shop: `web` (the front end, public on `/`), `api` (on `/api`) and `postgres`, a
 * StatefulService with a persistent volume that only `api` may connect to. One namespace that enforces Pod
 * Security "restricted" and denies ingress by default; every workload admits only its callers. The api ships its
 * logs through a native sidecar reading a shared volume, a NodeAgent exports metrics on every node, and the
 * database gets right-sizing recommendations (a VerticalPodAutoscaler in mode Off).
 *
 * The same code serves every cluster kind: the chart reads the cluster's traits (ALB or Traefik, gp3 or
 * local-path), see three-tier-eks/app.ts and three-tier-k3s/app.ts.
 */
import { App, Size } from 'cdk8s';
import { Callers, ClusterTraits, NodeAgent, PlatformChart, PlatformNamespace, SecretRef, StatefulService, WebService } from '../../lib';

/** Options of {@link shop}. */
export interface ShopOptions {
  /** Where the database password comes from (never a literal value). */
  readonly databasePassword: SecretRef;
  /**
   * Host name of the shop.
   * @default 'shop.example.com'
   */
  readonly host?: string;
  /**
   * ALB only: one load balancer shared by the web and api Ingresses.
   * @default - none
   */
  readonly albGroup?: string;
}

/** A platform stack with the charts delivered onto it (what the three-tier examples' `build` returns). */
export interface ThreeTierPlatform<S> {
  /** The platform stack. */
  readonly stack: S;
  /** The charts delivered onto its cluster. */
  readonly charts: PlatformChart[];
}

/** The three tiers of the shop, as one chart built for `traits`. */
export function shop(app: App, traits: ClusterTraits, options: ShopOptions): PlatformChart {
  const host = options.host ?? 'shop.example.com';
  const chart = new PlatformChart(app, 'shop', { traits, namespace: 'shop' });
  new PlatformNamespace(chart, 'shop', { defaultDenyIngress: true });

  const api = new WebService(chart, 'api', {
    image: 'ghcr.io/acme/shop-api:1.8.2',
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/healthz',
    env: { DATABASE_HOST: 'postgres', DATABASE_NAME: 'shop' },
    secretEnv: { DATABASE_PASSWORD: options.databasePassword },
    autoscaling: { minReplicas: 2, maxReplicas: 8, cpuUtilization: 70 },
    ingress: { hosts: [host], paths: ['/api'], group: options.albGroup },
    // the api writes its logs to /var/log/api; a native sidecar ships them
    volumeMounts: [{ volume: 'logs', mountPath: '/var/log/api' }],
    sharedVolumes: [{ name: 'logs', sizeLimit: Size.gibibytes(1) }],
    sidecars: [{
      name: 'log-shipper',
      image: 'fluent/fluent-bit:3.2.2',
      args: ['-i', 'tail', '-p', 'path=/logs/*.log', '-o', 'stdout', '-H', '-P', '2020'],
      ports: [{ name: 'shipper-http', port: 2020 }],
      healthCheckPath: '/',
      volumeMounts: [{ volume: 'logs', mountPath: '/logs', readOnly: true }],
    }],
  });

  new WebService(chart, 'web', {
    image: 'ghcr.io/acme/shop-web:3.1.0',
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/',
    ingress: { hosts: [host], paths: ['/'], group: options.albGroup },
  });

  new StatefulService(chart, 'postgres', {
    image: 'postgres:16.4-alpine',
    ports: [{ name: 'postgres', port: 5432 }],
    runAsUser: 70, // the postgres user of the alpine image
    runAsGroup: 70,
    env: { PGDATA: '/var/lib/postgresql/data/pgdata', POSTGRES_DB: 'shop' },
    secretEnv: { POSTGRES_PASSWORD: options.databasePassword },
    writablePaths: ['/tmp', '/var/run/postgresql'],
    volumes: [{ name: 'data', mountPath: '/var/lib/postgresql/data', size: Size.gibibytes(20) }],
    resources: { memoryRequest: Size.mebibytes(512), memoryLimit: Size.gibibytes(1) },
    // only the api may connect (the default admits every pod of the namespace)
    callers: Callers.only(api),
    // recommendations only: read them with kubectl describe vpa postgres
    rightSizing: {},
  });

  // node metrics on every node (restricted: no host paths; node-wide metrics need a privileged namespace)
  new NodeAgent(chart, 'node-exporter', {
    image: 'prom/node-exporter:v1.8.2',
    ports: [{ name: 'metrics', port: 9100 }],
    runAsUser: 65534,
    runAsGroup: 65534,
    healthCheckPath: '/',
    callers: Callers.sameNamespace(),
  });

  return chart;
}
