import { Duration, Size } from 'aws-cdk-lib';
import { instanceTypeTable, InstanceTypeFacts } from './private/instance-types';
import { PropValidator } from '../../workloads/private/validate';

/** Spot or on-demand capacity; a NodePool that allows both gets spot when EC2 has it, on-demand otherwise. */
export enum KarpenterCapacityType {
  /** Spare EC2 capacity, up to about 70% cheaper, interruptible with two minutes' notice. */
  SPOT = 'spot',
  /** On-demand instances. */
  ON_DEMAND = 'on-demand',
}

/** The CPU architecture of a NodePool's nodes (the AL2023 AMI alias resolves per architecture). */
export enum KarpenterArchitecture {
  /** x86_64. */
  AMD64 = 'amd64',
  /** Graviton (images must be multi-arch). */
  ARM64 = 'arm64',
}

/** What Karpenter may consolidate. */
export enum KarpenterConsolidationPolicy {
  /** Only nodes without workload pods. */
  WHEN_EMPTY = 'WhenEmpty',
  /** Also nodes whose pods fit elsewhere or on a cheaper node (the default). */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
}

/** An operator of a node requirement. */
export enum KarpenterRequirementOperator {
  IN = 'In',
  NOT_IN = 'NotIn',
  EXISTS = 'Exists',
  DOES_NOT_EXIST = 'DoesNotExist',
  GT = 'Gt',
  LT = 'Lt',
}

/** One node requirement of a NodePool (Karpenter's `spec.template.spec.requirements[]`). */
export interface KarpenterRequirement {
  /** A well-known label (`karpenter.k8s.aws/instance-family`, `topology.kubernetes.io/zone`, ...) or your own. */
  readonly key: string;
  /** The operator. */
  readonly operator: KarpenterRequirementOperator;
  /**
   * The values: at least one for In and NotIn, exactly one integer for Gt and Lt, none for Exists and DoesNotExist.
   * @default - none
   */
  readonly values?: string[];
  /**
   * How many different values Karpenter must be able to choose from (spot flexibility).
   * @default - no minimum
   */
  readonly minValues?: number;
}

/** One Karpenter NodePool. */
export interface KarpenterNodePoolOptions {
  /** The NodePool's name (a DNS-1123 label). */
  readonly name: string;
  /**
   * Capacity types the nodes may have.
   * @default [KarpenterCapacityType.SPOT, KarpenterCapacityType.ON_DEMAND] (spot first, on-demand when spot is short)
   */
  readonly capacityTypes?: KarpenterCapacityType[];
  /**
   * CPU architectures.
   * @default [KarpenterArchitecture.AMD64]
   */
  readonly architectures?: KarpenterArchitecture[];
  /**
   * Instance categories (`c`, `m`, `r`, ...).
   * @default ['c', 'm', 'r']
   */
  readonly instanceCategories?: string[];
  /**
   * Instance families (`m7i`, `c7g`, ...): only these.
   * @default - every family of the categories
   */
  readonly instanceFamilies?: string[];
  /**
   * The oldest instance generation.
   * @default 6
   */
  readonly minGeneration?: number;
  /**
   * More requirements, added to those above.
   * @default - none
   */
  readonly requirements?: KarpenterRequirement[];
  /**
   * The most vCPUs all nodes of the pool may have together.
   * @default 64
   */
  readonly cpuLimit?: number;
  /**
   * The most memory all nodes of the pool may have together.
   * @default Size.gibibytes(256)
   */
  readonly memoryLimit?: Size;
  /**
   * What Karpenter may consolidate.
   * @default KarpenterConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED
   */
  readonly consolidationPolicy?: KarpenterConsolidationPolicy;
  /**
   * How long a node must be consolidatable before Karpenter acts.
   * @default Duration.minutes(1)
   */
  readonly consolidateAfter?: Duration;
  /**
   * The share of the pool's nodes (percent) that voluntary disruption (consolidation, drift, expiry) may take
   * down at once; pod disruption budgets are honoured on top.
   * @default 10
   */
  readonly disruptionBudgetPercent?: number;
  /**
   * Replace nodes older than this (a new AMI, kernel and kubelet at least this often).
   * @default Duration.days(30)
   */
  readonly expireAfter?: Duration;
  /**
   * Priority among pools (1-100, higher first).
   * @default - no weight
   */
  readonly weight?: number;
  /**
   * Labels of the nodes.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** The well-known keys the table knows, and the values other well-known keys may take. */
const TABLE_KEYS: readonly string[] = [
  'node.kubernetes.io/instance-type', 'karpenter.k8s.aws/instance-family', 'karpenter.k8s.aws/instance-category',
  'karpenter.k8s.aws/instance-generation', 'karpenter.k8s.aws/instance-size', 'karpenter.k8s.aws/instance-cpu', 'kubernetes.io/arch',
];
const FIXED_VALUES: Readonly<Record<string, readonly string[]>> = {
  'karpenter.sh/capacity-type': ['spot', 'on-demand', 'reserved'],
  'kubernetes.io/os': ['linux'],
};
const FREE_KEYS = ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'karpenter.k8s.aws/instance-hypervisor',
  'karpenter.k8s.aws/instance-memory', 'karpenter.k8s.aws/instance-network-bandwidth', 'karpenter.k8s.aws/instance-local-nvme',
  'karpenter.k8s.aws/instance-gpu-count', 'karpenter.k8s.aws/instance-gpu-manufacturer', 'karpenter.k8s.aws/instance-gpu-name'];
