/**
 * The three-tier shop on a three-node k3s cluster (Traefik ingress behind an internet-facing NLB, encrypted gp3
 * EBS volumes backed up daily), with workload identity on (a public service-account issuer, an IAM OIDC provider and the pod
 * identity webhook: docs/self-managed.md):
 *
 * - **identity**: the api runs as its own workload identity, an IAM role that only its ServiceAccount's
 *   tokens can assume (`sts:AssumeRoleWithWebIdentity`), and that may read and write the carts table;
 * - **team**: the namespace `shop` belongs to the team `shop`; people get its groups (`shop-developers`...)
 *   from client certificates signed by the cluster CA or from OIDC (docs/teams.md): IAM cannot sign in to k3s;
 * - **TLS**: cert-manager gets a Let's Encrypt certificate for the host (HTTP-01 through Traefik), and Traefik
 *   redirects HTTP to HTTPS;
 * - **DNS**: external-dns, with a web-identity role of its own that may change records in the hosted zone only,
 *   writes `shop.<zoneName>` as an alias of the ingress load balancer (the cluster makes Traefik publish the
 *   load balancer's DNS name in every Ingress status, docs/tls-dns.md), and leaves alone the records it does
 *   not own;
 * - **secrets**: the database password is read from AWS Secrets Manager by the External Secrets Operator
 *   (its own web-identity role) through the namespace's own store, which reads only secrets named
 *   `shop/shop/...` (cluster `shop`, namespace `shop`).
 *
 * The database's volume is an EBS gp3 volume (the platform stack's default `ebsCsi` add-on, retained, backed
 * up by `volumeBackup`): it outlives the node that runs it.
 *
 * Before deploying, create the secret
 * (`aws secretsmanager create-secret --name shop/shop/postgres --secret-string '{"password":"..."}'`) and give
 * your zone and an address for Let's Encrypt (three-tier/settings.ts):
 *
 *   npx cdk --app "node --import tsx examples/three-tier-k3s/app.ts" \
 *     -c zoneName=acme.com -c hostedZoneId=Z0... -c letsEncryptEmail=ops@acme.com deploy shop-k3s
 */
import { App } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { App as Cdk8sApp } from 'cdk8s';
import { CertManager, ExternalDns, IngressExposure, SecretRef, SelfManagedPlatformStack, Tls, workloadIdentityGrant } from '../../lib';
import { VerticalPodAutoscalerAddOn } from '../../lib/addons/vpa';
import { cartsTable, cartsTableName } from '../three-tier/carts-table';
import { exampleContext, shopSettings } from '../three-tier/settings';
import { shop, ThreeTierPlatform } from '../three-tier/shop';

/** Adds the `shop-k3s` stack to `app`. */
export function build(app: App): ThreeTierPlatform<SelfManagedPlatformStack> {
  const settings = shopSettings(app);
  const stack = new SelfManagedPlatformStack(app, 'shop-k3s', {
    platformName: 'shop',
    env: settings.env, // the identities' role ARNs go into manifests: account and region must be known
    cluster: {
      ingress: IngressExposure.internetFacing(), // HTTP-01: Let's Encrypt must reach Traefik
      workloadIdentity: { externalSecrets: {} }, // the api, external-dns and External Secrets get AWS roles
    },
    addOns: [
      // the Vertical Pod Autoscaler makes the database's right-sizing recommendations
      new VerticalPodAutoscalerAddOn(),
      new CertManager({ letsEncrypt: { email: settings.letsEncryptEmail } }),
    ],
  });

  // records for the Ingress hosts, in this zone only (named, not looked up); install it before building the
  // charts: it adds the zone to the cluster's traits, so a host outside it is refused at synth
  const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { zoneName: settings.zoneName, hostedZoneId: settings.hostedZoneId });
  // (the records are aliases of the ingress load balancer: Traefik publishes its DNS name in each Ingress status).
  // A stack deployed from an earlier version of this example made the record with a CloudFormation ARecord: its
  // update deletes that record, and the name does not resolve until external-dns's next sync creates its own
  // (resolvers may cache the miss up to the zone's negative-caching TTL: docs/tls-dns.md)
  new ExternalDns({ hostedZones: [zone] }).install(stack.cluster);

  const carts = cartsTable(stack);
  const theShop = shop(new Cdk8sApp(), stack.cluster.traits, {
    // the namespace `shop` of cluster `shop` reads only the secrets named `shop/shop/...`
    databasePassword: SecretRef.fromAwsSecretsManager({ remoteName: 'shop/shop/postgres', property: 'password' }),
    cartsTable: cartsTableName(stack),
    host: settings.host,
    tls: Tls.letsEncrypt(), // letsencrypt-production
  });
  stack.addTeam(theShop.team);
  stack.cluster.addWorkloads('shop', theShop.charts);
  carts.grantReadWriteData(workloadIdentityGrant(stack.cluster, theShop.apiIdentity));
  return { stack, charts: theShop.charts, shop: theShop };
}

if (require.main === module) {
  const app = new App({ context: exampleContext() });
  build(app);
  app.synth();
}
