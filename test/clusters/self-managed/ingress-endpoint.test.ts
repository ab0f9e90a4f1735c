import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { runWithStubs, StubRun } from './support/stub-run';
import { bashSyntaxErrors, flatten, shellcheckFindings } from './support/user-data';
import { ClusterDistribution } from '../../../lib/clusters/cluster-distribution';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { KUBEADM_ADDONS, KubeadmCluster } from '../../../lib/clusters/kubeadm';
import { DELIVERY_TARGET_TAG, IngressExposure } from '../../../lib/clusters/self-managed';
import { ingressEndpointScript } from '../../../lib/clusters/self-managed/private/ingress-endpoint';
import { serverKubectl } from '../../../lib/clusters/self-managed/private/server-kubectl';
import { PlatformNetwork } from '../../../lib/network';
import { ClusterModel } from '../../support/cluster-model/cluster-model';
import { ModelCluster, ModelNode, ModelRun } from '../../support/cluster-model/model-server';

// Traefik must publish the ingress NLB's DNS name in every Ingress status: external-dns takes its record
// targets from there. The association that sets it is checked in the template, then its script runs against
// a model of a live k3s cluster (HelmChartConfig) and, for kubeadm, against a fake helm that keeps the
// release's values.

const HOST = 'acme-ingress-0123456789abcdef.elb.eu-west-1.amazonaws.com';
const FLAG = '--providers.kubernetesingress.ingressendpoint.hostname=';
const KINDS = [['k3s', ClusterDistribution.K3S], ['kubeadm', ClusterDistribution.KUBEADM]] as const;

function synth(kind: 'k3s' | 'kubeadm', ingress?: IngressExposure) {
  const stack = new Stack(new App(), 'endpoint');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const props = { vpc, clusterName: 'acme', ingress };
  const cluster = kind === 'k3s' ? new K3sCluster(stack, 'Cluster', props) : new KubeadmCluster(stack, 'Cluster', props);
  const template = Template.fromStack(stack);
  const associations = template.findResources('AWS::SSM::Association');
  const find = (part: string) => Object.entries(associations).filter(([id]) => id.includes(part)).map(([, a]) => a.Properties);
  return { stack, cluster, template, associations, endpoint: find('IngressEndpoint'), sync: find('WorkloadSync') };
}

/** The script inside the association's commands (between the heredoc lines). */
function scriptOf(commands: unknown[]): string {
  const text = commands.map(flatten).join('\n');
  return text.slice(text.indexOf('#!/bin/bash'), text.lastIndexOf('\nCDK_K8S_PLATFORM_INGRESS_ENDPOINT'));
}

describe.each(KINDS)('%s: the association that sets the ingress endpoint', (kind, distribution) => {
  test('exists with an ingress NLB: AWS-RunShellScript on the servers (the workload sync\'s targets), every 30 minutes, naming the NLB\'s DNS name', () => {
    for (const ingress of [undefined, IngressExposure.internetFacing()]) {
      const { stack, cluster, endpoint, sync } = synth(kind, ingress);
      expect(endpoint).toHaveLength(1);
      const [association] = endpoint;
      expect(association).toMatchObject({ Name: 'AWS-RunShellScript', ScheduleExpression: 'rate(30 minutes)', MaxConcurrency: '1', MaxErrors: '0' });
      expect(association.Targets).toEqual(sync[0].Targets);
      expect(association.Targets).toEqual([{ Key: `tag:${DELIVERY_TARGET_TAG}`, Values: [expect.anything()] }]); // the servers only
      const nlb = stack.getLogicalId(cluster.ingressLoadBalancer!.node.defaultChild as any);
      expect(scriptOf(association.Parameters.commands)).toContain(`INGRESS_HOSTNAME='ATT_${nlb}_DNSName'`);
    }
  });

  test('does not exist without an ingress NLB (IngressExposure.none())', () => {
    const { endpoint, associations } = synth(kind, IngressExposure.none());
    expect(endpoint).toEqual([]);
    expect(JSON.stringify(associations)).not.toContain('ingressendpoint');
  });

  test('its command is the distribution\'s script, which passes bash -n and shellcheck and holds no secret', () => {
    const { stack, cluster, endpoint } = synth(kind);
    const nlb = stack.getLogicalId(cluster.ingressLoadBalancer!.node.defaultChild as any);
    const script = scriptOf(endpoint[0].Parameters.commands);
    expect(script).toBe(ingressEndpointScript(distribution, `ATT_${nlb}_DNSName`));
    expect(script).toContain(`read -r -a KC <<< '${serverKubectl(distribution)}'`);
    expect(bashSyntaxErrors(script)).toBe('');
    const findings = shellcheckFindings(script);
    if (findings !== undefined) expect(findings).toBe('');
    expect(script).not.toMatch(/secretsmanager|get-secret-value|token/i);
  });
});

