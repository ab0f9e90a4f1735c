import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { ClusterDistribution, ClusterTraits, EksPlatformStack, IPlatformCluster, SelfManagedDistribution, SelfManagedPlatformStack, VolumeAccessMode } from '../../lib';
import { EBS_CSI_DRIVER, EbsCsiAddOn } from '../../lib/addons/ebs-csi';
import { EfsAddOn } from '../../lib/addons/efs';
import { bashSyntaxErrors, flatten, shellcheckFindings } from '../clusters/self-managed/support/user-data';
import { expectThrownMessage } from '../robustness/support';
import { useHelm } from '../support/helm';
import { checkManifests, expectValidManifests } from '../support/k8s-check';

const RESTRICTED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
const CHART_DIR = path.join(__dirname, 'ebs-csi-chart', 'aws-ebs-csi-driver');
type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** The stack synthesized into a temp dir: its template and the objects of its manifest files. */
function synth(props: Partial<ConstructorParameters<typeof SelfManagedPlatformStack>[2]> = {}) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebs-csi-'));
  try {
    const app = new App({ outdir });
    const stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', ...props });
    const template = Template.fromStack(stack);
    app.synth();
    const objects = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml'))
      .flatMap(f => parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map(d => d.toJSON()));
    return { stack, template, objects };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function helmChartOf(objects: any[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return objects.find(o => o?.kind === 'HelmChart' && o.metadata.name === 'ebs-csi');
}

function serverCommands(template: Template): string {
  const association = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('ebs-csi-controller'))!;
  return (association.Properties.Parameters.commands as unknown[]).map(flatten).join('\n');
}

function rolePolicy(template: Template, role: RegExp): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(p => p.Properties.Roles.some((r: { Ref: string }) => role.test(r.Ref)))
    .flatMap(p => p.Properties.PolicyDocument.Statement as Statement[])
    .filter(s => s.Sid?.startsWith('EbsCsi'));
}

/**
 * Runs the association's commands under a stub of the admin kubectl that answers as a cluster where the
 * pinned chart's controller exists; returns the StorageClass applied and the patch given.
 */
