import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { parse, parseAllDocuments } from 'yaml';
import { ClusterDistribution, ClusterTraits, EksPlatformStack, IPlatformCluster, SelfManagedDistribution, SelfManagedPlatformStack, VolumeAccessMode } from '../../lib';
import { EBS_CSI_DRIVER, EbsCsiAddOn } from '../../lib/addons/ebs-csi';
import { EfsAddOn } from '../../lib/addons/efs';
import { FluentBitLogs, Observability } from '../../lib/addons/observability';
import { KUBE_ROUTER } from '../../lib/clusters/kubeadm/network-policy-engine';
import { readChartArchive } from '../../lib/clusters/private/add-on-helm-chart';
import { bashSyntaxErrors, flatten, shellcheckFindings } from '../clusters/self-managed/support/user-data';
import { expectThrownMessage } from '../robustness/support';
import { useHelm } from '../support/helm';
import { checkManifests, expectValidManifests } from '../support/k8s-check';

const RESTRICTED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
/** The upstream chart 2.64.0 as released, and the patch that makes the library's copy of it. */
const CHART_DIR = path.join(__dirname, 'ebs-csi-chart', 'aws-ebs-csi-driver');
const PATCH = path.join(__dirname, 'ebs-csi-chart', 'cdkk8s.patch');
const ARCHIVE = EBS_CSI_DRIVER.archive;
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
  const association = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('ebs.csi.aws.com'))!;
  return (association.Properties.Parameters.commands as unknown[]).map(flatten).join('\n');
}

function rolePolicy(template: Template, role: RegExp): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(p => p.Properties.Roles.some((r: { Ref: string }) => role.test(r.Ref)))
    .flatMap(p => p.Properties.PolicyDocument.Statement as Statement[])
    .filter(s => s.Sid?.startsWith('EbsCsi'));
}

/**
 * Runs the association's commands under a stub of the admin kubectl that answers as a running cluster;
 * returns its calls and the object applied.
 */