// ------------------------------------------------------------------------------------------------ k3s

const HELM_CHART_CONFIG = { group: 'helm.cattle.io', versions: ['v1'], kind: 'HelmChartConfig', plural: 'helmchartconfigs', namespaced: true };

describe('k3s: the script against a model cluster', () => {
  let cluster: ModelCluster;
  let model: ClusterModel;
  let node: ModelNode;
  beforeEach(async () => {
    model = new ClusterModel({ distribution: 'k3s' });
    model.types.push(HELM_CHART_CONFIG); // k3s serves the Helm controller's HelmChartConfig
    cluster = await ModelCluster.start(model);
    node = cluster.addNode();
  });
  afterEach(async () => cluster.close());

  const run = (host = HOST, env: Record<string, string> = {}): Promise<ModelRun> =>
    cluster.run(node, ingressEndpointScript(ClusterDistribution.K3S, host), env);
  const config = () => model.get('HelmChartConfig', 'kube-system', 'traefik');
  const values = () => parse(config()!.spec.valuesContent);
  const applies = (r: ModelRun) => r.calls.filter(c => / apply /.test(c));

  test('writes the HelmChartConfig kube-system/traefik: no published Service, the NLB\'s name as the ingress endpoint, with the library\'s field manager', async () => {
    const r = await run();
    expect(r.output).toContain(`Traefik now publishes ${HOST}`);
    expect(r.status).toBe(0);
    expect(values()).toEqual({ providers: { kubernetesIngress: { publishedService: { enabled: false } } }, additionalArguments: [`${FLAG}${HOST}`] });
    expect(applies(r)).toEqual([expect.stringContaining('k3s kubectl apply --server-side --field-manager=cdk-k8s-platform --force-conflicts -f ')]);
  });

  test('running again changes nothing (no apply), also on a second server', async () => {
    await run();
    const before = JSON.stringify(config());
    const again = await run();
    expect(again.status).toBe(0);
    expect(again.output).toContain(`Traefik already publishes ${HOST}`);
    expect(applies(again)).toEqual([]);
    node = cluster.addNode();
    expect(applies(await run())).toEqual([]);
    expect(JSON.stringify(config())).toBe(before);
  });

  test('an existing HelmChartConfig keeps its other values; conflicting ingress-endpoint arguments are replaced', async () => {
    model.apply({
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChartConfig',
      metadata: { name: 'traefik', namespace: 'kube-system' },
      spec: {
        valuesContent: [
          'logs:', '  access:', '    enabled: true',
          'providers:', '  kubernetesIngress:', '    allowExternalNameServices: true', '  kubernetesCRD:', '    allowCrossNamespace: true',
          'additionalArguments:', '  - "--log.level=DEBUG"', '  - "--providers.kubernetesingress.ingressendpoint.publishedservice=kube-system/traefik"',
          'ports:', '  web:', '    redirections:', '      entryPoint:', '        to: websecure',
        ].join('\n'),
      },
    }, 'kubectl-client-side-apply');
    const r = await run();
    expect(r.status).toBe(0);
    expect(values()).toEqual({
      logs: { access: { enabled: true } },
      providers: { kubernetesIngress: { allowExternalNameServices: true, publishedService: { enabled: false } }, kubernetesCRD: { allowCrossNamespace: true } },
      additionalArguments: ['--log.level=DEBUG', `${FLAG}${HOST}`],
      ports: { web: { redirections: { entryPoint: { to: 'websecure' } } } },
    });
    expect(applies(await run())).toEqual([]);
  });

  test('a new NLB (another ingress scheme) replaces the name: the flag is given once', async () => {
    await run();
    const other = 'acme-ingress-fedcba9876543210.elb.eu-west-1.amazonaws.com';
    expect((await run(other)).status).toBe(0);
    expect(values().additionalArguments).toEqual([`${FLAG}${other}`]);
  });

  test('a HelmChartConfig from a file in the auto-deploy directory is merged, with a warning naming the file', async () => {
    model.apply({
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChartConfig',
      metadata: { name: 'traefik', namespace: 'kube-system', annotations: { 'objectset.rio.cattle.io/owner-name': 'traefik-config' } },
      spec: { valuesContent: 'logs:\n  general:\n    level: INFO\n' },
    }, 'deploy@k3s');
    const r = await run();
    expect(r.status).toBe(0);
    expect(r.output).toContain('HelmChartConfig kube-system/traefik comes from /var/lib/rancher/k3s/server/manifests/traefik-config.yaml');
    expect(values()).toMatchObject({ logs: { general: { level: 'INFO' } }, additionalArguments: [`${FLAG}${HOST}`] });
  });

  test('waits for the bootstrap to finish and for the HelmChartConfig kind; gives up without writing anything', async () => {
    fs.rmSync(path.join(node.root, 'var/lib/cdk-k8s-platform/ready'));
    const early = await run(HOST, { READY_ATTEMPTS: '3' });
    expect(early.status).toBe(1);
    expect(early.output).toContain('the node bootstrap did not finish');
    expect(early.calls).toEqual([]);
    fs.writeFileSync(path.join(node.root, 'var/lib/cdk-k8s-platform/ready'), 'bootstrap complete\n');
    model.types.splice(model.types.indexOf(HELM_CHART_CONFIG), 1);
    const noKind = await run(HOST, { WAIT_ATTEMPTS: '3' });
    expect(noKind.status).toBe(1);
    expect(noKind.calls).toHaveLength(3);
    expect(config()).toBeUndefined();
  });

  test('a value that is not a DNS name is refused before anything runs', async () => {
    const r = await run('x; rm -rf /');
    expect(r.status).toBe(1);
    expect(r.output).toContain('not a DNS name: x; rm -rf /');
    expect(r.calls).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------- kubeadm

/** The values the control plane's boot gives the release (kubeadm-control-plane.sh's --set flags). */
const BOOT_VALUES = { deployment: { kind: 'DaemonSet' }, ports: { web: { hostPort: 80 }, websecure: { hostPort: 443 } }, service: { type: 'ClusterIP' }, ingressClass: { isDefaultClass: true } };

/**
 * helm at /usr/local/bin/helm (where the boot installs it), keeping the release's user-supplied values in a
 * file: `status` fails while there is no release (or `status-fails` counts down), `get values -o json` prints
 * them, `upgrade ... --reuse-values -f FILE` stores FILE's values (the script writes every value there).
 */
const FAKE_HELM = `#!/bin/bash
printf '%s\\n' "helm $*" >> "$CALLS"
state="$CDK_K8S_ROOT/release-values.json"
case " $* " in
  *" status traefik "*)
    n=$(cat "$CDK_K8S_ROOT/status-fails" 2>/dev/null || echo 0)
    if [ "$n" -gt 0 ]; then echo $((n - 1)) > "$CDK_K8S_ROOT/status-fails"; exit 1; fi
    [ -f "$state" ] ;;
  *" get values traefik -o json "*) cat "$state" ;;
  *" upgrade traefik traefik "*" --reuse-values -f "*)
    prev=''; for a in "$@"; do if [ "$prev" = -f ]; then cp "$a" "$state"; fi; prev="$a"; done ;;
  *) echo "fake helm: unsupported: helm $*" >&2; exit 2 ;;
esac
`;

describe('kubeadm: the script against the control plane\'s Traefik release (fake helm)', () => {
  const script = (host = HOST) => ingressEndpointScript(ClusterDistribution.KUBEADM, host);
  function run(options: { release?: unknown; ready?: boolean; statusFails?: number; root?: string; host?: string } = {}): StubRun {
    return runWithStubs(script(options.host), {
      env: { WAIT_ATTEMPTS: '5' },
      setup: root => {
        if (options.root) fs.cpSync(options.root, root, { recursive: true });
        fs.mkdirSync(path.join(root, 'usr/local/bin'), { recursive: true });
        fs.writeFileSync(path.join(root, 'usr/local/bin/helm'), FAKE_HELM, { mode: 0o755 });
        fs.mkdirSync(path.join(root, 'var/lib/cdk-k8s-platform'), { recursive: true });
        if (options.ready !== false) fs.writeFileSync(path.join(root, 'var/lib/cdk-k8s-platform/ready'), 'bootstrap complete\n');
        if (options.release !== undefined) fs.writeFileSync(path.join(root, 'release-values.json'), JSON.stringify(options.release));
        if (options.statusFails) fs.writeFileSync(path.join(root, 'status-fails'), String(options.statusFails));
      },
    });
  }
  const upgrades = (r: StubRun) => r.calls.filter(c => c.startsWith('helm ') && c.includes(' upgrade '));
  const release = (r: StubRun) => JSON.parse(r.file('release-values.json'));

  test('upgrades the release with the pinned chart, its own values kept, no published Service and the NLB\'s name', () => {
    const r = run({ release: BOOT_VALUES });
    expect(r.output).toContain(`Traefik now publishes ${HOST}`);
    expect(r.status).toBe(0);
    expect(upgrades(r)).toEqual([expect.stringMatching(new RegExp(
      `^helm --kubeconfig \\S+/etc/kubernetes/admin.conf --namespace traefik upgrade traefik traefik --repo ${KUBEADM_ADDONS.traefikChartRepository} `
      + `--version ${KUBEADM_ADDONS.traefikChartVersion} --reuse-values -f \\S+/values.json$`))]);
    expect(release(r)).toEqual({
      ...BOOT_VALUES,
      providers: { kubernetesIngress: { publishedService: { enabled: false } } },
      additionalArguments: [`${FLAG}${HOST}`],
    });
  });

  test('running again upgrades nothing', () => {
    const first = run({ release: BOOT_VALUES });
    const again = run({ root: first.root });
    expect(again.status).toBe(0);
    expect(again.output).toContain(`Traefik already publishes ${HOST}`);
    expect(upgrades(again)).toEqual([]);
    expect(release(again)).toEqual(release(first));
  });

  test('a new control plane, whose boot installed the release afresh, gets the endpoint back; additional arguments are kept', () => {
    const r = run({ release: { ...BOOT_VALUES, additionalArguments: ['--log.level=DEBUG', `${FLAG}old.elb.eu-west-1.amazonaws.com`] } });
    expect(r.status).toBe(0);
    expect(release(r).additionalArguments).toEqual(['--log.level=DEBUG', `${FLAG}${HOST}`]);
  });

  test('waits for the bootstrap and the release; gives up without an upgrade', () => {
    const late = run({ release: BOOT_VALUES, statusFails: 3 });
    expect(late.status).toBe(0);
    expect(late.calls.filter(c => c.includes(' status traefik'))).toHaveLength(4);
    expect(upgrades(late)).toHaveLength(1);
    const booting = run({ release: BOOT_VALUES, ready: false });
    expect(booting.status).toBe(1);
    expect(booting.output).toContain('the node bootstrap did not finish');
    expect(booting.calls.filter(c => c.startsWith('helm '))).toEqual([]);
    const noRelease = run();
    expect(noRelease.status).toBe(1);
    expect(noRelease.output).toContain('gave up waiting for: ');
    expect(upgrades(noRelease)).toEqual([]);
  });
});