function runServerCommands(commands: string, kubectl: string, containerNames: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebs-csi-run-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const stub = `#!/bin/bash
printf '%s\\n' "$*" >> "${dir}/calls"
case "$*" in
  *"apply "*) cat > "${dir}/applied" ;;
  *"-o jsonpath"*) printf '%s' "${containerNames}" ;;
  *" patch "*) for a in "$@"; do last="$a"; done; printf '%s' "$last" > "${dir}/patch" ;;
esac
`;
    const exe = kubectl.split(' ')[0];
    fs.writeFileSync(path.join(bin, exe), stub, { mode: 0o755 });
    const r = spawnSync('bash', ['-c', commands], { encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}` } });
    const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
    return { status: r.status, stderr: r.stderr, calls: read('calls')!.trim().split('\n'), applied: read('applied'), patch: read('patch') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([
  ['k3s', SelfManagedDistribution.k3s(), 'k3s kubectl'],
  ['kubeadm', SelfManagedDistribution.kubeadm(), 'kubectl --kubeconfig /etc/kubernetes/admin.conf'],
])('%s: installed by default, the pinned chart, the gp3 class, the controller on the instance role', (_name, distribution, kubectl) => {
  const { stack, template, objects } = synth({ distribution });
  const helmChart = helmChartOf(objects);
  const values = parseAllDocuments(helmChart.spec.valuesContent)[0].toJSON();

  test('the official chart, pinned, in kube-system (the node plugin mounts on the host, privileged)', () => {
    expect(helmChart.spec).toMatchObject({
      repo: 'https://kubernetes-sigs.github.io/aws-ebs-csi-driver', chart: 'aws-ebs-csi-driver', version: '2.64.0', targetNamespace: 'kube-system', failurePolicy: 'abort',
    });
    expect(objects.filter(o => o?.kind === 'Namespace' && o.metadata.name === 'kube-system')).toEqual([]);
    expect(values).toEqual({
      image: { tag: 'v1.64.0' },
      controller: {
        k8sTagClusterId: 'acme',
        extraVolumeTags: { 'platform.cdk-k8s.io/backup': 'acme' },
        resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        containerSecurityContext: RESTRICTED,
      },
      node: { hostNetwork: true, enableWindows: false, resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } } },
      sidecars: {
        provisioner: { securityContext: RESTRICTED },
        attacher: { securityContext: RESTRICTED },
        snapshotter: { securityContext: RESTRICTED },
        resizer: { securityContext: RESTRICTED },
        volumemodifier: { securityContext: RESTRICTED },
        livenessProbe: { securityContext: RESTRICTED },
        nodeDriverRegistrar: { securityContext: RESTRICTED, healthPort: 9810 },
      },
      helmTester: { enabled: false },
    });
    expect(stack.ebsCsi).toBeInstanceOf(EbsCsiAddOn);
    expect(Object.keys(stack.addOns)).toEqual(['ebs-csi', 'volume-backup']);
  });

  test('gp3 is described and becomes the default class of StatefulService volumes; it is backed up', () => {
    expect(stack.cluster.traits.storageClassName).toBe('gp3');
    expect(stack.cluster.traits.storageClass('gp3')).toEqual({ name: 'gp3', accessModes: [VolumeAccessMode.READ_WRITE_ONCE, VolumeAccessMode.READ_WRITE_ONCE_POD], backedUp: true });
    expect(stack.cluster.traits.storageClass('local-path')).toMatchObject({ nodeLocal: true });
  });

  test('an SSM association on the servers (every 30 minutes) applies the class and patches the controller, with their admin kubectl', () => {
    const commands = serverCommands(template);
    expect(bashSyntaxErrors(commands)).toBe('');
    const findings = shellcheckFindings(commands);
    if (findings !== undefined) expect(findings).toBe('');
    expect(commands.split(kubectl).join('')).not.toMatch(/kubectl/);
    const association = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('ebs-csi-controller'))!;
    const sync = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('sync'))!;
    expect(association.Properties).toMatchObject({ ScheduleExpression: 'rate(30 minutes)', MaxErrors: '0', Targets: sync.Properties.Targets });
    const run = runServerCommands(commands, kubectl, 'ebs-plugin csi-provisioner csi-attacher csi-resizer liveness-probe');
    expect(run.status).toBe(0);
    expect(run.calls[0]).toBe(`${kubectl.split(' ').slice(1).join(' ')} get namespace kube-system`.trim());
    const storageClass = JSON.parse(run.applied!);
    expect(storageClass).toEqual({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp3', labels: { 'platform.cdk-k8s.io/add-on': 'ebs-csi' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { 'type': 'gp3', 'encrypted': 'true', 'csi.storage.k8s.io/fstype': 'ext4', 'tagSpecification_1': 'platform.cdk-k8s.io/cluster=acme' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
    expectValidManifests([storageClass]);
    expect(JSON.parse(run.patch!).map((op: { path: string }) => op.path)).toEqual([
      '/spec/template/spec/containers/0/name', '/spec/template/spec/containers/4/name', '/spec/template/spec/hostNetwork',
      '/spec/template/spec/containers/0/ports', '/spec/template/spec/containers/4/args',
    ]);
  });

  test('a controller without the pinned chart\'s liveness-probe container: the association fails, saying so', () => {
    const run = runServerCommands(serverCommands(template), kubectl, 'ebs-plugin csi-provisioner');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('kube-system/ebs-csi-controller has no liveness-probe container: is the chart the pinned one?');
    expect(run.patch).toBeUndefined();
  });

  test('both node roles: create only tagged volumes, act only on this cluster\'s volumes and nodes, in this region', () => {
    for (const role of [/ServerRole/, /AgentRole/]) {
      const bySid: Record<string, Statement> = Object.fromEntries(rolePolicy(template, role).map(s => [s.Sid, s]));
      expect(Object.keys(bySid).sort()).toEqual(['EbsCsiClusterNodes', 'EbsCsiCreateVolumes', 'EbsCsiDescribe', 'EbsCsiOwnVolumes', 'EbsCsiTagOnCreate']);
      expect(bySid.EbsCsiCreateVolumes).toMatchObject({
        Action: 'ec2:CreateVolume',
        Condition: { StringEquals: { 'aws:RequestTag/ebs.csi.aws.com/cluster': 'true', 'aws:RequestTag/kubernetes.io/cluster/acme': 'owned' } },
      });
      expect(bySid.EbsCsiOwnVolumes).toMatchObject({
        Action: ['ec2:AttachVolume', 'ec2:DetachVolume', 'ec2:ModifyVolume', 'ec2:DeleteVolume'],
        Condition: { StringEquals: { 'aws:ResourceTag/ebs.csi.aws.com/cluster': 'true', 'aws:ResourceTag/kubernetes.io/cluster/acme': 'owned' } },
      });
      expect(bySid.EbsCsiClusterNodes).toMatchObject({ Action: ['ec2:AttachVolume', 'ec2:DetachVolume'], Condition: { StringEquals: { 'aws:ResourceTag/platform.cdk-k8s.io/cluster': 'acme' } } });
      expect(bySid.EbsCsiTagOnCreate.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'CreateVolume' } });
      for (const sid of ['EbsCsiCreateVolumes', 'EbsCsiOwnVolumes', 'EbsCsiTagOnCreate']) {
        expect(flatten(bySid[sid].Resource)).toBe('arn:aws:ec2:eu-west-1:111111111111:volume/*');
      }
      expect(flatten(bySid.EbsCsiClusterNodes.Resource)).toBe('arn:aws:ec2:eu-west-1:111111111111:instance/*');
      // the only unscoped statement is the Describe calls, in this region
      expect(Object.values(bySid).filter(s => s.Resource === '*').map(s => s.Sid)).toEqual(['EbsCsiDescribe']);
      expect(bySid.EbsCsiDescribe.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } });
      expect(JSON.stringify(bySid)).not.toMatch(/Snapshot"|kms:/);
    }
  });

  test('installing it replaces no node: the launch templates and groups are those of a stack without it', () => {
    const without = synth({ distribution, ebsCsi: false, volumeBackup: false }).template;
    for (const type of ['AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::VPC', 'AWS::ElasticLoadBalancingV2::LoadBalancer']) {
      expect(template.findResources(type)).toEqual(without.findResources(type));
    }
  });
});

describe('the pinned chart, rendered offline with real helm and the add-on\'s values', () => {
  const helm = useHelm();
  const { template, objects } = synth({ addOns: [new EfsAddOn()] });
  const valuesFile = (values: string) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ebs-values-')), 'values.yaml');
    fs.writeFileSync(file, values);
    return file;
  };
  let rendered: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(() => {
    rendered = helm().template(CHART_DIR, [valuesFile(helmChartOf(objects).spec.valuesContent)], 'ebs-csi');
  });
  const hostPorts = (o: any) => o.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort)); // eslint-disable-line @typescript-eslint/no-explicit-any

  test('the chart is the pinned one and its values pass its schema and lint', () => {
    expect(fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')).toContain(`version: ${EBS_CSI_DRIVER.version}\n`);
    expect(fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')).toContain(`appVersion: ${EBS_CSI_DRIVER.appVersion.slice(1)}\n`);
    helm().lint(CHART_DIR, [valuesFile(helmChartOf(objects).spec.valuesContent)]);
  });

  test('the node plugin: on the host network (IMDS for its instance id and zone), privileged, its registrar off the EFS port', () => {
    const node = rendered.find(o => o.kind === 'DaemonSet' && o.metadata.name === 'ebs-csi-node');
    expect(node.spec.template.spec.hostNetwork).toBe(true);
    expect(node.spec.template.spec.containers.find((c: { name: string }) => c.name === 'ebs-plugin').securityContext.privileged).toBe(true);
    expect(hostPorts(node)).toEqual([9808, 9810]);
    expect(rendered.filter(o => o.kind === 'DaemonSet').map(o => o.metadata.name)).toEqual(['ebs-csi-node']); // no Windows DaemonSet
    expect(rendered.filter(o => o.kind === 'Pod')).toEqual([]); // no helm test pod
  });

  test('the controller: tags volumes for the cluster and the backups; the patch puts it on the host network with ports of its own', () => {
    const controller = rendered.find(o => o.kind === 'Deployment' && o.metadata.name === 'ebs-csi-controller');
    const containers = controller.spec.template.spec.containers as Array<{ name: string; args: string[] }>;
    expect(containers[0].args).toEqual(expect.arrayContaining(['--extra-tags=platform.cdk-k8s.io/backup=acme', '--k8s-tag-cluster-id=acme']));
    const names = containers.map(c => c.name).join(' ');
    const run = runServerCommands(serverCommands(template), 'k3s kubectl', names);
    expect(run.status).toBe(0);
    const liveness = containers.find(c => c.name === 'liveness-probe')!;
    const patched = JsonPatch.apply(structuredClone(controller), ...JSON.parse(run.patch!).map((op: { op: string; path: string; value: unknown }) =>
      (op.op === 'test' ? JsonPatch.test(op.path, op.value) : op.op === 'add' ? JsonPatch.add(op.path, op.value) : JsonPatch.replace(op.path, op.value))));
    const spec = patched.spec.template.spec;
    expect(spec.hostNetwork).toBe(true);
    // the health port moves with the liveness-probe's own arguments, which stay the chart's
    expect(spec.containers.find((c: { name: string }) => c.name === 'liveness-probe').args).toEqual([...liveness.args, '--health-port=9818']);
    expect(spec.containers[0].livenessProbe.httpGet.port).toBe('healthz');
    expect(hostPorts(patched)).toEqual([9818]);
    // host ports of the pods on every node: the EBS node plugin, the EBS controller, the EFS node plugin (9809) and controller (9909)
    const node = rendered.find(o => o.kind === 'DaemonSet');
    const all = [...hostPorts(node), ...hostPorts(patched), 9809, 9909];
    expect(new Set(all).size).toBe(all.length);
    // applying the patch again changes nothing (the association runs every 30 minutes)
    const again = JsonPatch.apply(structuredClone(patched), ...JSON.parse(run.patch!).filter((op: { op: string }) => op.op !== 'test').map((op: { path: string; value: unknown }) => JsonPatch.replace(op.path, op.value)));
    expect(again).toEqual(patched);
  });

  test('no controller sidecar opens a port on the host besides the health port', () => {
    const controller = rendered.find(o => o.kind === 'Deployment');
    const args = (controller.spec.template.spec.containers as Array<{ args?: string[] }>).flatMap(c => c.args ?? []);
    expect(args.filter(a => /http-endpoint|metrics-address/.test(a))).toEqual([]);
  });

  test('Pod Security: only the node plugin is privileged; the controller is restricted but for the host network; the rest passes every check', () => {
    const controller = rendered.find(o => o.kind === 'Deployment');
    const patched = JsonPatch.apply(structuredClone(controller), JsonPatch.add('/spec/template/spec/hostNetwork', true));
    const others = rendered.filter(o => o.kind !== 'Deployment' && o.kind !== 'DaemonSet');
    expect(others.map(o => o.kind).sort()).toEqual(['CSIDriver', ...Array(5).fill('ClusterRole'), ...Array(5).fill('ClusterRoleBinding'), 'PodDisruptionBudget', 'Role', 'RoleBinding', 'ServiceAccount', 'ServiceAccount']);
    const findings = checkManifests([...others, patched, rendered.find(o => o.kind === 'DaemonSet')], { allowServiceAccountToken: true })
      .filter(f => f.severity === 'error').map(f => `[${f.rule}] ${f.object} ${f.message}`);
    const hostNetwork = findings.filter(f => f.startsWith('[pss/host-namespaces]'));
    expect(hostNetwork.sort()).toEqual([expect.stringContaining('DaemonSet/default/ebs-csi-node'), expect.stringContaining('Deployment/default/ebs-csi-controller')]);
    // the node pod runs as root with the host's kubelet directories and devices, and its ebs-plugin container is privileged
    const node = findings.filter(f => !f.startsWith('[pss/host-namespaces]'));
    for (const f of node) expect(f).toMatch(/DaemonSet\/.*ebs-csi-node/);
    for (const f of node) expect(f).toMatch(/^\[pss\/(host-path|volume-types|run-as-user|run-as-non-root)\]|container "ebs-plugin"/);
  });
});

describe('options', () => {
  test('the cluster\'s encryptionKey encrypts the volumes: the class names it, the node roles may use it through EC2 only', () => {
    const app = new App();
    const keys = new Stack(app, 'keys');
    const key = new kms.Key(keys, 'Key');
    const stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', encryptionKey: key });
    const template = Template.fromStack(stack);
    const association = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('ebs-csi-controller'))!;
    expect(JSON.stringify(association.Properties.Parameters.commands)).toMatch(/\\"kmsKeyId\\":\\"",\{"Fn::ImportValue":"keys:ExportsOutputFnGetAttKey[^"]*Arn[^"]*"\},"\\"/);
    const statements = rolePolicy(template, /AgentRole/);
    const use = statements.find(s => s.Sid === 'EbsCsiVolumeKey')!;
    expect(use.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
    expect(statements.find(s => s.Sid === 'EbsCsiVolumeKeyGrants')!.Condition!.Bool).toEqual({ 'kms:GrantIsForAWSResource': 'true' });
  });

  test('volumeBackup: false: no volume tag; another class name, not the default class', () => {
    const off = synth({ volumeBackup: false });
    expect(parseAllDocuments(helmChartOf(off.objects).spec.valuesContent)[0].toJSON().controller.extraVolumeTags).toBeUndefined();
    expect(off.stack.volumeBackup).toBeUndefined();
    const own = new SelfManagedPlatformStack(new App(), 'own', { platformName: 'own', addOns: [new EbsCsiAddOn({ storageClassName: 'ebs', defaultStorageClass: false })] });
    expect(own.cluster.traits.storageClassName).toBe('local-path');
    expect(own.cluster.traits.storageClass('ebs')).toMatchObject({ backedUp: true });
    expect(own.ebsCsi?.storageClassName).toBe('ebs');
  });

  test('an EbsCsiAddOn given after other add-ons is installed first: they see gp3 as the default class', () => {
    const ebs = new EbsCsiAddOn();
    const stack = new SelfManagedPlatformStack(new App(), 'order', { platformName: 'order', addOns: [new EfsAddOn(), ebs] });
    expect(Object.keys(stack.addOns)).toEqual(['ebs-csi', 'efs', 'volume-backup']);
    expect(stack.ebsCsi).toBe(ebs);
  });

  test('ebsCsi: false keeps local-path as the default class and warns that volumes are not backed up', () => {
    const stack = new SelfManagedPlatformStack(new App(), 'plain', { platformName: 'plain', ebsCsi: false });
    expect(stack.cluster.traits.storageClassName).toBe('local-path');
    expect(stack.ebsCsi).toBeUndefined();
    expect(stack.volumeBackup).toBeUndefined();
  });
});

describe('bad input', () => {
  test('on EKS: refused, the cluster already has the driver', () => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'e', { platformName: 'acme', addOns: [new EbsCsiAddOn()] })))
      .toBe('[e/Eks] EbsCsiAddOn.install(cluster) is "e/Eks (eks)": already has EBS volumes: an EksPlatformStack runs the aws-ebs-csi-driver EKS add-on '
        + 'and its gp3 StorageClass (EKS Auto Mode its own driver). Drop EbsCsiAddOn from addOns.');
  });

  test('a cluster that is not one of this library\'s', () => {
    const stack = new Stack(new App(), 'lab');
    const foreign = Object.assign(new Construct(stack, 'Foreign'), { distribution: ClusterDistribution.KUBEADM }) as unknown as IPlatformCluster;
    expect(expectThrownMessage(() => new EbsCsiAddOn().install(foreign)))
      .toBe('[lab/Foreign] EbsCsiAddOn.install(cluster) is "lab/Foreign (kubeadm)": must be a SelfManagedPlatformStack cluster (k3s or kubeadm) of this library.');
  });

  test('twice on one cluster', () => {
    const stack = new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme' });
    expect(expectThrownMessage(() => new EbsCsiAddOn().install(stack.cluster)))
      .toBe('[k/Cluster] EbsCsiAddOn.install(cluster) is "k/Cluster (k3s)": already has the EBS CSI driver (SelfManagedPlatformStack installs it by default): '
        + 'give EbsCsiAddOn once, or set the stack\'s ebsCsi: false and give yours in addOns.');
  });

  test('a class name that is not a DNS subdomain, or the name of a class the cluster has', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', addOns: [new EbsCsiAddOn({ storageClassName: 'Fast_SSD' })] })))
      .toContain('EbsCsiAddOn.storageClassName is "Fast_SSD": must be a DNS-1123 subdomain');
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', addOns: [new EbsCsiAddOn({ storageClassName: 'local-path' })] })))
      .toBe('[k/Cluster] EbsCsiAddOn.storageClassName is "local-path": is already a StorageClass of k/Cluster (k3s) (node-local): pick another name.');
  });

  test('traits: a default class that is not described', () => {
    expect(expectThrownMessage(() => ClusterTraits.k3s().addAbilities({ defaultStorageClassName: 'fast' })))
      .toBe('ClusterTraits.defaultStorageClassName is "fast": must be a described StorageClass (local-path): add its description in storageClasses first.');
  });

  test('ebsCsi that is not a boolean', () => {
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(new App(), 'k', { platformName: 'acme', ebsCsi: 'yes' as unknown as boolean })))
      .toBe('[k] SelfManagedPlatformStack.ebsCsi is "yes": must be true or false (install the EBS CSI driver and its gp3 class).');
  });
});
