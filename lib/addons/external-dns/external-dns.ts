import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct, IDependable } from 'constructs';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { SelfManagedClusterBase } from '../../clusters/self-managed/self-managed-cluster';
import { checkMember } from '../../workloads/private/fixed-set';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';
import { addOnRole, GET_CHANGE_ACKNOWLEDGEMENT } from '../private/add-on-role';
import { deliverEgressPolicy } from '../private/egress-policy';
import { getChangeStatement, NamedZone, namedZones } from '../private/hosted-zones';

/** external-dns's official chart (kubernetes-sigs), pinned. */
export const EXTERNAL_DNS_CHART = {
  repository: 'https://kubernetes-sigs.github.io/external-dns/',
  chart: 'external-dns',
  /** Chart 1.21.1 (tag external-dns-helm-chart-1.21.1) installs external-dns v0.21.0. */
  version: '1.21.1',
  appVersion: 'v0.21.0',
} as const;

/** What external-dns may do to records. A string enum; the value is its `--policy`. */
export enum DnsRecordPolicy {
  /** Create and update records, never delete one (the default: a bad deploy cannot take names down). */
  UPSERT_ONLY = 'upsert-only',
  /** Create, update and delete the records it owns (TXT ownership by cluster name): a removed host loses its record. */
  SYNC = 'sync',
  /**
   * Only create records; never change one. Refused on k3s and kubeadm, where Traefik publishes the ingress load
   * balancer only after the servers boot, so the first records must be updated.
   */
  CREATE_ONLY = 'create-only',
}

/** Props of the {@link ExternalDns} add-on. */
export interface ExternalDnsProps {
  /**
   * The Route 53 hosted zones whose records external-dns manages (`--domain-filter` and `--zone-id-filter`; its
   * IAM role may change records in these zones only). Ingress hosts outside every one are refused at synth.
   */
  readonly hostedZones: route53.IHostedZone[];
  /**
   * What external-dns may do to records. `CREATE_ONLY` is refused on k3s and kubeadm (see {@link DnsRecordPolicy.CREATE_ONLY}).
   * @default DnsRecordPolicy.UPSERT_ONLY
   */
  readonly policy?: DnsRecordPolicy;
  /**
   * The namespace of external-dns (created, Pod Security restricted).
   * @default 'external-dns'
   */
  readonly namespace?: string;
}

const SERVICE_ACCOUNT = 'external-dns';

/**
 * external-dns (the kubernetes-sigs chart, pinned) with Route 53: every Ingress host (and every Service
 * annotated with `external-dns.alpha.kubernetes.io/hostname`) gets its record in the named hosted zones, with
 * a TXT ownership record naming the cluster (`--txt-owner-id`), so it never touches records another cluster or
 * a person made. By default it never deletes a record (`upsert-only`). Restricted pods, with an IAM role that may
 * change records in the named zones only: on EKS through EKS Pod Identity; on k3s and kubeadm the web-identity
 * role of its ServiceAccount through the cluster's `workloadIdentity` (the chart's ServiceAccount carries the
 * role ARN, the pod identity webhook gives its pods the credentials). See docs/tls-dns.md.
 *
 * Installing it adds the zones to `cluster.traits.dnsZones`: an Ingress host outside them is refused.
 * Refused on a k3s or kubeadm cluster without `workloadIdentity: {}` or without an ingress load balancer
 * (`IngressExposure.none()`), and in an environment-agnostic stack there (the role ARN is written into the chart's
 * values, so the stack's `env` must be concrete). There, Traefik publishes the ingress load balancer's DNS name in
 * every Ingress status, so the records are aliases of the load balancer, as of the ALB on EKS.
 */
export class ExternalDns implements IPlatformAddOn {
  public readonly name = 'external-dns';
  /** The Pod Identity role of external-dns, once installed on EKS. */
  public identity?: PodIdentity;
  /** The IAM role of external-dns once installed: EKS Pod Identity, or on k3s and kubeadm its ServiceAccount's web-identity role. */
  public role?: iam.IRole;

