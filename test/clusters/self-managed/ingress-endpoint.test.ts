import * as fs from 'fs';
import * as os from 'os';
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

/** Traefik's Deployment as k3s's packaged chart renders it, with `extra` after the chart's own args. */
function traefikDeployment(extra: string[]) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'traefik', namespace: 'kube-system' },
    spec: { template: { spec: { containers: [{ name: 'traefik', args: ['--entryPoints.web.address=:8000/tcp', ...extra] }] } } },
  };
}

/**
 * k3s's Helm controller, as far as these tests need it: a changed HelmChartConfig kube-system/traefik makes its job
 * helm-install-traefik upgrade the release, whose Deployment then runs with the values' additionalArguments; while
 * `state.jobFails` the job fails (3 failed pods) and the Deployment keeps its args.
 */
function modelHelmController(model: ClusterModel, state: { jobFails: boolean }): void {
  const apply = model.apply.bind(model);
  model.apply = (input, manager, reconcile) => {
    const result = apply(input, manager, reconcile);
    if (input.kind === 'HelmChartConfig' && input.metadata?.name === 'traefik' && result !== 'unchanged') {
      apply({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'helm-install-traefik', namespace: 'kube-system' },
        status: state.jobFails ? { failed: 3 } : { succeeded: 1 },
      }, 'helm-controller');
      if (!state.jobFails) apply(traefikDeployment(parse(input.spec.valuesContent)?.additionalArguments ?? []), 'helm');
    }
    return result;
  };
}