const RESERVED_DOMAINS = /^(karpenter\.sh|karpenter\.k8s\.aws|kubernetes\.io|k8s\.io|node\.kubernetes\.io|topology\.kubernetes\.io)\//;
const INTEGER_KEYS = ['karpenter.k8s.aws/instance-generation', 'karpenter.k8s.aws/instance-cpu', 'karpenter.k8s.aws/instance-memory', 'karpenter.k8s.aws/instance-gpu-count'];

/** Every requirement of a pool: the typed options, then the extra ones. */
export function nodePoolRequirements(o: KarpenterNodePoolOptions): KarpenterRequirement[] {
  const req = (key: string, operator: KarpenterRequirementOperator, values: string[]): KarpenterRequirement => ({ key, operator, values });
  const In = KarpenterRequirementOperator.IN;
  return [
    req('karpenter.sh/capacity-type', In, o.capacityTypes ?? [KarpenterCapacityType.SPOT, KarpenterCapacityType.ON_DEMAND]),
    req('kubernetes.io/arch', In, o.architectures ?? [KarpenterArchitecture.AMD64]),
    req('kubernetes.io/os', In, ['linux']),
    req('karpenter.k8s.aws/instance-category', In, o.instanceCategories ?? ['c', 'm', 'r']),
    ...(o.instanceFamilies ? [req('karpenter.k8s.aws/instance-family', In, o.instanceFamilies)] : []),
    req('karpenter.k8s.aws/instance-generation', KarpenterRequirementOperator.GT, [String((o.minGeneration ?? 6) - 1)]),
    ...(o.requirements ?? []),
  ];
}