  constructor(private readonly props: ExternalDnsProps) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'ExternalDns');
    const p = this.props ?? ({} as ExternalDnsProps);
    const namespace = v.dnsLabel('namespace', p.namespace ?? 'external-dns');
    const policy = checkMember(v, 'policy', p.policy, 'DnsRecordPolicy', DnsRecordPolicy, DnsRecordPolicy.UPSERT_ONLY);
    const zones = namedZones(v, 'hostedZones', p.hostedZones);
    checkIngressAddress(v, cluster);
    checkSelfManagedPolicy(v, cluster, policy);
    const scope = new Construct(cluster, 'ExternalDns');
    const aws = addOnRole(scope, 'Identity', v, cluster, {
      purpose: 'external-dns to change Route 53 records',
      prop: 'install(cluster)',
      namespace,
      serviceAccount: SERVICE_ACCOUNT,
      statements: externalDnsStatements(scope, zones),
      acknowledgements: [{
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'route53:ListHostedZones has no resource-level permission; external-dns lists zones, then works in the named ones only (--zone-id-filter).',
      }, GET_CHANGE_ACKNOWLEDGEMENT],
    });
    this.identity = aws.podIdentity;
    this.role = aws.role;
    const release = cluster.addHelmChart(this.name, {
      ...EXTERNAL_DNS_CHART,
      namespace,
      values: externalDnsValues(cluster.clusterName, zones, policy, Stack.of(cluster).region, aws.serviceAccountAnnotations),
      dependsOn: aws.dependsOn,
    });
    if (!aws.podIdentity) deliverEgressPolicy(cluster, 'external-dns-egress', namespace, { 'app.kubernetes.io/name': 'external-dns' });
    cluster.traits.addAbilities({ dnsZones: zones.map(z => z.zoneName) });
    return release;
  }
}

/**
 * k3s and kubeadm: records point at the address Traefik publishes in each Ingress status, the ingress load
 * balancer's DNS name. A cluster without one (`IngressExposure.none()`) keeps ports 80/443 closed on its nodes,
 * so every record would point at an address nobody can reach.
 */
function checkIngressAddress(v: PropValidator, cluster: IPlatformCluster): void {
  if (!(cluster instanceof SelfManagedClusterBase) || cluster.ingressLoadBalancer) return;
  v.fail('install(cluster)', `${cluster.node.path} (${cluster.distribution})`,
    `has no ingress load balancer (ingress: IngressExposure.none()), so the Ingresses of cluster ${cluster.clusterName} have no address anyone can reach `
    + 'and external-dns would write records that lead nowhere. Expose the ingress with IngressExposure.internal() or IngressExposure.internetFacing() '
    + '(SelfManagedPlatformStack: cluster: { ingress: ... }), or do not install ExternalDns.');
}

/**
 * k3s and kubeadm: Traefik publishes the ingress load balancer only once the cluster's ingress-endpoint
 * association ran; before that k3s's Traefik reports the nodes' private addresses (its ServiceLB), so external-dns
 * makes records of them first and must then update them to the alias. `create-only` forbids that update: the public
 * records would keep private addresses for good (and never follow a replaced load balancer either).
 */
function checkSelfManagedPolicy(v: PropValidator, cluster: IPlatformCluster, policy: DnsRecordPolicy): void {
  if (!(cluster instanceof SelfManagedClusterBase) || policy !== DnsRecordPolicy.CREATE_ONLY) return;
  v.fail('policy', 'DnsRecordPolicy.CREATE_ONLY',
    `cannot be used on ${cluster.distribution} cluster ${cluster.clusterName}: until Traefik publishes the ingress load balancer `
    + '(set by an association after the servers boot) its Ingress status lists other addresses, and create-only would never update the records '
    + 'made from them to the load balancer. Use DnsRecordPolicy.UPSERT_ONLY (the default) or DnsRecordPolicy.SYNC.');
}

/** Records in the named zones only; listing zones (no resource-level permission) and reading changes. */
function externalDnsStatements(scope: Construct, zones: NamedZone[]): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
      resources: zones.map(z => z.hostedZoneArn),
    }),
    new iam.PolicyStatement({ actions: ['route53:ListHostedZones'], resources: ['*'] }),
    getChangeStatement(scope),
  ];
}

/** The chart's values: Route 53 in the named zones, TXT ownership by cluster name, the stack's region, restricted pods. */
function externalDnsValues(clusterName: string, zones: NamedZone[], policy: DnsRecordPolicy, region: string,
  annotations: Record<string, string>): Record<string, unknown> {
  return {
    image: { tag: EXTERNAL_DNS_CHART.appVersion },
    provider: { name: 'aws' },
    // EKS Pod Identity hands out credentials, not a region: the SDK's STS calls need one (k3s, kubeadm: the webhook's too)
    env: [{ name: 'AWS_REGION', value: region }],
    serviceAccount: { create: true, name: SERVICE_ACCOUNT, ...(Object.keys(annotations).length ? { annotations } : {}) },
    sources: ['ingress', 'service'],
    policy,
    registry: 'txt',
    txtOwnerId: clusterName,
    domainFilters: zones.map(z => z.zoneName),
    extraArgs: { 'zone-id-filter': zones.map(z => z.hostedZoneId) },
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
  };
}