describe('k3s: the script against a model cluster', () => {
  let cluster: ModelCluster;
  let model: ClusterModel;
  let node: ModelNode;
  let controller: { jobFails: boolean };
  beforeEach(async () => {
    model = new ClusterModel({ distribution: 'k3s' });
    model.types.push(HELM_CHART_CONFIG); // k3s serves the Helm controller's HelmChartConfig
    controller = { jobFails: false };
    modelHelmController(model, controller);
    model.apply(traefikDeployment([]), 'helm'); // k3s installed its packaged Traefik
    cluster = await ModelCluster.start(model);
    node = cluster.addNode();
  });
  afterEach(async () => cluster.close());

  const run = (host = HOST, env: Record<string, string> = {}): Promise<ModelRun> =>
    cluster.run(node, ingressEndpointScript(ClusterDistribution.K3S, host), env);
  const config = () => model.get('HelmChartConfig', 'kube-system', 'traefik');
  const values = () => parse(config()!.spec.valuesContent);
  const applies = (r: ModelRun) => r.calls.filter(c => / apply /.test(c));
  const traefikArgs = () => model.get('Deployment', 'kube-system', 'traefik')!.spec.template.spec.containers[0].args;

  test('writes the HelmChartConfig kube-system/traefik: no published Service, the NLB\'s name as the ingress endpoint, with the library\'s field manager', async () => {
    const r = await run();
    expect(r.output).toContain(`HelmChartConfig kube-system/traefik now publishes ${HOST}`);
    expect(r.output).toContain(`Traefik publishes ${HOST} in the Ingress status`);
    expect(r.status).toBe(0);
    expect(values()).toEqual({ providers: { kubernetesIngress: { publishedService: { enabled: false } } }, additionalArguments: [`${FLAG}${HOST}`] });
    expect(traefikArgs()).toContain(`${FLAG}${HOST}`);
    expect(applies(r)).toEqual([expect.stringContaining('k3s kubectl apply --server-side --field-manager=cdk-k8s-platform --force-conflicts -f ')]);
  });

  test('running again changes nothing (no apply), also on a second server', async () => {
    await run();
    const before = JSON.stringify(config());
    const again = await run();
    expect(again.status).toBe(0);
    expect(again.output).toContain(`Traefik's values already publish ${HOST}`);
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

  test('a failed helm-install-traefik job fails the run, naming the job, and every later run until Traefik runs with the flag', async () => {
    controller.jobFails = true;
    const r = await run(HOST, { ROLLOUT_ATTEMPTS: '3' });
    expect(r.status).toBe(1);
    expect(r.output).toContain(`Traefik's Deployment kube-system/traefik does not run with ${FLAG}${HOST}: the Helm controller's job `
      + 'kube-system/helm-install-traefik has 3 failed pod(s); see kubectl -n kube-system logs job/helm-install-traefik');
    const again = await run(HOST, { ROLLOUT_ATTEMPTS: '3' });
    expect(again.status).toBe(1);
    expect(applies(again)).toEqual([]);
    model.apply(traefikDeployment([`${FLAG}${HOST}`]), 'helm'); // the job's next attempt succeeded
    const fixed = await run(HOST, { ROLLOUT_ATTEMPTS: '3' });
    expect(fixed.status).toBe(0);
    expect(applies(fixed)).toEqual([]);
  });

  test('additionalArguments that is not a list fails the run, naming the value and the fix; nothing is applied', async () => {
    model.apply({
      apiVersion: 'helm.cattle.io/v1',
      kind: 'HelmChartConfig',
      metadata: { name: 'traefik', namespace: 'kube-system' },
      spec: { valuesContent: 'additionalArguments: "--log.level=DEBUG"\n' },
    }, 'kubectl-client-side-apply');
    const r = await run();
    expect(r.status).toBe(1);
    expect(r.output).toContain('additionalArguments of the existing Traefik values must be a list, not str "--log.level=DEBUG": '
      + 'write it as a YAML list (additionalArguments: ["--log.level=DEBUG"]) and run again');
    expect(applies(r)).toEqual([]);
    expect(values()).toEqual({ additionalArguments: '--log.level=DEBUG' });
  });

  test('without PyYAML: a new HelmChartConfig is written as JSON (valid YAML), read back the same way; an existing YAML one is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'no-pyyaml-'));
    try {
      fs.writeFileSync(path.join(dir, 'yaml.py'), 'raise ImportError("No module named \'yaml\'")\n');
      const env = { PYTHONPATH: dir };
      const r = await run(HOST, env);
      expect(r.status).toBe(0);
      expect(JSON.parse(config()!.spec.valuesContent)).toEqual({ providers: { kubernetesIngress: { publishedService: { enabled: false } } }, additionalArguments: [`${FLAG}${HOST}`] });
      const again = await run(HOST, env);
      expect(again.status).toBe(0);
      expect(applies(again)).toEqual([]);
      model.apply({ ...config()!, spec: { valuesContent: 'logs:\n  general:\n    level: INFO\n' } }, 'kubectl-client-side-apply');
      const yamlConfig = await run(HOST, env);
      expect(yamlConfig.status).toBe(1);
      expect(yamlConfig.output).toContain('python3 with PyYAML is needed to merge the existing Traefik values');
      expect(applies(yamlConfig)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a host name that could leave its quotes is refused: a single quote at synth, command substitution unexpanded before anything runs', async () => {
    expect(() => ingressEndpointScript(ClusterDistribution.K3S, "x'; touch /tmp/pwned; '")).toThrow(/INGRESS_HOSTNAME must not contain a single quote/);
    const marker = path.join(node.root, 'pwned');
    const r = await run(`$(touch ${marker})`);
    expect(r.status).toBe(1);
    expect(r.output).toContain(`not a DNS name: $(touch ${marker})`);
    expect(fs.existsSync(marker)).toBe(false);
    expect(r.calls).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------- kubeadm

/** The values the control plane's boot gives the release (kubeadm-control-plane.sh's --set flags). */
const BOOT_VALUES = {
  deployment: { kind: 'DaemonSet' },
  ports: { web: { hostPort: 80 }, websecure: { hostPort: 443 } },
  service: { type: 'ClusterIP' },
  ingressClass: { isDefaultClass: true },
  updateStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
};
/** What the merge adds to them. */
const PUBLISHED = {
  providers: { kubernetesIngress: { publishedService: { enabled: false } } },
  additionalArguments: [`${FLAG}${HOST}`],
  updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
};

/**
 * helm at /usr/local/bin/helm (where the boot installs it), keeping the release in files: its user-supplied
 * values, the chart version and the latest revision's status. `status` fails while there is no release (or
 * `status-fails` counts down); `get values -o json` and `get metadata -o json` print them; `upgrade ...
 * --reuse-values -f FILE` stores FILE's values (the script writes every value there), the chart version it names
 * and status `deployed`, and renders the DaemonSet's args from additionalArguments (`ds-args.json`, which the fake
 * kubectl prints).
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
  *" get metadata traefik -o json "*)
    printf '{"name":"traefik","chart":"traefik","version":"%s","status":"%s","revision":3}\\n' "$(cat "$CDK_K8S_ROOT/chart-version")" "$(cat "$CDK_K8S_ROOT/release-status")" ;;
  *" upgrade traefik traefik "*" --reuse-values -f "*)
    prev=''
    for a in "$@"; do
      if [ "$prev" = -f ]; then cp "$a" "$state"; fi
      if [ "$prev" = --version ]; then echo "$a" > "$CDK_K8S_ROOT/chart-version"; fi
      prev="$a"
    done
    echo deployed > "$CDK_K8S_ROOT/release-status"
    python3 -c 'import json, sys; print(json.dumps(["--entryPoints.web.address=:8000/tcp"] + json.load(open(sys.argv[1])).get("additionalArguments", [])))' \\
      "$state" > "$CDK_K8S_ROOT/ds-args.json" ;;
  *) echo "fake helm: unsupported: helm $*" >&2; exit 2 ;;
esac
`;

/** kubectl on the control plane: the API answers, the DaemonSet's args, its rollout (stuck while `rollout-stuck` exists). */
const FAKE_KUBECTL = `case "$*" in
  *" get namespace kube-system") ;;
  *"-n traefik get daemonset traefik --ignore-not-found -o jsonpath={.spec.template.spec.containers[0].args}") cat "$CDK_K8S_ROOT/ds-args.json" 2>/dev/null || true ;;
  *"-n traefik rollout status daemonset/traefik --timeout=10m")
    if [ -f "$CDK_K8S_ROOT/rollout-stuck" ]; then echo 'error: timed out waiting for the condition' >&2; exit 1; fi
    echo 'daemon set "traefik" successfully rolled out' ;;
  *) echo "fake kubectl: unsupported: kubectl $*" >&2; exit 2 ;;
esac`;

interface KubeadmRunOptions {
  /** The release's user-supplied values (none: no release yet). */
  release?: unknown;
  /** The release's chart version. */
  version?: string;
  /** The latest revision's status. */
  status?: string;
  /** The DaemonSet's args (JSON). */
  dsArgs?: string[];
  ready?: boolean;
  statusFails?: number;
  rolloutStuck?: boolean;
  /** Start from a previous run's files. */
  root?: string;
  host?: string;
}

describe('kubeadm: the script against the control plane\'s Traefik release (fake helm and kubectl)', () => {
  const script = (host = HOST) => ingressEndpointScript(ClusterDistribution.KUBEADM, host);
  function run(o: KubeadmRunOptions = {}): StubRun {
    return runWithStubs(script(o.host), {
      env: { WAIT_ATTEMPTS: '5' },
      stubs: { kubectl: FAKE_KUBECTL },
      setup: root => {
        const at = (p: string) => path.join(root, p);
        if (o.root) fs.cpSync(o.root, root, { recursive: true });
        fs.mkdirSync(at('usr/local/bin'), { recursive: true });
        fs.writeFileSync(at('usr/local/bin/helm'), FAKE_HELM, { mode: 0o755 });
        fs.mkdirSync(at('var/lib/cdk-k8s-platform'), { recursive: true });
        if (o.ready === false) fs.rmSync(at('var/lib/cdk-k8s-platform/ready'), { force: true });
        else fs.writeFileSync(at('var/lib/cdk-k8s-platform/ready'), 'bootstrap complete\n');
        if (o.release !== undefined) fs.writeFileSync(at('release-values.json'), JSON.stringify(o.release));
        if (o.release !== undefined || o.version) fs.writeFileSync(at('chart-version'), o.version ?? KUBEADM_ADDONS.traefikChartVersion);
        if (o.release !== undefined || o.status) fs.writeFileSync(at('release-status'), o.status ?? 'deployed');
        if (o.dsArgs) fs.writeFileSync(at('ds-args.json'), JSON.stringify(o.dsArgs));
        if (o.statusFails) fs.writeFileSync(at('status-fails'), String(o.statusFails));
        fs.rmSync(at('rollout-stuck'), { force: true });
        if (o.rolloutStuck) fs.writeFileSync(at('rollout-stuck'), '');
      },
    });
  }
  const upgrades = (r: StubRun) => r.calls.filter(c => c.startsWith('helm ') && c.includes(' upgrade '));
  const rollouts = (r: StubRun) => r.calls.filter(c => c.startsWith('kubectl ') && c.includes(' rollout status '));
  const release = (r: StubRun) => JSON.parse(r.file('release-values.json'));

  test('upgrades the release with its deployed chart, its own values kept, no published Service, the NLB\'s name, a DaemonSet-safe strategy; waits for the rollout', () => {
    const r = run({ release: BOOT_VALUES });
    expect(r.output).toContain(`Traefik publishes ${HOST} in the Ingress status`);
    expect(r.status).toBe(0);
    expect(upgrades(r)).toEqual([expect.stringMatching(new RegExp(
      `^helm --kubeconfig \\S+/etc/kubernetes/admin.conf --namespace traefik upgrade traefik traefik --repo ${KUBEADM_ADDONS.traefikChartRepository} `
      + `--version ${KUBEADM_ADDONS.traefikChartVersion} --reuse-values -f \\S+/values.json$`))]);
    expect(release(r)).toEqual({ ...BOOT_VALUES, ...PUBLISHED });
    expect(rollouts(r)).toEqual(['kubectl --kubeconfig /etc/kubernetes/admin.conf -n traefik rollout status daemonset/traefik --timeout=10m']);
    expect(r.calls.indexOf(rollouts(r)[0])).toBeGreaterThan(r.calls.indexOf(upgrades(r)[0]));
  });

  test('a release created before the strategy existed (chart default maxUnavailable 0, maxSurge 1) gets the DaemonSet-safe one in the same upgrade', () => {
    const old = { ...BOOT_VALUES, updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } };
    const r = run({ release: old });
    expect(r.status).toBe(0);
    expect(upgrades(r)).toHaveLength(1);
    expect(release(r).updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  });

  test('upgrades with the chart version the release runs, not the library\'s pin: chart upgrades are the boot\'s', () => {
    const r = run({ release: BOOT_VALUES, version: '34.4.1' });
    expect(r.status).toBe(0);
    expect(upgrades(r)).toEqual([expect.stringContaining(' --version 34.4.1 --reuse-values ')]);
    expect(r.file('chart-version').trim()).toBe('34.4.1');
  });

  test('running again upgrades nothing, still checks the rollout', () => {
    const first = run({ release: BOOT_VALUES });
    const again = run({ root: first.root });
    expect(again.status).toBe(0);
    expect(again.output).toContain(`Traefik's values already publish ${HOST} (chart ${KUBEADM_ADDONS.traefikChartVersion}, deployed)`);
    expect(upgrades(again)).toEqual([]);
    expect(rollouts(again)).toHaveLength(1);
    expect(release(again)).toEqual(release(first));
  });

  test('a rollout that does not finish fails the run, and every later run until it does', () => {
    const stuck = run({ release: BOOT_VALUES, rolloutStuck: true });
    expect(stuck.status).toBe(1);
    expect(stuck.output).toContain('error: timed out waiting for the condition');
    expect(stuck.output).toContain('the Traefik DaemonSet did not finish its rollout: see kubectl -n traefik get pods,daemonset -o wide');
    expect(stuck.output).not.toContain('in the Ingress status');
    const still = run({ root: stuck.root, rolloutStuck: true });
    expect(still.status).toBe(1);
    expect(upgrades(still)).toEqual([]);
    const done = run({ root: stuck.root });
    expect(done.status).toBe(0);
  });

  test('values in place but the latest revision failed, or the DaemonSet runs without the flag: upgrades again', () => {
    const first = run({ release: BOOT_VALUES });
    const failed = run({ root: first.root, status: 'failed' });
    expect(failed.output).toContain('latest revision failed; values unchanged');
    expect(upgrades(failed)).toHaveLength(1);
    expect(failed.status).toBe(0);
    const edited = run({ root: first.root, dsArgs: ['--entryPoints.web.address=:8000/tcp'] });
    expect(upgrades(edited)).toHaveLength(1);
    expect(JSON.parse(edited.file('ds-args.json'))).toContain(`${FLAG}${HOST}`);
    const otherHost = run({ root: first.root, dsArgs: ['--entryPoints.web.address=:8000/tcp', `${FLAG}${HOST}.example.com`] });
    expect(upgrades(otherHost)).toHaveLength(1);
  });

  test('a release with an operation pending is left alone, with what to do', () => {
    const r = run({ release: BOOT_VALUES, status: 'pending-upgrade' });
    expect(r.status).toBe(1);
    expect(r.output).toContain('the traefik release is pending-upgrade: another helm operation runs or was interrupted; see helm -n traefik history traefik');
    expect(upgrades(r)).toEqual([]);
  });

  test('a new control plane, whose boot installed the release afresh, gets the endpoint back; additional arguments are kept', () => {
    const r = run({ release: { ...BOOT_VALUES, additionalArguments: ['--log.level=DEBUG', `${FLAG}old.elb.eu-west-1.amazonaws.com`] } });
    expect(r.status).toBe(0);
    expect(release(r).additionalArguments).toEqual(['--log.level=DEBUG', `${FLAG}${HOST}`]);
  });

  test('additionalArguments that is not a list fails the run, naming the value and the fix; nothing is upgraded', () => {
    const r = run({ release: { ...BOOT_VALUES, additionalArguments: '--log.level=DEBUG' } });
    expect(r.status).toBe(1);
    expect(r.output).toContain('additionalArguments of the existing Traefik values must be a list, not str "--log.level=DEBUG": '
      + 'write it as a YAML list (additionalArguments: ["--log.level=DEBUG"]) and run again');
    expect(upgrades(r)).toEqual([]);
    expect(release(r).additionalArguments).toBe('--log.level=DEBUG');
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
