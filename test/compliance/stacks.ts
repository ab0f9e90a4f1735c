/**
 * Every kind of stack the library produces, for the compliance checks (cdk-nag packs, AWS guard rules and
 * CloudFormation's own validation), and the table of acknowledgements each check writes into
 * docs/security.md.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { IConstruct } from 'constructs';
import * as threeTierK3s from '../../examples/three-tier-k3s/app';
import { CertManager, ExternalDns, KarpenterAddOn, VolumeBackupAddOn } from '../../lib/addons';
import { ClusterCapacity, ClusterEndpointAccess } from '../../lib/clusters/eks';
import { SelfManagedPlatformStack, SelfManagedDistribution } from '../../lib/platform';
import { EksPlatformStack } from '../../lib/platform/eks-platform-stack';
import { webChart } from '../robustness/support';

/** A stack kind: a label for reports and docs, and how to build it in an app. */
export interface StackVariant { readonly label: string; readonly build: (app: App) => Stack }

export const STACK_VARIANTS: StackVariant[] = [
  {
    label: 'EKS (defaults: private endpoint, managed node groups; workloads)',
    build: app => {
      const s = new EksPlatformStack(app, 'eks', { platformName: 'acme' });
      s.cluster.addWorkloads('apps', [webChart(s.cluster.traits, { secrets: true })]);
      return s;
    },
  },
  {
    label: 'EKS (public endpoint for 203.0.113.0/24, spot group)',
    build: app => new EksPlatformStack(app, 'eks-public', {
      platformName: 'eks-public',
      endpointAccess: ClusterEndpointAccess.publicAndPrivate('203.0.113.0/24'),
      capacity: ClusterCapacity.managedNodeGroups({ spot: {} }),
    }),
  },
  { label: 'EKS Auto Mode', build: app => new EksPlatformStack(app, 'eks-auto', { platformName: 'eks-auto', capacity: ClusterCapacity.autoMode() }) },
  {
    label: 'EKS with add-ons (Karpenter, cert-manager DNS-01, external-dns, volume backups)',
    build: app => {
      const s = new EksPlatformStack(app, 'eks-addons', {
        platformName: 'eks-addons',
        capacity: ClusterCapacity.managedNodeGroups({ clusterAutoscaler: false }),
        addOns: [new KarpenterAddOn(), new VolumeBackupAddOn()],
      });
      const zone = route53.HostedZone.fromHostedZoneAttributes(s, 'Zone', { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
      new CertManager({ letsEncrypt: { email: 'ops@example.com', dns01Zones: [zone] } }).install(s.cluster);
      new ExternalDns({ hostedZones: [zone] }).install(s.cluster);
      return s;
    },
  },
  {
    label: 'k3s (1 server + 2 agents, workloads)',
    build: app => {
      const s = new SelfManagedPlatformStack(app, 'k3s', { platformName: 'k3s' });
      s.cluster.addWorkloads('shop', [webChart(s.cluster.traits)]);
      return s;
    },
  },
  {
    label: 'k3s (3 servers, HA)',
    build: app => new SelfManagedPlatformStack(app, 'k3s-ha', { platformName: 'k3s-ha', distribution: SelfManagedDistribution.k3s({ highAvailability: true }) }),
  },
  {
    label: 'k3s with workload identity (the three-tier example: External Secrets, cert-manager, external-dns, a team)',
    // the example's own account and region (its settings' defaults); no AZ lookup: CDK's placeholder zones
    build: app => threeTierK3s.build(app).stack,
  },
  {
    label: 'kubeadm',
    build: app => {
      const s = new SelfManagedPlatformStack(app, 'kubeadm', { platformName: 'kubeadm', distribution: SelfManagedDistribution.kubeadm() });
      s.cluster.addWorkloads('shop', [webChart(s.cluster.traits)]);
      return s;
    },
  },
];

/** One acknowledgement recorded with `Validations.of(scope).acknowledge()` (or the library's `acknowledge`). */
export interface Acknowledgement { readonly id: string; readonly reason: string; readonly path: string }

/** Acknowledgements below `scope` whose rule id starts with `prefix`. */
export function acknowledgementsOf(scope: IConstruct, prefix: string): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  for (const c of [scope, ...scope.node.findAll()]) {
    for (const m of c.node.metadata) {
      if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [raw, reason] of Object.entries(m.data as Record<string, string>)) {
        const id = raw.replace(/^annotation::/i, '');
        if (id.startsWith(prefix)) out.push({ id, reason, path: c.node.path });
      }
    }
  }
  return out;
}

/** Stable finding ids for the docs: logical-ID hashes and CloudFormation conditions shortened. */
function docId(id: string): string {
  return id
    .replace(/Policy::\{"Fn::If".*AmazonElasticContainerRegistryPublicReadOnly.*\]/, 'Policy::(if in the aws partition) AmazonElasticContainerRegistryPublicReadOnly]')
    .replace(/<([A-Za-z0-9]+?)[0-9A-F]{8}(\.[A-Za-z]+)?>/g, '<$1…$2>')
    .replace(/arn:<AWS::Partition>:iam::aws:policy\//, '');
}

const DOC = path.join(__dirname, '..', '..', 'docs', 'security.md');

/**
 * Checks (or, with UPDATE_DOCS=1, rewrites) the table of acknowledgements between the `marker` comments of
 * docs/security.md: one row per finding and reason, with the stacks it applies to.
 */
export function checkAcknowledgementTable(marker: string, test: string, byStack: Array<{ label: string; acks: Acknowledgement[] }>): void {
  const begin = `<!-- BEGIN ${marker}: generated by ${test} (UPDATE_DOCS=1 npx jest ${test.replace(/\.test\.ts$/, '')}) -->`;
  const end = `<!-- END ${marker} -->`;
  const rows = new Map<string, { id: string; reason: string; stacks: Set<string> }>();
  for (const s of byStack) {
    for (const a of s.acks) {
      const id = docId(a.id);
      const row = rows.get(`${id}\n${a.reason}`) ?? { id, reason: a.reason, stacks: new Set<string>() };
      row.stacks.add(s.label);
      rows.set(`${id}\n${a.reason}`, row);
    }
  }
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const table = ['| Finding | Reason | Stacks |', '| --- | --- | --- |',
    ...[...rows.values()].sort((a, b) => a.id.localeCompare(b.id) || a.reason.localeCompare(b.reason))
      .map(r => `| \`${esc(r.id)}\` | ${esc(r.reason)} | ${[...r.stacks].join('; ')} |`)].join('\n');
  const doc = fs.readFileSync(DOC, 'utf8');
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`docs/security.md lacks the markers ${begin} ... ${end}`);
  const updated = `${doc.slice(0, start)}${begin}\n\n${table}\n\n${end}${doc.slice(stop + end.length)}`;
  if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(DOC, updated);
  else if (updated !== doc) throw new Error(`docs/security.md is out of date with the ${marker}: run \`UPDATE_DOCS=1 npx jest ${test.replace(/\.test\.ts$/, '')}\` and commit it.`);
}
