import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { App, ApiObject, Chart } from 'cdk8s';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { namedZones } from './private/hosted-zones';
import { clusterIssuer, dns01Statements, IssuerSolver, LETS_ENCRYPT_SERVERS } from './private/issuers';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { SelfManagedClusterBase } from '../../clusters/self-managed/self-managed-cluster';
import { acknowledge } from '../../private/nag';
import { IngressFlavour } from '../../workloads';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/** cert-manager's chart (Jetstack's repository), pinned; the chart installs the CRDs. */
export const CERT_MANAGER_CHART = {
  repository: 'https://charts.jetstack.io',
  chart: 'cert-manager',
  /** Chart v1.21.1 installs cert-manager v1.21.1 (tag v1.21.1 of cert-manager/cert-manager). */
  version: 'v1.21.1',
} as const;

/** The ClusterIssuer of Let's Encrypt's production directory (the default of `Tls.letsEncrypt()`). */
export const LETS_ENCRYPT_PRODUCTION_ISSUER = 'letsencrypt-production';
/** The ClusterIssuer of Let's Encrypt's staging directory (untrusted certificates, generous rate limits). */
export const LETS_ENCRYPT_STAGING_ISSUER = 'letsencrypt-staging';

/** Let's Encrypt ClusterIssuers of the {@link CertManager} add-on. */
export interface LetsEncryptIssuersOptions {
  /** The ACME account's contact address: Let's Encrypt writes to it about expiring certificates and account changes. */
  readonly email: string;
  /**
   * Prove control of names with DNS-01 TXT records in these Route 53 hosted zones (EKS only: cert-manager gets
   * an EKS Pod Identity role that may change `_acme-challenge` TXT records in these zones and nothing else).
   * Allows wildcard hosts and clusters whose ingress is not public.
   * @default - HTTP-01 through the cluster's ingress controller (its ingress must be internet-facing)
   */
  readonly dns01Zones?: route53.IHostedZone[];
}

/** Props of the {@link CertManager} add-on. */
export interface CertManagerProps {
  /**
   * The namespace of cert-manager (created, Pod Security restricted).
   * @default 'cert-manager'
   */
  readonly namespace?: string;
  /**
   * ClusterIssuers for Let's Encrypt, `letsencrypt-production` and `letsencrypt-staging`, for `Tls.letsEncrypt()`.
   * @default - cert-manager only, no issuer
   */
  readonly letsEncrypt?: LetsEncryptIssuersOptions;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SERVICE_ACCOUNT = 'cert-manager';

/**
 * cert-manager (Jetstack's chart, pinned, with its CRDs), every pod under Pod Security restricted, and
 * optionally ClusterIssuers for Let's Encrypt: HTTP-01 through the cluster's ingress controller (Traefik,
 * ingress-nginx; the ingress must be internet-facing) or DNS-01 through Route 53 in named hosted zones (EKS,
 * with an EKS Pod Identity role scoped to those zones). Installing it adds the issuers to `cluster.traits`, so
 * `Tls.letsEncrypt()` finds them. See docs/tls-dns.md.
 *
 * Runs on EKS, k3s and kubeadm. Not on an ALB for HTTP-01 (an ALB serves ACM certificates only: use `Tls.acm`),
 * not DNS-01 on k3s or kubeadm (DNS-01 needs an AWS identity, which this add-on gets only on EKS): each is
 * refused at synth, with what to use instead.
 */
export class CertManager implements IPlatformAddOn {
  public readonly name = 'cert-manager';
  /** The Pod Identity role cert-manager uses for DNS-01 (EKS with `dns01Zones`). */
  public dns01Role?: PodIdentity;

  constructor(private readonly props: CertManagerProps = {}) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'CertManager');
    const namespace = v.dnsLabel('namespace', this.props.namespace ?? 'cert-manager');
    const release = cluster.addHelmChart(this.name, {
      ...CERT_MANAGER_CHART,
      namespace,
      values: certManagerValues(),
    });
    const le = this.props.letsEncrypt;
    const solver = le ? checkLetsEncrypt(v, cluster, le) : undefined;
    if (!le || !solver) return release;
    const region = Stack.of(cluster).region;
    const issuers = [
      clusterIssuer(LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_SERVERS.production, le.email, solver, region),
      clusterIssuer(LETS_ENCRYPT_STAGING_ISSUER, LETS_ENCRYPT_SERVERS.staging, le.email, solver, region),
    ];
    const ready = this.deliverIssuers(cluster, namespace, issuers, release, solver);
    const dnsZones = 'dns01' in solver ? solver.dns01.map(z => z.zoneName) : undefined;
    cluster.traits.addAbilities({ certificateIssuers: [LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_STAGING_ISSUER].map(name => ({ name, dnsZones })) });
    return ready;
  }

  /** EKS: a manifest after the release (and the DNS-01 identity). k3s: a delivery; its sync retries until the CRDs exist. */
  private deliverIssuers(cluster: IPlatformCluster, namespace: string, issuers: Record<string, unknown>[], release: IDependable,
    solver: IssuerSolver): IDependable {
    const scope = new Construct(cluster, 'CertManager');
    if (cluster instanceof EksPlatformCluster) {
      const manifest = new eks.KubernetesManifest(scope, 'Issuers', { cluster: cluster.cluster, manifest: issuers, overwrite: true, removalPolicy: RemovalPolicy.DESTROY });
      manifest.node.addDependency(release);
      if ('dns01' in solver) {
        this.dns01Role = new PodIdentity(scope, 'Dns01Identity', {
          cluster: cluster.cluster, namespace, serviceAccount: SERVICE_ACCOUNT, statements: dns01Statements(scope, solver.dns01),
        });
        acknowledge(this.dns01Role.role, {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]',
          reason: 'route53:GetChange has no finer resource than a change id, which Route 53 makes at each change; the role reads change status only.',
        });
        manifest.node.addDependency(this.dns01Role);
      }
      cluster.workloadDependencies.push(manifest);
      return new DependencyGroup(release, manifest);
    }
    const chart = new Chart(new App(), 'cert-manager-issuers');
    issuers.forEach((issuer, i) => new ApiObject(chart, `Issuer${i}`, issuer as never));
    cluster.addWorkloads('cert-manager-issuers', [chart]);
    return release;
  }
}