/** Checks one pool's options and requirements (the fields this library emits, against Karpenter v1's CRD schema). */
export function validateNodePool(v: PropValidator, prop: string, o: KarpenterNodePoolOptions): void {
  v.dnsLabel(`${prop}.name`, o.name);
  v.integer(`${prop}.minGeneration`, o.minGeneration ?? 6, 1, 9);
  v.integer(`${prop}.cpuLimit`, o.cpuLimit ?? 64, 1, 100_000);
  if (o.memoryLimit) v.integer(`${prop}.memoryLimit`, o.memoryLimit.toGibibytes(), 1, 1_000_000, 'GiB');
  v.percent(`${prop}.disruptionBudgetPercent`, o.disruptionBudgetPercent ?? 10, 0);
  if (o.weight !== undefined) v.integer(`${prop}.weight`, o.weight, 1, 100);
  for (const [key, d] of [['consolidateAfter', o.consolidateAfter], ['expireAfter', o.expireAfter]] as const) {
    if (d) v.check(d.toSeconds() >= 1, `${prop}.${key}`, d.toHumanString(), 'must be at least one second.');
  }
  for (const [key, list] of [['capacityTypes', o.capacityTypes], ['architectures', o.architectures], ['instanceCategories', o.instanceCategories], ['instanceFamilies', o.instanceFamilies]] as const) {
    if (list !== undefined) v.nonEmpty(`${prop}.${key}`, list as string[]);
  }
  (o.capacityTypes ?? []).forEach((c, i) => v.check(Object.values(KarpenterCapacityType).includes(c), `${prop}.capacityTypes[${i}]`, c,
    'must be KarpenterCapacityType.SPOT ("spot") or KarpenterCapacityType.ON_DEMAND ("on-demand").'));
  (o.architectures ?? []).forEach((a, i) => v.check(Object.values(KarpenterArchitecture).includes(a), `${prop}.architectures[${i}]`, a,
    'must be KarpenterArchitecture.AMD64 ("amd64") or KarpenterArchitecture.ARM64 ("arm64").'));
  (o.requirements ?? []).forEach((r, i) => validateRequirement(v, `${prop}.requirements[${i}]`, r));
  const matching = matchingInstanceTypes(nodePoolRequirements(o));
  if (matching.length === 0) {
    v.fail(prop, describe(o), 'its requirements match no EC2 instance type (checked against every family of aws-cdk-lib\'s ec2.InstanceClass in the '
      + 'common sizes): check that the families belong to the categories, have the architecture and are at least minGeneration, and loosen the requirements.');
  }
}

function validateRequirement(v: PropValidator, prop: string, r: KarpenterRequirement): void {
  const key = r.key;
  v.labelKey(`${prop}.key`, key);
  const known = TABLE_KEYS.includes(key) || key in FIXED_VALUES || FREE_KEYS.includes(key);
  v.check(known || !RESERVED_DOMAINS.test(key), `${prop}.key`, key,
    `is not a label Karpenter knows in a reserved domain: use a well-known one (${[...TABLE_KEYS, ...Object.keys(FIXED_VALUES)].join(', ')}, ...) or a label of your own domain.`);
  v.check(Object.values(KarpenterRequirementOperator).includes(r.operator), `${prop}.operator`, r.operator,
    'must be one of In, NotIn, Exists, DoesNotExist, Gt, Lt (KarpenterRequirementOperator).');
  const values = r.values ?? [];
  const op = r.operator;
  if (op === KarpenterRequirementOperator.IN || op === KarpenterRequirementOperator.NOT_IN) {
    v.check(values.length > 0, `${prop}.values`, r.values, `must hold at least one value for ${op}.`);
  } else if (op === KarpenterRequirementOperator.GT || op === KarpenterRequirementOperator.LT) {
    v.check(values.length === 1 && /^\d+$/.test(values[0]), `${prop}.values`, r.values, `must be exactly one non-negative integer for ${op} (e.g. ["5"]).`);
  } else {
    v.check(values.length === 0, `${prop}.values`, r.values, `must be empty for ${op}.`);
  }
  if (INTEGER_KEYS.includes(key) && (op === KarpenterRequirementOperator.IN || op === KarpenterRequirementOperator.NOT_IN)) {
    values.forEach((x, i) => v.check(/^\d+$/.test(x), `${prop}.values[${i}]`, x, `must be an integer: ${key} is a number.`));
  }
  if (r.minValues !== undefined) v.integer(`${prop}.minValues`, r.minValues, 1, 50);
}

/** Does one instance type satisfy one requirement? Keys the table does not describe are satisfiable, except fixed-value keys. */
function satisfies(facts: InstanceTypeFacts, r: KarpenterRequirement): boolean {
  const values = r.values ?? [];
  const fixed = FIXED_VALUES[r.key];
  const value: string | undefined = (facts as unknown as Record<string, string>)[r.key];
  if (value === undefined && !fixed) return true;
  const candidates = value !== undefined ? [value] : fixed!;
  return candidates.some(c => {
    switch (r.operator) {
      case KarpenterRequirementOperator.IN: return values.includes(c);
      case KarpenterRequirementOperator.NOT_IN: return !values.includes(c);
      case KarpenterRequirementOperator.EXISTS: return true;
      case KarpenterRequirementOperator.DOES_NOT_EXIST: return false;
      case KarpenterRequirementOperator.GT: return Number(c) > Number(values[0]);
      case KarpenterRequirementOperator.LT: return Number(c) < Number(values[0]);
      default: return false;
    }
  });
}

