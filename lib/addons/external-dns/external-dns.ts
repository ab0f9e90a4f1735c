import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct, IDependable } from 'constructs';
import { ClusterDistribution } from '../../clusters/cluster-distribution';
import { EksPlatformCluster } from '../../clusters/eks/eks-platform-cluster';
import { PodIdentity } from '../../clusters/eks/private/pod-identity';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { acknowledge } from '../../private/nag';
import { checkMember } from '../../workloads/private/fixed-set';
import { PropValidator } from '../../workloads/private/validate';
import { getChangeStatement, NamedZone, namedZones } from '../cert-manager/private/hosted-zones';
import { IPlatformAddOn } from '../platform-add-on';

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
  /** Only create records; never change one. */
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
   * What external-dns may do to records.
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
 * a person made. By default it never deletes a record (`upsert-only`). Restricted pods; on EKS an EKS Pod
 * Identity role that may change records in the named zones only. See docs/tls-dns.md.
 *
 * Installing it adds the zones to `cluster.traits.dnsZones`: an Ingress host outside them is refused.
 * EKS only for now: on k3s and kubeadm this add-on has no AWS identity to give its pods (the instance metadata
 * service answers the host network only, the chart does not run there, and the cluster's `workloadIdentity` is
 * not wired to external-dns yet); both are refused.
 */
export class ExternalDns implements IPlatformAddOn {
  public readonly name = 'external-dns';
  /** The Pod Identity role of external-dns, once installed on EKS. */
  public identity?: PodIdentity;

  constructor(private readonly props: ExternalDnsProps) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'ExternalDns');
    const p = this.props ?? ({} as ExternalDnsProps);
    const namespace = v.dnsLabel('namespace', p.namespace ?? 'external-dns');
    const policy = checkMember(v, 'policy', p.policy, 'DnsRecordPolicy', DnsRecordPolicy, DnsRecordPolicy.UPSERT_ONLY);
    const zones = namedZones(v, 'hostedZones', p.hostedZones);
    if (!(cluster instanceof EksPlatformCluster)) {
      const selfManaged = cluster.distribution === ClusterDistribution.K3S || cluster.distribution === ClusterDistribution.KUBEADM;
      v.fail('install(cluster)', `${cluster.node.path} (${cluster.distribution})`, selfManaged
        ? `cannot run external-dns yet: its pods need an AWS identity to change Route 53 records, and on ${cluster.distribution} this add-on gives them none `
          + '(the instance metadata service answers the host network only, hop limit 1, the chart cannot run there, and the cluster\'s workloadIdentity '
          + 'is not wired to external-dns yet). Create the records with Route 53 in CDK (an alias to the ingress load balancer: route53.ARecord with '
          + 'targets.LoadBalancerTarget).'
        : 'cannot run external-dns: it needs an EKS platform cluster (Pod Identity for its AWS role).');
    }
    const scope = new Construct(cluster, 'ExternalDns');
    this.identity = new PodIdentity(scope, 'Identity', {
      cluster: (cluster as EksPlatformCluster).cluster, namespace, serviceAccount: SERVICE_ACCOUNT, statements: externalDnsStatements(scope, zones),
    });
    acknowledge(this.identity.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'route53:ListHostedZones has no resource-level permission; external-dns lists zones, then works in the named ones only (--zone-id-filter).',
    }, {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:route53:::change/*]',
      reason: 'route53:GetChange has no finer resource than a change id, which Route 53 makes at each change; the role reads change status only.',
    });
    const release = cluster.addHelmChart(this.name, {
      ...EXTERNAL_DNS_CHART,
      namespace,
      values: externalDnsValues(cluster.clusterName, zones, policy, Stack.of(cluster).region),
      dependsOn: [this.identity],
    });
    cluster.traits.addAbilities({ dnsZones: zones.map(z => z.zoneName) });
    return release;
  }
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
function externalDnsValues(clusterName: string, zones: NamedZone[], policy: DnsRecordPolicy, region: string): Record<string, unknown> {
  return {
    image: { tag: EXTERNAL_DNS_CHART.appVersion },
    provider: { name: 'aws' },
    // EKS Pod Identity hands out credentials, not a region: the SDK's STS calls need one
    env: [{ name: 'AWS_REGION', value: region }],
    serviceAccount: { create: true, name: SERVICE_ACCOUNT },
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