/** The Let's Encrypt options: an email, and a solver this cluster can serve. */
function checkLetsEncrypt(v: PropValidator, cluster: IPlatformCluster, le: LetsEncryptIssuersOptions): IssuerSolver {
  v.check(typeof le.email === 'string' && EMAIL.test(le.email), 'letsEncrypt.email', le.email,
    'is required: the address Let\'s Encrypt writes to about expiring certificates and the ACME account, e.g. "ops@example.com".');
  if (le.dns01Zones !== undefined) {
    const zones = namedZones(v, 'letsEncrypt.dns01Zones', le.dns01Zones);
    v.check(cluster.distribution === ClusterDistribution.EKS, 'letsEncrypt.dns01Zones', zones.map(z => z.zoneName),
      `needs an AWS identity for cert-manager, which this add-on gets only on EKS (Pod Identity); on cluster ${cluster.clusterName} (${cluster.distribution}) `
      + 'the nodes answer the instance metadata service to the host network only (hop limit 1), cert-manager\'s controller does not run there, '
      + 'and the cluster\'s workloadIdentity is not wired to cert-manager yet. '
      + 'Use HTTP-01 (leave dns01Zones out) with an internet-facing ingress (ingress: IngressExposure.internetFacing()), or an EKS platform for wildcard certificates.');
    return { dns01: zones };
  }
  return { http01: { ingressClassName: checkHttp01(v, cluster) } };
}

/** HTTP-01 needs an ingress controller that serves Secrets and that Let's Encrypt can reach. */
function checkHttp01(v: PropValidator, cluster: IPlatformCluster): string {
  const flavour = cluster.traits.ingressFlavour;
  if (flavour === IngressFlavour.ALB) {
    v.fail('letsEncrypt.dns01Zones', undefined, `is required on cluster ${cluster.clusterName}: its ingress is an ALB, which serves ACM certificates only, so an HTTP-01 `
      + 'certificate could never be served. Give dns01Zones (for certificates that pods serve themselves), and use Tls.acm(certificateArn) for Ingresses.');
  }
  v.check(flavour !== IngressFlavour.GATEWAY_API, 'letsEncrypt', 'HTTP-01',
    'is not offered for Gateway API clusters by this add-on: give dns01Zones, or configure a Gateway HTTP-01 solver yourself.');
  v.check(publicIngress(cluster), 'letsEncrypt', 'HTTP-01',
    `cannot work on cluster ${cluster.clusterName}: its ingress controller is not reachable from the internet, so Let's Encrypt cannot fetch the challenge. `
    + 'Expose it with ingress: IngressExposure.internetFacing(), or use dns01Zones on an EKS platform.');
  return cluster.traits.ingressClassName;
}

/** Whether the cluster's ingress controller is reachable from the internet (k3s and kubeadm: their ingress NLB's scheme). */
function publicIngress(cluster: IPlatformCluster): boolean {
  if (!(cluster instanceof SelfManagedClusterBase)) return true; // a cluster of another kind: its owner knows
  const nlb = cluster.ingressLoadBalancer?.node.defaultChild as elbv2.CfnLoadBalancer | undefined;
  return nlb?.scheme === 'internet-facing';
}

/** Every pod of the chart under Pod Security restricted, with requests and limits. */
function certManagerValues(): Record<string, unknown> {
  const pod = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  const container = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  const resources = (memory: string) => ({ requests: { cpu: '10m', memory }, limits: { memory } });
  const component = (memory: string) => ({ securityContext: pod, containerSecurityContext: container, resources: resources(memory) });
  return {
    crds: { enabled: true, keep: true },
    serviceAccount: { create: true, name: SERVICE_ACCOUNT },
    ...component('256Mi'),
    webhook: component('64Mi'),
    cainjector: component('256Mi'),
    startupapicheck: component('64Mi'),
  };
}