function runServerCommands(commands: string, kubectl: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebs-csi-run-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const stub = `#!/bin/bash
printf '%s\\n' "$*" >> "${dir}/calls"
case "$*" in
  *"apply "*) cat > "${dir}/applied" ;;
esac
`;
    const exe = kubectl.split(' ')[0];
    fs.writeFileSync(path.join(bin, exe), stub, { mode: 0o755 });
    const r = spawnSync('bash', ['-c', commands], { encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH}` } });
    const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : undefined);
    return { status: r.status, stderr: r.stderr, calls: read('calls')!.trim().split('\n'), applied: read('applied') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The controller's values on a cluster of `replicas` servers (ebs-csi-config.ts). */
function controllerValues(replicas: number, backupTag = true) {
  return {
    hostNetwork: true,
    healthPort: 9818,
    replicaCount: replicas,
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
    affinity: {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] }] } },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'ebs-csi-controller' } }, topologyKey: 'kubernetes.io/hostname' }] },
    },
    k8sTagClusterId: 'acme',
    ...backupTag ? { extraVolumeTags: { 'platform.cdk-k8s.io/backup': 'acme' } } : {},
    resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    containerSecurityContext: RESTRICTED,
  };
}

describe.each([
  ['k3s', SelfManagedDistribution.k3s(), 'k3s kubectl'],
  ['kubeadm', SelfManagedDistribution.kubeadm(), 'kubectl --kubeconfig /etc/kubernetes/admin.conf'],
])('%s: installed by default, the pinned chart, the gp3 class, the controller on the instance role', (_name, distribution, kubectl) => {
  const { stack, template, objects } = synth({ distribution });
  const helmChart = helmChartOf(objects);
  const values = parseAllDocuments(helmChart.spec.valuesContent)[0].toJSON();

  test('the library\'s copy of the official chart, from its archive, in kube-system (the node plugin mounts on the host, privileged)', () => {
    expect(helmChart.metadata.annotations).toEqual({
      'platform.cdk-k8s.io/chart': 'aws-ebs-csi-driver-2.64.0-cdkk8s.1', 'platform.cdk-k8s.io/chart-source': 'https://kubernetes-sigs.github.io/aws-ebs-csi-driver',
    });
    expect(helmChart.spec).toMatchObject({ targetNamespace: 'kube-system', failurePolicy: 'abort' });
    // installed from the archive the library ships: nothing is downloaded, no repository is named
    expect(Buffer.from(helmChart.spec.chartContent, 'base64').equals(fs.readFileSync(ARCHIVE))).toBe(true);
    // repo and version empty (not absent, so an older value co-owned by someone else cannot survive), no chart name
    expect(helmChart.spec).toMatchObject({ repo: '', version: '' });
    expect(helmChart.spec.chart).toBeUndefined();
    expect(objects.filter(o => o?.kind === 'Namespace' && o.metadata.name === 'kube-system')).toEqual([]);
    expect(values).toEqual({
      image: { tag: 'v1.64.0' },
      controller: controllerValues(1),
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

  test('an SSM association on the servers (every 30 minutes) applies the class with their admin kubectl, and patches nothing', () => {
    const commands = serverCommands(template);
    expect(bashSyntaxErrors(commands)).toBe('');
    const findings = shellcheckFindings(commands);
    if (findings !== undefined) expect(findings).toBe('');
    expect(commands.split(kubectl).join('')).not.toMatch(/kubectl/);
    const association = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('ebs.csi.aws.com'))!;
    const sync = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('sync'))!;
    expect(association.Properties).toMatchObject({ ScheduleExpression: 'rate(30 minutes)', MaxErrors: '0', Targets: sync.Properties.Targets });
    const run = runServerCommands(commands, kubectl);
    expect(run.status).toBe(0);
    const args = kubectl.split(' ').slice(1).join(' ');
    expect(run.calls).toEqual([`${args} get namespace kube-system`.trim(), `${args} apply --server-side --field-manager=cdk-k8s-platform -f -`.trim()]);
    expect(commands).not.toMatch(/ patch |ebs-csi-controller|health-port/);
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
  });

  test('the server role only: create only tagged volumes, act only on this cluster\'s volumes and nodes, the default key through EC2, in this region', () => {
    expect(rolePolicy(template, /AgentRole/)).toEqual([]); // the controller never runs on an agent
    const bySid: Record<string, Statement> = Object.fromEntries(rolePolicy(template, /ServerRole/).map(s => [s.Sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(['EbsCsiClusterNodes', 'EbsCsiCreateVolumes', 'EbsCsiDescribe', 'EbsCsiOwnVolumes', 'EbsCsiTagOnCreate', 'EbsCsiVolumeKey', 'EbsCsiVolumeKeyGrants']);
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
    // the only unscoped statement is the Describe calls, in this region; no snapshot call
    expect(Object.values(bySid).filter(s => s.Resource === '*').map(s => s.Sid)).toEqual(['EbsCsiDescribe']);
    expect(bySid.EbsCsiDescribe.Condition).toEqual({ StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } });
    expect(JSON.stringify(bySid)).not.toMatch(/Snapshot/);
    // no key given: the account's EBS default key (maybe customer-managed) through EC2 in this region, grants for AWS resources only
    const ec2 = { 'kms:ViaService': { 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } };
    // this account's keys only (a default key in another account: give it as the stack's key)
    expect(flatten(bySid.EbsCsiVolumeKey.Resource)).toBe('arn:aws:kms:eu-west-1:111111111111:key/*');
    expect(bySid.EbsCsiVolumeKey.Condition).toEqual({ StringEquals: ec2 });
    expect(flatten(bySid.EbsCsiVolumeKeyGrants.Resource)).toBe('arn:aws:kms:eu-west-1:111111111111:key/*');
    expect(bySid.EbsCsiVolumeKeyGrants).toMatchObject({ Action: 'kms:CreateGrant', Condition: { StringEquals: ec2, Bool: { 'kms:GrantIsForAWSResource': 'true' } } });
  });

  test('the default key\'s wildcard is acknowledged for cdk-nag where it arises, with its reason (the stack\'s region as cdk-nag writes it)', () => {
    const acks = stack.cluster.serverRole.node.metadata.map(m => JSON.stringify(m.data)).join('\n');
    expect(acks).toContain('AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]');
    expect(acks).toContain('the account\'s EBS default key');
    expect(stack.cluster.agentRole.node.metadata.map(m => JSON.stringify(m.data)).join('\n')).not.toMatch(/volume\/\*|key\/\*/);
  });

  test('the servers carry the control-plane label the controller needs, untainted; agents cannot claim it', () => {
    const scripts = path.join(__dirname, '..', '..', 'lib', 'clusters');
    const read = (f: string) => fs.readFileSync(path.join(scripts, f), 'utf8');
    // kubeadm labels its control plane node-role.kubernetes.io/control-plane="" unless the phase is skipped; k3s labels servers ="true"
    expect(read('kubeadm/scripts/kubeadm-control-plane.sh')).toMatch(/^ {2}taints: \[\]$/m);
    expect(read('kubeadm/scripts/kubeadm-control-plane.sh')).not.toMatch(/mark-control-plane|node-role/);
    expect(read('k3s/scripts/k3s-server.sh')).not.toMatch(/node-taint|node-role/);
    // the kubelet may not set node-role labels on itself (NodeRestriction): an agent never becomes a controller's node
    for (const f of ['k3s/scripts/k3s-agent.sh', 'kubeadm/scripts/kubeadm-worker.sh']) expect(read(f)).not.toMatch(/node-role/);
  });

  test('installing it replaces no node: the launch templates and groups are those of a stack without it', () => {
    const without = synth({ distribution, ebsCsi: false, volumeBackup: false }).template;
    for (const type of ['AWS::EC2::LaunchTemplate', 'AWS::AutoScaling::AutoScalingGroup', 'AWS::EC2::VPC', 'AWS::ElasticLoadBalancingV2::LoadBalancer']) {
      expect(template.findResources(type)).toEqual(without.findResources(type));
    }
  });
});

describe('the library\'s copy of the chart: the upstream chart and two values, nothing else', () => {
  const archived = readChartArchive(fs.readFileSync(ARCHIVE)) as Map<string, Buffer>;
  const upstreamFiles = (dir: string, prefix = ''): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap(e => (e.isDirectory() ? upstreamFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));

  test('the archive holds the upstream files with the patch applied; Chart.yaml differs in its version only', () => {
    const patched = fs.mkdtempSync(path.join(os.tmpdir(), 'ebs-patched-'));
    try {
      fs.cpSync(CHART_DIR, path.join(patched, 'aws-ebs-csi-driver'), { recursive: true });
      const r = spawnSync('patch', ['-p1', '-s', '-d', patched, '-i', PATCH], { encoding: 'utf8' });
      expect(r.stderr + r.stdout).toBe('');
      expect(r.status).toBe(0);
      const files = upstreamFiles(CHART_DIR).sort();
      expect([...archived.keys()].sort()).toEqual(files);
      for (const f of files.filter(n => n !== 'Chart.yaml')) {
        expect({ f, same: archived.get(f)!.equals(fs.readFileSync(path.join(patched, 'aws-ebs-csi-driver', f))) }).toEqual({ f, same: true });
      }
    } finally {
      fs.rmSync(patched, { recursive: true, force: true });
    }
    // helm package rewrites Chart.yaml (key order, quoting): compared as YAML
    const upstream = parse(fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8'));
    expect(parse(archived.get('Chart.yaml')!.toString())).toEqual({ ...upstream, version: '2.64.0-cdkk8s.1' });
    expect(upstream).toMatchObject({ version: EBS_CSI_DRIVER.upstreamVersion, appVersion: EBS_CSI_DRIVER.appVersion.slice(1) });
  });

  test('the patch changes exactly the intended lines', () => {
    const lines = fs.readFileSync(PATCH, 'utf8').split('\n');
    expect(lines.filter(l => /^(---|\+\+\+) /.test(l))).toEqual(['Chart.yaml', 'templates/controller.yaml', 'values.schema.json', 'values.yaml']
      .flatMap(f => [`--- upstream/aws-ebs-csi-driver/${f}`, `+++ cdkk8s/aws-ebs-csi-driver/${f}`]));
    const changed = lines.filter(l => /^[-+](?![-+]{2} )/.test(l));
    expect(changed).toEqual([
      '-version: 2.64.0',
      '+version: 2.64.0-cdkk8s.1',
      // controller.yaml: the pod's host network, the healthz port, the liveness-probe's port (only when moved)
      '+      {{- if .Values.controller.hostNetwork }}',
      '+      hostNetwork: true',
      '+      {{- end }}',
      '-              containerPort: 9808',
      '+              containerPort: {{ .Values.controller.healthPort }}',
      '+            {{- if ne (int .Values.controller.healthPort) 9808 }}',
      '+            - --health-port={{ .Values.controller.healthPort }}',
      '+            {{- end }}',
      // values.schema.json: the two values declared (controller has additionalProperties: false)
      '+        "hostNetwork": {',
      '+          "type": "boolean",',
      '+          "description": "Run the controller pod on the host network",',
      '+          "default": false',
      '+        },',
      '+        "healthPort": {',
      '+          "type": "integer",',
      '+          "description": "The port of the controller\'s health endpoint (healthz port and liveness-probe --health-port)",',
      '+          "default": 9808,',
      '+          "minimum": 1,',
      '+          "maximum": 65535',
      '+        },',
      // values.yaml: their defaults, upstream's behaviour
      '+  # Run the controller pod on the host network (cdk-k8s-platform: it calls EC2 with the node\'s instance role)',
      '+  hostNetwork: false',
      '+  # Port of the controller\'s health endpoint (its healthz port and the liveness-probe\'s --health-port)',
      '+  healthPort: 9808',
    ]);
  });
});

describe('the library\'s chart archive, rendered offline with real helm and the add-on\'s values', () => {
  const helm = useHelm();
  const { objects } = synth({ addOns: [new EfsAddOn()] });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ebs-values-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const valuesFile = (values: string, name = 'values.yaml') => {
    fs.writeFileSync(path.join(tmp, name), values);
    return path.join(tmp, name);
  };
  let rendered: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  beforeAll(() => {
    rendered = helm().template(ARCHIVE, [valuesFile(helmChartOf(objects).spec.valuesContent)], 'ebs-csi');
  });
  const hostPorts = (o: any) => o.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort)); // eslint-disable-line @typescript-eslint/no-explicit-any
  const controllerOf = (objs: any[]) => objs.find(o => o.kind === 'Deployment' && o.metadata.name === 'ebs-csi-controller'); // eslint-disable-line @typescript-eslint/no-explicit-any

  test('the add-on\'s values pass the chart\'s schema and lint', () => {
    helm().lint(ARCHIVE, [valuesFile(helmChartOf(objects).spec.valuesContent)]);
  });

  test('with the chart\'s defaults it renders exactly what upstream renders (but the chart label)', () => {
    const label = (objs: any[]) => JSON.stringify(objs).replace(/aws-ebs-csi-driver-2\.64\.0(-cdkk8s\.1)?/g, 'CHART'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(label(helm().template(ARCHIVE, [], 'ebs-csi'))).toBe(label(helm().template(CHART_DIR, [], 'ebs-csi')));
  });

  test('the node plugin: on the host network (IMDS for its instance id and zone), privileged, its registrar off the EFS port', () => {
    const node = rendered.find(o => o.kind === 'DaemonSet' && o.metadata.name === 'ebs-csi-node');
    expect(node.spec.template.spec.hostNetwork).toBe(true);
    expect(node.spec.template.spec.containers.find((c: { name: string }) => c.name === 'ebs-plugin').securityContext.privileged).toBe(true);
    expect(hostPorts(node)).toEqual([9808, 9810]);
    expect(rendered.filter(o => o.kind === 'DaemonSet').map(o => o.metadata.name)).toEqual(['ebs-csi-node']); // no Windows DaemonSet
    expect(rendered.filter(o => o.kind === 'Pod')).toEqual([]); // no helm test pod
  });

  test('the controller: on the servers\' host network, one per server, its health port and probe on 9818, volumes tagged', () => {
    const controller = controllerOf(rendered);
    const spec = controller.spec.template.spec;
    expect(spec.hostNetwork).toBe(true);
    expect(controller.spec.replicas).toBe(1);
    expect(controller.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution)
      .toEqual({ nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] }] });
    expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    const containers = spec.containers as Array<{ name: string; args: string[]; ports?: unknown[]; livenessProbe?: { httpGet: { port: string } } }>;
    expect(containers[0].args).toEqual(expect.arrayContaining(['--extra-tags=platform.cdk-k8s.io/backup=acme', '--k8s-tag-cluster-id=acme']));
    expect(containers[0].ports).toEqual([{ name: 'healthz', containerPort: 9818, protocol: 'TCP' }]);
    expect(containers[0].livenessProbe!.httpGet.port).toBe('healthz');
    expect(containers.find(c => c.name === 'liveness-probe')!.args).toEqual(['--csi-address=/csi/csi.sock', '--probe-timeout=60s', '--health-port=9818']);
    expect(hostPorts(controller)).toEqual([9818]);
  });

  test('a k3s cluster of three servers runs three controllers, one per server', () => {
    const ha = synth({ distribution: SelfManagedDistribution.k3s({ highAvailability: true }) }).objects;
    expect(parseAllDocuments(helmChartOf(ha).spec.valuesContent)[0].toJSON().controller.replicaCount).toBe(3);
  });

  test('host ports: no clash between the EBS pods and the other host-network pods of the platform', () => {
    const node = rendered.find(o => o.kind === 'DaemonSet');
    // the other host-network charts keep their charts' default ports: the library's values for them set none
    const platform = synth({ distribution: SelfManagedDistribution.kubeadm(), addOns: [new EfsAddOn(), new Observability(), new FluentBitLogs({ region: 'eu-west-1' })] }).objects;
    for (const name of ['efs', 'node-exporter', 'fluent-bit']) {
      const chart = platform.find(o => o?.kind === 'HelmChart' && o.metadata.name === name);
      expect({ name, ports: chart.spec.valuesContent.match(/^\s*[A-Za-z_]*[Pp]ort\b.*$/gm) }).toEqual({ name, ports: null });
    }
    const others: Record<string, number[]> = {
      'EFS node plugin and controller (chart defaults)': [9809, 9909],
      'node-exporter (chart default, hostNetwork)': [9100],
      'fluent-bit (chart default HTTP server)': [2020],
      'kube-router (kubeadm network policies)': [KUBE_ROUTER.healthPort],
      'Traefik on kubeadm (host ports)': [80, 443],
      'kubelet, kube-proxy, etcd and the API (on the nodes)': [10250, 10249, 10256, 2379, 2380, 6443],
    };
    const ebs = [...hostPorts(node), ...hostPorts(controllerOf(rendered))];
    const all = [...ebs, ...Object.values(others).flat()];
    expect(new Set(all).size).toBe(all.length);
  });

  test('a Helm upgrade to other values (the backup tag on) renders the same pod layout: nothing out of band to merge with', () => {
    const a = rendered;
    const off = synth({ addOns: [new EfsAddOn()], volumeBackup: false }).objects;
    const b = helm().template(ARCHIVE, [valuesFile(helmChartOf(off).spec.valuesContent, 'b.yaml')], 'ebs-csi');
    const [before, after] = [controllerOf(b), controllerOf(a)];
    // the only change of the controller's pod is its tag argument
    const tags = (d: any) => d.spec.template.spec.containers[0].args.filter((x: string) => x.startsWith('--extra-tags')); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(tags(before)).toEqual([]);
    expect(tags(after)).toEqual(['--extra-tags=platform.cdk-k8s.io/backup=acme']);
    const strip = (d: any) => JSON.stringify(d).replace(/"--extra-tags=[^"]*",?/g, '').replace(/,\]/g, ']'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(strip(after)).toBe(strip(before));
    // the desired Deployment is the whole truth: one healthz port per container, the probe on the same port
    for (const d of [before, after]) {
      for (const c of d.spec.template.spec.containers as Array<{ ports?: Array<{ name: string; containerPort: number }> }>) {
        const names = (c.ports ?? []).map(p => p.name);
        expect(new Set(names).size).toBe(names.length);
      }
      expect(hostPorts(d)).toEqual([9818]);
      expect(d.spec.template.spec.hostNetwork).toBe(true);
    }
  });

  test('Helm\'s three-way merge of the controller\'s ports: the old out-of-band patch broke on the next upgrade, values do not', () => {
    type Port = { name: string; containerPort: number; protocol?: string };
    // Helm 3 patches a live Deployment with a strategic merge of (last release → new release) over the live
    // object; container ports merge by containerPort: removed if the last release had them and the new does not,
    // replaced if the new release has them, kept otherwise (a port only the live object has stays)
    const merge = (original: Port[], modified: Port[], live: Port[]): Port[] => {
      const has = (list: Port[], p: Port) => list.some(q => q.containerPort === p.containerPort);
      return [...modified, ...live.filter(l => !has(modified, l) && !has(original, l))];
    };
    const ports = (objs: any[]): Port[] => controllerOf(objs).spec.template.spec.containers[0].ports; // eslint-disable-line @typescript-eslint/no-explicit-any
    const duplicateNames = (list: Port[]) => list.length - new Set(list.map(p => p.name)).size;
    // before: the upstream chart with the old values (no controller network or port values), patched live to 9818
    const off = synth({ addOns: [new EfsAddOn()], volumeBackup: false }).objects;
    const oldValues = (backupTag: boolean) => {
      const values = parseAllDocuments(helmChartOf(backupTag ? objects : off).spec.valuesContent)[0].toJSON();
      const { hostNetwork: _h, healthPort: _p, replicaCount: _r, updateStrategy: _u, affinity: _a, ...controller } = values.controller;
      return JSON.stringify({ ...values, controller });
    };
    const upstreamRender = (backupTag: boolean) => ports(helm().template(CHART_DIR, [valuesFile(oldValues(backupTag), `old-${backupTag}.yaml`)], 'ebs-csi'));
    const patchedLive: Port[] = [{ name: 'healthz', containerPort: 9818, protocol: 'TCP' }];
    expect(upstreamRender(false)).toEqual([{ name: 'healthz', containerPort: 9808, protocol: 'TCP' }]);
    // the old design: turning the backup tag on re-renders the chart's 9808 next to the patched 9818 (422, release failed)
    const broken = merge(upstreamRender(false), upstreamRender(true), patchedLive);
    expect(duplicateNames(broken)).toBe(1);
    // the migration from a patched release to the library's chart: the last release's 9808 goes, 9818 is the chart's own
    expect(merge(upstreamRender(false), ports(rendered), patchedLive)).toEqual([{ name: 'healthz', containerPort: 9818, protocol: 'TCP' }]);
    // from then on, any upgrade: the live ports are the release's own
    const untagged = ports(helm().template(ARCHIVE, [valuesFile(helmChartOf(off).spec.valuesContent, 'fork-untagged.yaml')], 'ebs-csi'));
    expect(merge(untagged, ports(rendered), untagged)).toEqual([{ name: 'healthz', containerPort: 9818, protocol: 'TCP' }]);
  });

  test('no controller sidecar opens a port on the host besides the health port', () => {
    const controller = controllerOf(rendered);
    const args = (controller.spec.template.spec.containers as Array<{ args?: string[] }>).flatMap(c => c.args ?? []);
    expect(args.filter(a => /http-endpoint|metrics-address/.test(a))).toEqual([]);
  });

  test('Pod Security: only the node plugin is privileged; the controller is restricted but for the host network; the rest passes every check', () => {
    const others = rendered.filter(o => o.kind !== 'Deployment' && o.kind !== 'DaemonSet');
    expect(others.map(o => o.kind).sort()).toEqual(['CSIDriver', ...Array(5).fill('ClusterRole'), ...Array(5).fill('ClusterRoleBinding'), 'PodDisruptionBudget', 'Role', 'RoleBinding', 'ServiceAccount', 'ServiceAccount']);
    const findings = checkManifests(rendered, { allowServiceAccountToken: true })
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
  test('the cluster\'s encryptionKey encrypts the volumes: the class names it, the server role may use it (and no other key) through EC2 only', () => {
    const app = new App();
    const keys = new Stack(app, 'keys');
    const key = new kms.Key(keys, 'Key');
    const stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', encryptionKey: key });
    const template = Template.fromStack(stack);
    const association = Object.values(template.findResources('AWS::SSM::Association')).find(a => JSON.stringify(a).includes('ebs.csi.aws.com'))!;
    expect(JSON.stringify(association.Properties.Parameters.commands)).toMatch(/\\"kmsKeyId\\":\\"",\{"Fn::ImportValue":"keys:ExportsOutputFnGetAttKey[^"]*Arn[^"]*"\},"\\"/);
    const statements = rolePolicy(template, /ServerRole/);
    const use = statements.find(s => s.Sid === 'EbsCsiVolumeKey')!;
    expect(JSON.stringify(statements.filter(s => s.Sid?.startsWith('EbsCsiVolumeKey')).map(s => s.Resource))).not.toContain('key/*');
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
      .toBe('[k/Cluster] EbsCsiAddOn.install(cluster) is "k/Cluster (k3s)": already has the EBS CSI driver (a SelfManagedPlatformStack installs the EbsCsiAddOn '
        + 'given in addOns, or its own): install EbsCsiAddOn once per cluster.');
  });

  test('one add-on object on a second cluster (its storageClassName and tag value are the first one\'s)', () => {
    const ebs = new EbsCsiAddOn();
    const app = new App();
    new SelfManagedPlatformStack(app, 'one', { platformName: 'one', addOns: [ebs] });
    expect(expectThrownMessage(() => new SelfManagedPlatformStack(app, 'two', { platformName: 'two', addOns: [ebs] })))
      .toBe('[two/Cluster] EbsCsiAddOn.install(cluster) is "two/Cluster (k3s)": is a second cluster for this EbsCsiAddOn (installed on one/Cluster): '
        + 'give each cluster its own new EbsCsiAddOn().');
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
