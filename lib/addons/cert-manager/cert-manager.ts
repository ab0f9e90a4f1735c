import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { App, ApiObject, Chart } from 'cdk8s';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { addOnRole, AddOnRole, GET_CHANGE_ACKNOWLEDGEMENT } from '../private/add-on-role';
import { deliverEgressPolicy } from '../private/egress-policy';
import { NamedZone, namedZones } from '../private/hosted-zones';
import { clusterIssuer, dns01Statements, IssuerSolver, LETS_ENCRYPT_SERVERS } from './private/issuers';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { SelfManagedClusterBase } from '../../clusters/self-managed/self-managed-cluster';
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
   * Prove control of names with DNS-01 TXT records in these Route 53 hosted zones: cert-manager gets an IAM role
   * that may change `_acme-challenge` TXT records in these zones and nothing else (EKS: Pod Identity; k3s and
   * kubeadm: the cluster's `workloadIdentity`, which must be on, in a stack with a concrete `env`).
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
 * ingress-nginx; the ingress must be internet-facing) or DNS-01 through Route 53 in named hosted zones, with an
 * IAM role scoped to those zones (EKS: Pod Identity; k3s and kubeadm: the cluster's `workloadIdentity`, the
 * chart's ServiceAccount annotated with the role ARN). Installing it adds the issuers to `cluster.traits`, so
 * `Tls.letsEncrypt()` finds them. See docs/tls-dns.md.
 *
 * Runs on EKS, k3s and kubeadm. Not on an ALB for HTTP-01 (an ALB serves ACM certificates only: use `Tls.acm`),
 * not DNS-01 on a k3s or kubeadm cluster without `workloadIdentity: {}`: each is refused at synth, with what to
 * use instead.
 */
export class CertManager implements IPlatformAddOn {
  public readonly name = 'cert-manager';
  /** The Pod Identity role cert-manager uses for DNS-01 (EKS with `dns01Zones`). */
  public dns01Role?: PodIdentity;
  /** The IAM role cert-manager uses for DNS-01 on every cluster kind (EKS: Pod Identity; k3s and kubeadm: web identity). */
  public dns01IamRole?: iam.IRole;

  constructor(private readonly props: CertManagerProps = {}) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'CertManager');
    const namespace = v.dnsLabel('namespace', this.props.namespace ?? 'cert-manager');
    const le = this.props.letsEncrypt;
    const solver = le ? checkLetsEncrypt(v, cluster, le) : undefined;
    const aws = solver && 'dns01' in solver ? this.dns01Identity(cluster, v, namespace, solver.dns01) : undefined;
    const release = cluster.addHelmChart(this.name, {
      ...CERT_MANAGER_CHART,
      namespace,
      values: certManagerValues(aws?.serviceAccountAnnotations ?? {}),
    });
    if (!le || !solver) return release;
    if (aws && !aws.podIdentity) {
      deliverEgressPolicy(cluster, 'cert-manager-egress', namespace, { 'app.kubernetes.io/name': 'cert-manager', 'app.kubernetes.io/component': 'controller' });
    }
    const region = Stack.of(cluster).region;
    const issuers = [
      clusterIssuer(LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_SERVERS.production, le.email, solver, region),
      clusterIssuer(LETS_ENCRYPT_STAGING_ISSUER, LETS_ENCRYPT_SERVERS.staging, le.email, solver, region),
    ];
    const ready = this.deliverIssuers(cluster, issuers, release, aws?.dependsOn ?? []);
    const dnsZones = 'dns01' in solver ? solver.dns01.map(z => z.zoneName) : undefined;
    cluster.traits.addAbilities({ certificateIssuers: [LETS_ENCRYPT_PRODUCTION_ISSUER, LETS_ENCRYPT_STAGING_ISSUER].map(name => ({ name, dnsZones })) });
    return ready;
  }

  /** The DNS-01 role: TXT records in the named zones only, on EKS (Pod Identity) or on k3s and kubeadm (workloadIdentity). */
  private dns01Identity(cluster: IPlatformCluster, v: PropValidator, namespace: string, zones: NamedZone[]): AddOnRole {
    const scope = new Construct(cluster, 'CertManager');
    const aws = addOnRole(scope, 'Dns01Identity', v, cluster, {
      purpose: 'cert-manager to write the DNS-01 TXT records in Route 53',
      prop: 'letsEncrypt.dns01Zones',
      value: zones.map(z => z.zoneName),
      namespace,
      serviceAccount: SERVICE_ACCOUNT,
      statements: dns01Statements(scope, zones),
      acknowledgements: [GET_CHANGE_ACKNOWLEDGEMENT],
    });
    this.dns01Role = aws.podIdentity;
    this.dns01IamRole = aws.role;
    return aws;
  }

  /** EKS: a manifest after the release (and the DNS-01 identity). k3s: a delivery; its sync retries until the CRDs exist. */
  private deliverIssuers(cluster: IPlatformCluster, issuers: Record<string, unknown>[], release: IDependable, identity: IDependable[]): IDependable {
    if (cluster instanceof EksPlatformCluster) {
      const scope = cluster.node.tryFindChild('CertManager') as Construct | undefined ?? new Construct(cluster, 'CertManager');
      const manifest = new eks.KubernetesManifest(scope, 'Issuers', { cluster: cluster.cluster, manifest: issuers, overwrite: true, removalPolicy: RemovalPolicy.DESTROY });
      manifest.node.addDependency(release, ...identity);
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
    + 'Expose it with ingress: IngressExposure.internetFacing(), or use dns01Zones (on k3s and kubeadm with the cluster\'s workloadIdentity: {}).');
  return cluster.traits.ingressClassName;
}

/** Whether the cluster's ingress controller is reachable from the internet (k3s and kubeadm: their ingress NLB's scheme). */
function publicIngress(cluster: IPlatformCluster): boolean {
  if (!(cluster instanceof SelfManagedClusterBase)) return true; // a cluster of another kind: its owner knows
  const nlb = cluster.ingressLoadBalancer?.node.defaultChild as elbv2.CfnLoadBalancer | undefined;
  return nlb?.scheme === 'internet-facing';
}

/** Every pod of the chart under Pod Security restricted, with requests and limits. */
function certManagerValues(annotations: Record<string, string>): Record<string, unknown> {
  const pod = { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
  const container = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  const resources = (memory: string) => ({ requests: { cpu: '10m', memory }, limits: { memory } });
  const component = (memory: string) => ({ securityContext: pod, containerSecurityContext: container, resources: resources(memory) });
  return {
    crds: { enabled: true, keep: true },
    serviceAccount: { create: true, name: SERVICE_ACCOUNT, ...(Object.keys(annotations).length ? { annotations } : {}) },
    ...component('256Mi'),
    webhook: component('64Mi'),
    cainjector: component('256Mi'),
    startupapicheck: component('64Mi'),
  };
}
