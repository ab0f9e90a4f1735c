import * as ec2 from 'aws-cdk-lib/aws-ec2';

/** What Karpenter's well-known labels say about one EC2 instance type. */
export interface InstanceTypeFacts {
  readonly 'node.kubernetes.io/instance-type': string;
  readonly 'karpenter.k8s.aws/instance-family': string;
  readonly 'karpenter.k8s.aws/instance-category': string;
  readonly 'karpenter.k8s.aws/instance-generation': string;
  readonly 'karpenter.k8s.aws/instance-size': string;
  readonly 'karpenter.k8s.aws/instance-cpu': string;
  readonly 'kubernetes.io/arch': string;
}

/** vCPUs per size of the general families (m, c, r, ...): large = 2, xlarge = 4, Nxlarge = 4N. */
const SIZES: Record<string, number> = {
  'medium': 1,
  'large': 2,
  'xlarge': 4,
  '2xlarge': 8,
  '3xlarge': 12,
  '4xlarge': 16,
  '6xlarge': 24,
  '8xlarge': 32,
  '9xlarge': 36,
  '12xlarge': 48,
  '16xlarge': 64,
  '18xlarge': 72,
  '24xlarge': 96,
  '32xlarge': 128,
  '48xlarge': 192,
};

/**
 * The instance types a NodePool's requirements are matched against: every family of aws-cdk-lib's
 * `ec2.InstanceClass` (architecture from `ec2.InstanceType.architecture`) in the common sizes. A superset of
 * what EC2 offers (not every family has every size), so a NodePool refused here matches nothing in EC2 either.
 */
export function instanceTypeTable(): InstanceTypeFacts[] {
  const families = [...new Set(Object.values(ec2.InstanceClass) as string[])].filter(f => /^[a-z]+\d[a-z0-9-]*$/.test(f) && !f.startsWith('mac'));
  const out: InstanceTypeFacts[] = [];
  for (const family of families) {
    const [, category, generation] = /^([a-z]+)(\d)/.exec(family)!;
    const arch = architectureOf(family);
    if (!arch) continue;
    for (const [size, cpu] of Object.entries(SIZES)) {
      out.push({
        'node.kubernetes.io/instance-type': `${family}.${size}`,
        'karpenter.k8s.aws/instance-family': family,
        'karpenter.k8s.aws/instance-category': category,
        'karpenter.k8s.aws/instance-generation': generation,
        'karpenter.k8s.aws/instance-size': size,
        'karpenter.k8s.aws/instance-cpu': String(cpu),
        'kubernetes.io/arch': arch,
      });
    }
  }
  return out;
}

/** amd64 or arm64 for a family, as aws-cdk-lib tells it; undefined for a name it cannot parse. */
function architectureOf(family: string): string | undefined {
  try {
    return new ec2.InstanceType(`${family}.large`).architecture === ec2.InstanceArchitecture.ARM_64 ? 'arm64' : 'amd64';
  } catch {
    return undefined;
  }
}
