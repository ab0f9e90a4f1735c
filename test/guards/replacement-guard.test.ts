import * as fs from 'fs';
import * as path from 'path';
import { App, CfnResource, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterCapacity } from '../../lib/clusters/eks';
import { K3sVersion } from '../../lib/clusters/k3s';
import { NodeImage } from '../../lib/clusters/self-managed';
import { AllowReplacement, ReplacementGuard, ReplacementGuardMode } from '../../lib/guards';
import { versionStep } from '../../lib/guards/private/lock-file';
import { SelfManagedPlatformStackProps, SelfManagedDistribution } from '../../lib/platform';
import { EksPlatformStackProps } from '../../lib/platform/eks-platform-stack';
import { eksApp, expectThrownMessage, selfManagedApp, tmpDir, webChart } from '../robustness/support';

interface Variant {
  readonly props?: Partial<EksPlatformStackProps>;
  readonly context?: Record<string, unknown>;
  readonly allow?: AllowReplacement[];
  readonly mode?: ReplacementGuardMode;
  readonly tag?: string;
  readonly services?: string[];
  readonly tweak?: (app: App) => void;
}

/** One cloud assembly directory for the file: assets already staged there are not copied again. */
const OUTDIR = tmpDir('guard-out');

/** Synthesizes the EKS platform (with workloads) guarded by `lockFile`; throws what synthesis throws. */
function synthEks(lockFile: string, variant: Variant = {}): App {
  const { app, stack } = eksApp(variant.props, { context: variant.context, outdir: OUTDIR });
  stack.cluster.addWorkloads('apps', [webChart(stack.cluster.traits, { tag: variant.tag, services: variant.services })]);
  new ReplacementGuard(app, 'ReplacementGuard', { lockFile, allowReplacement: variant.allow, mode: variant.mode });
  variant.tweak?.(app);
  app.synth();
  return app;
}

