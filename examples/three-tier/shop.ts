/**
 * A three-tier shop: `web` (the front end, public on `/`), `api` (on `/api`) and `postgres`, a
 * StatefulService with a persistent volume that only `api` may connect to. The namespace `shop` belongs to the
 * team `shop` (a `PlatformTeam`: Pod Security "restricted", ingress denied by default, a quota and limit range,
 * RoleBindings of admin, edit and view to the team's groups); every workload admits only its callers. The api
 * runs as its own `WorkloadIdentity` (the cluster gives it AWS credentials: it reads and writes the carts
 * table), ships its logs through a native sidecar reading a shared volume, a NodeAgent exports metrics on every
 * node, and the database gets right-sizing recommendations (a VerticalPodAutoscaler in mode Off).
 *
 * The same code serves every cluster kind: the charts read the cluster's traits (ALB or Traefik, gp3 or
 * local-path) and take the TLS choice of the cluster, see three-tier-eks/app.ts and three-tier-k3s/app.ts.
 */
import { App, Chart, Size } from 'cdk8s';
import {
  Callers, ClusterTraits, IngressTls, NodeAgent, PlatformChart, PlatformTeam, SecretRef, StatefulService, WebService, WorkloadIdentity,
} from '../../lib';

/** Options of {@link shop}. */
export interface ShopOptions {
  /** Where the database password comes from (never a literal value). */
  readonly databasePassword: SecretRef;
  /** The DynamoDB table of shopping carts the api reads and writes (`CARTS_TABLE`); grant it to `Shop.apiIdentity`. */
  readonly cartsTable: string;
  /**
   * Host name of the shop.
   * @default 'shop.example.com'
   */
  readonly host?: string;
  /**
   * TLS of the public Ingresses: `Tls.acm(arn)` on an ALB, `Tls.letsEncrypt()` with cert-manager.
   * @default - plain HTTP
   */
  readonly tls?: IngressTls;
  /**
   * The Ingresses are reachable from the internet (an internet-facing ALB on EKS; on k3s the cluster's
   * ingress exposure decides).
   * @default false
   */
  readonly internetFacing?: boolean;
  /**
   * ALB only: one load balancer shared by the web and api Ingresses.
   * @default - none
   */
  readonly albGroup?: string;
  /**
   * The api's `AWS_REGION` (EKS Pod Identity hands out credentials, not a region).
   * @default - none: the SDK's own (on k3s the pod identity webhook sets it)
   */
  readonly awsRegion?: string;
}

/** The shop's charts and what the CDK side grants to or maps. */
export interface Shop {
  /** The charts, in delivery order: `teams` (the namespace, its quota and RoleBindings), then `shop`. */
  readonly charts: Chart[];
  /** The team that owns the namespace `shop`. */
  readonly team: PlatformTeam;
  /** The api's identity: grant AWS access to it on the cluster (`workloadIdentityGrant(cluster, apiIdentity)`). */
  readonly apiIdentity: WorkloadIdentity;
}

/** A platform stack with the charts delivered onto it (what the three-tier examples' `build` returns). */
export interface ThreeTierPlatform<S> {
  /** The platform stack. */
  readonly stack: S;
  /** The charts delivered onto its cluster (`teams`, then `shop`). */
  readonly charts: Chart[];
  /** The shop, as {@link shop} built it. */
  readonly shop: Shop;
}

/** The three tiers of the shop and the team that owns them, built for `traits`. */
export function shop(app: App, traits: ClusterTraits, options: ShopOptions): Shop {
  const host = options.host ?? 'shop.example.com';
  // the team's chart: the namespace, its quota and limits, and who may do what in it (delivered first)
  const teams = new Chart(app, 'teams');
  const team = new PlatformTeam(teams, 'shop', {
    groups: { admin: ['shop-leads'], edit: ['shop-developers'], view: ['shop-support'] },
  });
  const chart = new PlatformChart(app, 'shop', { traits, namespace: 'shop' });
  const ingress = { hosts: [host], group: options.albGroup, tls: options.tls };

  // the api's own ServiceAccount; the cluster gives it an IAM role (Pod Identity on EKS, web identity on k3s)
  const apiIdentity = new WorkloadIdentity(chart, 'api-identity', { name: 'api' });
  const api = new WebService(chart, 'api', {
    image: 'ghcr.io/acme/shop-api:1.8.2',
    identity: apiIdentity,
    ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    healthCheckPath: '/healthz',
    env: {
      DATABASE_HOST: 'postgres',
      DATABASE_NAME: 'shop',
      CARTS_TABLE: options.cartsTable,
      ...(options.awsRegion !== undefined ? { AWS_REGION: options.awsRegion } : {}),
    },
    secretEnv: { DATABASE_PASSWORD: options.databasePassword },
    autoscaling: { minReplicas: 2, maxReplicas: 8, cpuUtilization: 70 },
    internetFacing: options.internetFacing,
    ingress: { ...ingress, paths: ['/api'] },
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
    internetFacing: options.internetFacing,
    ingress: { ...ingress, paths: ['/'] },
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

  return { charts: [teams, chart], team, apiIdentity };
}