let table: InstanceTypeFacts[] | undefined;

/** The instance types of the table that satisfy every requirement. */
export function matchingInstanceTypes(requirements: KarpenterRequirement[]): string[] {
  table ??= instanceTypeTable();
  return table.filter(t => requirements.every(r => satisfies(t, r))).map(t => t['node.kubernetes.io/instance-type']);
}

function describe(o: KarpenterNodePoolOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries({
    name: o.name,
    capacityTypes: o.capacityTypes,
    architectures: o.architectures,
    instanceCategories: o.instanceCategories,
    instanceFamilies: o.instanceFamilies,
    minGeneration: o.minGeneration,
    requirements: o.requirements,
  }).filter(([, x]) => x !== undefined));
}

/** A Karpenter duration: `90s`, `5m`, `720h`. */
export function karpenterDuration(d: Duration): string {
  const s = d.toSeconds();
  return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** The NodePool object (`karpenter.sh/v1`). */
export function nodePoolManifest(o: KarpenterNodePoolOptions, nodeClassName: string): Record<string, unknown> {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: o.name },
    spec: {
      template: {
        ...(o.labels ? { metadata: { labels: o.labels } } : {}),
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: nodeClassName },
          requirements: nodePoolRequirements(o).map(r => ({
            key: r.key, operator: r.operator, ...(r.values?.length ? { values: r.values } : {}), ...(r.minValues ? { minValues: r.minValues } : {}),
          })),
          expireAfter: karpenterDuration(o.expireAfter ?? Duration.days(30)),
        },
      },
      limits: { cpu: String(o.cpuLimit ?? 64), memory: `${(o.memoryLimit ?? Size.gibibytes(256)).toGibibytes()}Gi` },
      disruption: {
        consolidationPolicy: o.consolidationPolicy ?? KarpenterConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
        consolidateAfter: karpenterDuration(o.consolidateAfter ?? Duration.minutes(1)),
        budgets: [{ nodes: `${o.disruptionBudgetPercent ?? 10}%` }],
      },
      ...(o.weight !== undefined ? { weight: o.weight } : {}),
    },
  };
}

/** Props of {@link ec2NodeClassManifest}. */
export interface Ec2NodeClassSpec {
  readonly name: string;
  /** The node role's name (Karpenter makes the instance profile). */
  readonly role: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** The AMI alias, pinned (`al2023@v20260930`). */
  readonly amiAlias: string;
  readonly diskGib: number;
  readonly tags: Record<string, string>;
}

/** The EC2NodeClass object (`karpenter.k8s.aws/v1`): AL2023 pinned, IMDSv2 with hop limit 1, encrypted gp3 root volume. */
export function ec2NodeClassManifest(s: Ec2NodeClassSpec): Record<string, unknown> {
  return {
    apiVersion: 'karpenter.k8s.aws/v1',
    kind: 'EC2NodeClass',
    metadata: { name: s.name },
    spec: {
      role: s.role,
      amiSelectorTerms: [{ alias: s.amiAlias }],
      subnetSelectorTerms: s.subnetIds.map(id => ({ id })),
      securityGroupSelectorTerms: s.securityGroupIds.map(id => ({ id })),
      metadataOptions: { httpEndpoint: 'enabled', httpProtocolIPv6: 'disabled', httpPutResponseHopLimit: 1, httpTokens: 'required' },
      blockDeviceMappings: [{
        deviceName: '/dev/xvda',
        ebs: { volumeSize: `${s.diskGib}Gi`, volumeType: 'gp3', encrypted: true, deleteOnTermination: true },
      }],
      detailedMonitoring: true,
      tags: s.tags,
    },
  };
}