describe('ReplacementGuard on the EKS platform', () => {
  let dir: string;
  let lockFile: string;
  let locked: string;
  beforeAll(() => {
    dir = tmpDir('guard');
    lockFile = path.join(dir, 'platform.lock.json');
    synthEks(lockFile);
    locked = fs.readFileSync(lockFile, 'utf8');
  });
  /** A fresh copy of the recorded lock for one test. */
  const lockCopy = () => {
    const file = path.join(tmpDir('guard-case'), 'platform.lock.json');
    fs.writeFileSync(file, locked);
    return file;
  };

  test('the first synthesis (no lock file: a fresh clone) succeeds and records VPC, subnets, cluster and node group', () => {
    const lock = JSON.parse(locked);
    const resources = Object.values(lock.stacks['acme-eks']) as Array<{ type: string; category: string; properties: Record<string, unknown> }>;
    const byType = (t: string) => resources.filter(r => r.type === t);
    expect(byType('AWS::EC2::VPC')).toEqual([expect.objectContaining({ category: 'Network', properties: { CidrBlock: '10.0.0.0/16', InstanceTenancy: 'default' } })]);
    expect(byType('AWS::EC2::Subnet')).toHaveLength(6);
    expect(byType('AWS::EKS::Cluster')).toEqual([expect.objectContaining({ category: 'Cluster', properties: expect.objectContaining({ 'Name': 'acme', 'ResourcesVpcConfig.SubnetIds': expect.any(Array) }) })]);
    expect(byType('AWS::EKS::Nodegroup')).toEqual([expect.objectContaining({ category: 'NodeGroup', properties: expect.objectContaining({ InstanceTypes: ['m7i.large'], AmiType: 'AL2023_x86_64_STANDARD' }) })]);
    // EKS node launch templates pick no AMI: they are not servers
    expect(byType('AWS::EC2::LaunchTemplate')).toEqual([]);
  });

  test('a cluster deployed with the deprecated EncryptionConfig Resources: the replacement is refused, naming legacyEncryptionConfig', () => {
    const file = path.join(tmpDir('guard-legacy'), 'platform.lock.json');
    synthEks(file, { props: { legacyEncryptionConfig: true } });
    const message = expectThrownMessage(() => synthEks(file));
    expect(message).toMatch(/AWS::EKS::Cluster \S+ \(acme-eks\/Eks\/Cluster\/Resource\) would be replaced: EncryptionConfig changes from /);
    expect(message).toContain('keep the deployed form with `legacyEncryptionConfig: true` on the EksPlatformStack');
    expect(() => synthEks(file, { props: { legacyEncryptionConfig: true } })).not.toThrow();
  });

  test('the backup vault: a new key is refused (the deploy could not replace the named vault), and so is turning backups off', () => {
    const vault = (app: App) => app.node.findAll().find((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::Backup::BackupVault')!;
    expect(Object.values(JSON.parse(locked).stacks['acme-eks'])).toContainEqual(expect.objectContaining({
      type: 'AWS::Backup::BackupVault', category: 'BackupVault', properties: { BackupVaultName: 'acme-volumes' },
    }));
    const newKey = (app: App) => vault(app).addPropertyOverride('EncryptionKeyArn', 'arn:aws:kms:eu-west-1:111111111111:key/1234');
    const message = expectThrownMessage(() => synthEks(lockCopy(), { tweak: newKey }));
    expect(message).toMatch(/AWS::Backup::BackupVault \S+ \(acme-eks\/Eks\/VolumeBackup\/Vault\/Resource\) would be replaced: EncryptionKeyArn changes from \(not set\) to "arn:aws:kms:/);
    expect(message).toContain('AWS Backup fixes a vault\'s key when it creates the vault, and CloudFormation cannot replace a vault whose name stays the same: '
      + 'the deploy would fail and roll back. Keep the key the vault was created with: give it as volumeBackup: { encryptionKey } (a vault created without a key cannot take one later).');
    expect(message).toContain('AllowReplacement.BACKUP_VAULT');
    const off = expectThrownMessage(() => synthEks(lockCopy(), { props: { volumeBackup: false } }));
    expect(off).toMatch(/AWS::Backup::BackupVault \S+ \(acme-eks\/Eks\/VolumeBackup\/Vault\/Resource\) is gone from the template, so CloudFormation would remove AWS::Backup::BackupVault \S+\. /);
    expect(off).toContain('The vault is retained with its recovery points, outside the stack; while it exists, a vault of the same name cannot be created again');
    expect(() => synthEks(lockCopy(), { props: { volumeBackup: false }, context: { 'cdk-k8s-platform:allowReplacement': 'BackupVault' } })).not.toThrow();
  });

  test('an unchanged app passes and leaves the lock file untouched', () => {
    const file = lockCopy();
    synthEks(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(locked);
  });

  test('workload-only changes (new image, another service) pass', () => {
    const file = lockCopy();
    expect(() => synthEks(file, { tag: '1.28', services: ['web', 'api'] })).not.toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe(locked);
  });

  test('renaming the cluster is refused: names the cluster, the property, old and new value and the opt-in', () => {
    const message = expectThrownMessage(() => synthEks(lockCopy(), { props: { platformName: 'acme2' } }));
    expect(message).toMatch(/ReplacementGuard: AWS::EKS::Cluster \S+ \(acme-eks\/Eks\/Cluster\/Resource\) would be replaced: Name changes from "acme" to "acme2"/);
    expect(message).toContain('AllowReplacement.CLUSTER');
    expect(message).toContain('CloudFormation replaces the resource to apply these properties.');
    expect(message).toContain('cdk-k8s-platform:allowReplacement=Cluster');
  });

  test('changing the cluster subnets (3 AZs to 2) is refused for the cluster and the removed subnets', () => {
    const message = expectThrownMessage(() => synthEks(lockCopy(), { props: { network: { azCount: 2 } } }));
    expect(message).toMatch(/AWS::EKS::Cluster \S+ .* ResourcesVpcConfig\.SubnetIds changes from/);
    expect(message).toMatch(/AWS::EC2::Subnet \S+ .* is gone from the template/);
  });

  test('new node group instance types are refused (EKS replaces the node group)', () => {
    const message = expectThrownMessage(() => synthEks(lockCopy(), {
      props: { capacity: ClusterCapacity.managedNodeGroups({ onDemand: { instanceTypes: [new ec2.InstanceType('m6i.large')] } }) },
    }));
    expect(message).toMatch(/AWS::EKS::Nodegroup \S+ \(acme-eks\/Eks\/OnDemand\/Nodegroup\/Resource\) would be replaced: InstanceTypes changes from \["m7i\.large"\] to \["m6i\.large"\]/);
    expect(message).toContain('AllowReplacement.NODE_GROUP');
  });

  test('scaling, a new disk size (a rolling launch-template update, drained node by node) and a new spot group pass', () => {
    const file = lockCopy();
    expect(() => synthEks(file, {
      props: { capacity: ClusterCapacity.managedNodeGroups({ onDemand: { minSize: 3, maxSize: 9, diskSize: Size.gibibytes(80) }, spot: {} }) },
    })).not.toThrow();
    const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.values(lock.stacks['acme-eks']).filter((r: any) => r.type === 'AWS::EKS::Nodegroup')).toHaveLength(2);
  });

  test('a new VPC CIDR is refused for the VPC and every subnet', () => {
    const message = expectThrownMessage(() => synthEks(lockCopy(), { props: { network: { cidr: '10.1.0.0/16' } } }));
    expect(message).toMatch(/AWS::EC2::VPC \S+ \(acme-eks\/Network\/Vpc\/Resource\) would be replaced: CidrBlock changes from "10\.0\.0\.0\/16" to "10\.1\.0\.0\/16"/);
    expect(message.match(/AWS::EC2::Subnet \S+ .*?would be replaced: CidrBlock changes/g)).toHaveLength(6);
    expect(message).toContain('AllowReplacement.NETWORK');
  });

  test('a moved logical ID is refused and named as a move', () => {
    const message = expectThrownMessage(() => synthEks(lockCopy(), {
      tweak: app => {
        const ng = app.node.findAll().find(c => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::EKS::Nodegroup') as CfnResource;
        ng.overrideLogicalId('MovedNodegroup');
      },
    }));
    expect(message).toMatch(/AWS::EKS::Nodegroup \S+ .* is gone from the template and a new AWS::EKS::Nodegroup MovedNodegroup .* appeared: its logical ID moved/);
  });

  test('an opt-in by name lets the replacement through and records the new state; the next synthesis passes without it', () => {
    const file = lockCopy();
    // a new platform name renames the cluster and the backup vault: both are named
    const message = expectThrownMessage(() => synthEks(lockCopy(), { props: { platformName: 'acme2' }, allow: [AllowReplacement.CLUSTER] }));
    expect(message).toMatch(/AWS::Backup::BackupVault \S+ \(acme-eks\/Eks\/VolumeBackup\/Vault\/Resource\) would be replaced: BackupVaultName changes from "acme-volumes" to "acme2-volumes"\. .* A new name is a new, empty vault: the old one leaves the stack and stays in the account \(retained\) with its recovery points, which do not move\./);
    synthEks(file, { props: { platformName: 'acme2' }, allow: [AllowReplacement.CLUSTER, AllowReplacement.BACKUP_VAULT] });
    expect(fs.readFileSync(file, 'utf8')).toContain('"Name": "acme2"');
    expect(() => synthEks(file, { props: { platformName: 'acme2' } })).not.toThrow();
  });

  test('an opt-in covers only what it names', () => {
    const message = expectThrownMessage(() => synthEks(lockCopy(), { props: { network: { cidr: '10.1.0.0/16' } }, allow: [AllowReplacement.CLUSTER] }));
    expect(message).toContain('AWS::EC2::VPC');
  });

  test('opt-in through the context key (names, logical IDs or construct paths)', () => {
    expect(() => synthEks(lockCopy(), { props: { network: { cidr: '10.1.0.0/16' } }, context: { 'cdk-k8s-platform:allowReplacement': 'Network' } })).not.toThrow();
    expect(() => synthEks(lockCopy(), { props: { platformName: 'acme2' }, context: { 'cdk-k8s-platform:allowReplacement': 'acme-eks/Eks' } })).not.toThrow();
    expect(() => synthEks(lockCopy(), { props: { platformName: 'acme2' }, allow: [AllowReplacement.resource('acme-eks/Eks/Cluster'), AllowReplacement.resource('acme-eks/Eks/VolumeBackup')] })).not.toThrow();
    expect(expectThrownMessage(() => synthEks(lockCopy(), { context: { 'cdk-k8s-platform:allowReplacement': '[1]' } })))
      .toMatch(/context cdk-k8s-platform:allowReplacement is "\[1\]": must be names separated by commas/);
  });

  test('verify mode (CI): fails without a lock file or with new protected resources, never writes', () => {
    const missing = path.join(tmpDir('guard-verify'), 'platform.lock.json');
    expect(expectThrownMessage(() => synthEks(missing, { mode: ReplacementGuardMode.VERIFY }))).toMatch(/platform\.lock\.json does not exist \(mode verify\)/);
    expect(fs.existsSync(missing)).toBe(false);
    const file = lockCopy();
    expect(() => synthEks(file, { context: { 'cdk-k8s-platform:replacementGuard': 'verify' } })).not.toThrow();
    const spot = { capacity: ClusterCapacity.managedNodeGroups({ spot: {} }) };
    expect(expectThrownMessage(() => synthEks(file, { mode: ReplacementGuardMode.VERIFY, props: spot }))).toMatch(/is out of date/);
    expect(fs.readFileSync(file, 'utf8')).toBe(locked);
  });

  test('bad props and corrupt lock files give clear errors', () => {
    expect(() => new ReplacementGuard(new App(), 'G', { lockFile: 'lock.yaml' })).toThrow(/ReplacementGuard\.lockFile is "lock\.yaml": must be the path of a \.json file/);
    expect(() => AllowReplacement.resource(' ')).toThrow(/AllowReplacement\.resource\(logicalIdOrPath\) is " "/);
    expect(() => new ReplacementGuard(new App({ context: { 'cdk-k8s-platform:replacementGuard': 'off' } }), 'G')).toThrow(/must be "update" or "verify"/);
    const file = path.join(tmpDir('guard-bad'), 'platform.lock.json');
    fs.writeFileSync(file, '{ nope');
    expect(expectThrownMessage(() => synthEks(file))).toMatch(/platform\.lock\.json is not valid JSON/);
  });
});

describe('ReplacementGuard on the self-managed (k3s) platform', () => {
  let locked: string;
  const synthK3s = (lockFile: string, props: Partial<SelfManagedPlatformStackProps> = {}, data = 'hello', options: { allow?: AllowReplacement[]; tweak?: (app: App) => void } = {}) => {
    const built = selfManagedApp('k3s', props, { outdir: OUTDIR });
    built.stack.cluster.addWorkloads('shop', [webChart(built.stack.cluster.traits, { tag: data })]);
    new ReplacementGuard(built.app, 'ReplacementGuard', { lockFile, allowReplacement: options.allow });
    options.tweak?.(built.app);
    built.app.synth();
  };
  /** The secret resource of the k3s cluster named `id`. */
  const tokenOf = (app: App, id: string) => app.node.findAll().find(c => c.node.path === `acme-k3s/Cluster/${id}/Resource`) as CfnResource;
  const lockCopy = () => {
    const file = path.join(tmpDir('guard-k3s'), 'platform.lock.json');
    fs.writeFileSync(file, locked);
    return file;
  };
  beforeAll(() => {
    const file = path.join(tmpDir('guard-k3s'), 'platform.lock.json');
    synthK3s(file);
    locked = fs.readFileSync(file, 'utf8');
  });

  test('records the server and agent launch templates and groups', () => {
    const resources = Object.values(JSON.parse(locked).stacks['acme-k3s']) as Array<{ type: string; category: string }>;
    expect(resources.filter(r => r.type === 'AWS::EC2::LaunchTemplate')).toHaveLength(2);
    expect(resources.filter(r => r.type === 'AWS::AutoScaling::AutoScalingGroup')).toHaveLength(2);
    expect(resources.filter(r => r.category === 'Server')).toHaveLength(4);
  });

  test('workload-only changes never touch a server', () => {
    expect(() => synthK3s(lockCopy(), {}, '1.28')).not.toThrow();
  });

  test('a new server AMI (image serial) is refused: says the nodes roll one at a time, drained, servers snapshot first', () => {
    const message = expectThrownMessage(() => synthK3s(lockCopy(), { cluster: { nodeImage: NodeImage.ubuntu2404({ serial: '20250115' }) } }));
    expect(message).toMatch(/AWS::EC2::LaunchTemplate \S+ \(acme-k3s\/Cluster\/ServerLaunchTemplate\/Resource\) rolls its nodes: LaunchTemplateData\.ImageId changes/);
    expect(message).toContain('The Auto Scaling group rolls its nodes one at a time (each drained first; servers snapshot etcd first) and waits for each new node\'s bootstrap');
    expect(message).toContain('Revert the change, or opt in to the roll.');
    expect(message).toContain('AllowReplacement.SERVER');
    expect(message).not.toContain('replace the instances');
  });

  test('a new server instance type is refused (a roll), and passes with the Server opt-in', () => {
    const file = lockCopy();
    const message = expectThrownMessage(() => synthK3s(file, { cluster: { serverInstanceType: new ec2.InstanceType('t4g.large') } }));
    expect(message).toMatch(/ServerLaunchTemplate\/Resource\) rolls its nodes: LaunchTemplateData\.InstanceType changes from "t4g\.medium" to "t4g\.large"/);
    expect(message).toContain('cdk-k8s-platform:allowReplacement=Server');
    expect(() => synthK3s(file, { cluster: { serverInstanceType: new ec2.InstanceType('t4g.large') } }, 'hello', { allow: [AllowReplacement.SERVER] })).not.toThrow();
  });

  test('any other launch-template change (here detailed monitoring off) is a roll too, named as the template data', () => {
    const noMonitoring = (app: App) => {
      const lt = app.node.findAll().find(c => c.node.path === 'acme-k3s/Cluster/ServerLaunchTemplate/Resource') as CfnResource;
      lt.addPropertyOverride('LaunchTemplateData.Monitoring.Enabled', false);
    };
    const message = expectThrownMessage(() => synthK3s(lockCopy(), {}, 'hello', { tweak: noMonitoring }));
    expect(message).toMatch(/ServerLaunchTemplate\/Resource\) rolls its nodes: LaunchTemplateData changes from "sha256:[0-9a-f]{64}" to "sha256:[0-9a-f]{64}"\. The Auto Scaling group rolls/);
    expect(message).not.toContain('AgentLaunchTemplate');
    expect(() => synthK3s(lockCopy(), {}, 'hello', { tweak: noMonitoring, allow: [AllowReplacement.SERVER] })).not.toThrow();
  });

  test('records each node group\'s release and the token secrets (not the kubeconfig)', () => {
    const resources = Object.values(JSON.parse(locked).stacks['acme-k3s']) as Array<{ type: string; category: string; path: string; kubernetesVersion?: string }>;
    expect(resources.filter(r => r.type === 'AWS::AutoScaling::AutoScalingGroup').map(r => r.kubernetesVersion)).toEqual(['v1.36.5+k3s1', 'v1.36.5+k3s1']);
    expect(resources.filter(r => r.category === 'Token').map(r => r.path).sort()).toEqual(['acme-k3s/Cluster/AgentToken/Resource', 'acme-k3s/Cluster/ServerToken/Resource']);
    expect(locked).not.toContain('"rolls"');
  });

  test('new generation settings of a token secret are refused: a new value locks every node out', () => {
    const longer = (app: App) => tokenOf(app, 'ServerToken').addPropertyOverride('GenerateSecretString.PasswordLength', 64);
    const message = expectThrownMessage(() => synthK3s(lockCopy(), {}, 'hello', { tweak: longer }));
    expect(message).toMatch(/ReplacementGuard: AWS::SecretsManager::Secret \S+ \(acme-k3s\/Cluster\/ServerToken\/Resource\) would get a new value: GenerateSecretString\.PasswordLength changes from 48 to 64\. /);
    expect(message).toContain('A new token value locks every node out');
    expect(message).toContain('AllowReplacement.TOKEN');
    expect(message).toContain('cdk-k8s-platform:allowReplacement=Token');
    expect(() => synthK3s(lockCopy(), {}, 'hello', { tweak: longer, allow: [AllowReplacement.TOKEN] })).not.toThrow();
  });

  test('a token secret whose logical ID moves is refused with what a new token means', () => {
    const message = expectThrownMessage(() => synthK3s(lockCopy(), {}, 'hello', { tweak: app => tokenOf(app, 'AgentToken').overrideLogicalId('MovedAgentToken') }));
    expect(message).toMatch(/AWS::SecretsManager::Secret \S+ \(acme-k3s\/Cluster\/AgentToken\/Resource\) is gone from the template and a new AWS::SecretsManager::Secret MovedAgentToken/);
    expect(message).toContain('A new token value locks every node out');
  });

  test('the kubeconfig secret is not a token: its settings may change', () => {
    const tweak = (app: App) => tokenOf(app, 'KubeconfigSecret').addPropertyOverride('GenerateSecretString.PasswordLength', 40);
    expect(() => synthK3s(lockCopy(), {}, 'hello', { tweak })).not.toThrow();
  });

  describe('Kubernetes versions: one minor at a time, never back', () => {
    const version = (v: string) => ({ distribution: SelfManagedDistribution.k3s({ version: K3sVersion.of(v) }) });
    let lock132: string;
    beforeAll(() => {
      const file = path.join(tmpDir('guard-k3s-132'), 'platform.lock.json');
      synthK3s(file, version('v1.32.5+k3s1'));
      lock132 = file;
    });
    const copy = () => {
      const file = path.join(tmpDir('guard-k3s-v'), 'platform.lock.json');
      fs.copyFileSync(lock132, file);
      return file;
    };

    test('1.32 to 1.34 is refused even with the Server opt-in, naming both releases and the next step', () => {
      const message = expectThrownMessage(() => synthK3s(copy(), version('v1.34.1+k3s1'), 'hello', { allow: [AllowReplacement.SERVER] }));
      const skips = message.split('\n').filter(l => l.includes('skipping'));
      expect(skips).toHaveLength(2); // the server and the agent group
      expect(skips[0]).toMatch(/ReplacementGuard: AWS::AutoScaling::AutoScalingGroup \S+ \(acme-k3s\/Cluster\/(Server|Agent)Group\/ASG\) Kubernetes version changes from v1\.32\.5\+k3s1 to v1\.34\.1\+k3s1, skipping 1\.33: k3s and kubeadm upgrade one minor version at a time\. Deploy 1\.33\.x first \(version: K3sVersion\.V1_33_1; each node group rolls onto it\), then 1\.34\./);
      expect(skips[0]).toContain('AllowReplacement.VERSION_SKIP');
    });

    test('1.32 to 1.33 rolls the nodes: allowed with the Server opt-in, and the lock records 1.33', () => {
      const file = copy();
      expect(expectThrownMessage(() => synthK3s(file, version('v1.33.1+k3s1')))).toContain('rolls its nodes');
      synthK3s(file, version('v1.33.1+k3s1'), 'hello', { allow: [AllowReplacement.SERVER] });
      expect(fs.readFileSync(file, 'utf8')).toContain('"kubernetesVersion": "v1.33.1+k3s1"');
      expect(() => synthK3s(file, version('v1.33.1+k3s1'))).not.toThrow();
    });

    test('a downgrade (1.36 to 1.35, or a patch back) is refused', () => {
      const file = lockCopy(); // recorded at the default, v1.36.5+k3s1
      const message = expectThrownMessage(() => synthK3s(file, version('v1.35.9+k3s1'), 'hello', { allow: [AllowReplacement.SERVER] }));
      expect(message).toContain('Kubernetes version goes back from v1.36.5+k3s1 to v1.35.9+k3s1: a cluster cannot be downgraded');
      expect(expectThrownMessage(() => synthK3s(lockCopy(), version('v1.36.4+k3s1'), 'hello', { allow: [AllowReplacement.SERVER] }))).toContain('goes back from v1.36.5+k3s1 to v1.36.4+k3s1');
    });

    test('the default\'s upgrade from 1.33 names every pinned release on the way', () => {
      const file = path.join(tmpDir('guard-k3s-133'), 'platform.lock.json');
      synthK3s(file, version('v1.33.1+k3s1'));
      const message = expectThrownMessage(() => synthK3s(file, {}, 'hello', { allow: [AllowReplacement.SERVER] }));
      expect(message).toContain('Kubernetes version changes from v1.33.1+k3s1 to v1.36.5+k3s1, skipping the minor versions after 1.33: k3s and kubeadm upgrade '
        + 'one minor version at a time. Deploy 1.34.x first (version: K3sVersion.V1_34_12; each node group rolls onto it), then 1.35.x '
        + '(version: K3sVersion.V1_35_9), then 1.36.');
      synthK3s(file, { distribution: SelfManagedDistribution.k3s({ version: K3sVersion.V1_34_12 }) }, 'hello', { allow: [AllowReplacement.SERVER] });
      synthK3s(file, { distribution: SelfManagedDistribution.k3s({ version: K3sVersion.V1_35_9 }) }, 'hello', { allow: [AllowReplacement.SERVER] });
      expect(() => synthK3s(file, {}, 'hello', { allow: [AllowReplacement.SERVER] })).not.toThrow();
      expect(fs.readFileSync(file, 'utf8')).toContain('"kubernetesVersion": "v1.36.5+k3s1"');
    });

    test('a patch upgrade and the next minor pass the version check; VersionSkip lets a rebuild through', () => {
      expect(() => synthK3s(lockCopy(), version('v1.36.6+k3s1'), 'hello', { allow: [AllowReplacement.SERVER] })).not.toThrow();
      expect(() => synthK3s(copy(), version('v1.34.1+k3s1'), 'hello', { allow: [AllowReplacement.SERVER, AllowReplacement.VERSION_SKIP] })).not.toThrow();
    });
  });
});

describe('versionStep', () => {
  test.each<[string | undefined, string | undefined, RegExp | undefined]>([
    ['1.32.5', '1.33.1', undefined],
    ['1.33.1', '1.33.4', undefined],
    ['v1.33.1+k3s1', 'v1.33.1+k3s2', undefined],
    [undefined, '1.33.1', undefined], // a lock file written before the release was recorded
    ['1.32.5', '1.34.0', /^Kubernetes version changes from 1\.32\.5 to 1\.34\.0, skipping 1\.33: .* Deploy 1\.33\.x first/],
    ['1.31.0', '1.34.0', /skipping the minor versions after 1\.31: .* Deploy 1\.32\.x first \(each node group rolls onto it\), then 1\.33\.x, then 1\.34\.$/],
    ['1.34.0', '1.33.9', /^Kubernetes version goes back from 1\.34\.0 to 1\.33\.9: a cluster cannot be downgraded \(its datastore and objects were written by 1\.34\)\. Keep 1\.34\.0/],
  ])('%s to %s', (from, to, expected) => {
    const step = versionStep(from, to);
    if (expected) expect(step).toMatch(expected);
    else expect(step).toBeUndefined();
  });
});
