import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiObject, App as Cdk8sApp, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import {
  ArgoCd, CertManager, ClusterDistribution, EfsAddOn, FluentBitLogs, IPlatformAddOn, Observability, SelfManagedDistribution, SelfManagedPlatformStack,
} from '../../lib';
import { VerticalPodAutoscalerAddOn } from '../../lib/addons/vpa';
import { HELM_CONTROLLER } from '../../lib/clusters/kubeadm/helm-controller';
import { ClusterModel } from '../support/cluster-model/cluster-model';
import { renderWorkloads, syncScriptFor } from '../support/cluster-model/deliveries';
import { ModelCluster } from '../support/cluster-model/model-server';
import { expectValidManifests } from '../support/k8s-check';

/**
 * kubeadm runs the Helm controller k3s embeds (k3s-io/helm-controller), so an add-on installs there from the
 * very objects it makes on k3s: the chart's namespace and a `helm.cattle.io/v1` HelmChart in kube-system.
 * Every add-on that runs on k3s is here (VolumeBackupAddOn, Karpenter and CloudWatchObservability refuse both
 * self-managed kinds; ExternalDns has its own suite, external-dns-self-managed.test.ts).
 */
const ADD_ONS = (): IPlatformAddOn[] => [
  new Observability(),
  new FluentBitLogs({ region: 'eu-west-1' }),
  new EfsAddOn(),
  new CertManager(),
  new VerticalPodAutoscalerAddOn(),
  new ArgoCd({ repositoryUrl: 'https://github.com/acme/deploy.git', applications: [{ name: 'shop', path: 'charts/shop' }], targetRevision: 'main' }),
];

interface Synth {
  readonly stack: SelfManagedPlatformStack;
  /** Every object of the add-ons' deliveries (`addon-<id>` and what an add-on delivers next to its chart). */
  readonly objects: any[];
}

const dirs: string[] = [];
afterAll(() => dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

function synth(distribution: SelfManagedDistribution): Synth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeadm-addons-'));
  dirs.push(outdir);
  const app = new App({ outdir });
  const stack = new SelfManagedPlatformStack(app, 'acme', { platformName: 'acme', distribution, addOns: ADD_ONS() });
  app.synth();
  const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
    .flatMap(e => e.isDirectory() ? files(path.join(d, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(d, e.name)] : []);
  const objects = files(outdir).flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJSON()))
    .filter(o => o?.metadata?.labels?.['platform.cdk-k8s.io/delivery'] !== undefined);
  return { stack, objects };
}

/** HelmChartSpec's fields in the pinned controller (v0.16.26, pkg/apis/helm.cattle.io/v1/types.go). */
const HELM_CHART_SPEC_FIELDS = new Set(['targetNamespace', 'createNamespace', 'chart', 'version', 'repo', 'repoCA', 'repoCAConfigMap', 'set',
  'values', 'valuesContent', 'valuesSecrets', 'helmVersion', 'bootstrap', 'takeOwnership', 'serverSide', 'forceConflicts', 'chartContent',
  'jobImage', 'backOffLimit', 'timeout', 'failurePolicy', 'authSecret', 'authPassCredentials', 'insecureSkipTLSVerify', 'plainHTTP',
  'dockerRegistrySecret', 'podSecurityContext', 'securityContext', 'driver']);

const key = (o: any) => `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
const byKey = (objects: any[]) => new Map(objects.map(o => [key(o), o]));

describe('kubeadm: the add-ons install through its Helm controller, from the same objects as on k3s', () => {
  const k3s = synth(SelfManagedDistribution.k3s());
  const kubeadm = synth(SelfManagedDistribution.kubeadm());
  const charts = kubeadm.objects.filter(o => o.kind === 'HelmChart');

  test('every add-on is accepted and its chart is a HelmChart in the namespace the controller watches', () => {
    expect(kubeadm.stack.cluster.distribution).toBe(ClusterDistribution.KUBEADM);
    expect(charts.map(c => c.metadata.name).sort()).toEqual(['argocd', 'cert-manager', 'ebs-csi', 'efs', 'fluent-bit', 'node-exporter', 'observability', 'vpa']);
    for (const chart of charts) {
      expect(chart).toMatchObject({ apiVersion: 'helm.cattle.io/v1', metadata: { namespace: HELM_CONTROLLER.chartNamespace }, spec: { failurePolicy: 'abort' } });
      // pinned: a repository chart by its version, a packaged one (chartContent) by its bytes and the version in its annotation
      if (chart.spec.chartContent === undefined) expect(chart.spec.version).toMatch(/^v?\d+\.\d+\.\d+/);
      else expect(chart.metadata.annotations['platform.cdk-k8s.io/chart']).toMatch(/-\d+\.\d+\.\d+/);
      // what the controller's CRD accepts: known fields only, its failurePolicy enum, a Go duration
      expect(Object.keys(chart.spec).filter(f => !HELM_CHART_SPEC_FIELDS.has(f))).toEqual([]);
      expect(['abort', 'reinstall', 'retry']).toContain(chart.spec.failurePolicy);
      expect(chart.spec.timeout).toMatch(/^\d+s$/);
      expect(typeof chart.spec.valuesContent).toBe('string');
    }
    expect(kubeadm.stack.cluster.traits.verticalPodAutoscaler).toBe(true);
  });

  test('the same objects as on k3s, object for object', () => {
    const [a, b] = [byKey(k3s.objects), byKey(kubeadm.objects)];
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    const differing = [...b.keys()].filter(k => JSON.stringify(b.get(k)) !== JSON.stringify(a.get(k)));
    expect(differing).toEqual([]);
  });

  test('every object of the add-on deliveries passes the schema, Pod Security and cross-reference checks', () => {
    const addOnObjects = kubeadm.objects.filter(o => /^(addon-|argocd-)/.test(o.metadata.labels['platform.cdk-k8s.io/delivery']));
    expect(addOnObjects.length).toBeGreaterThan(charts.length);
    expectValidManifests(addOnObjects, { allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
  });

  test('template: the control plane fetches the controller and each add-on delivery, and the association applies them', () => {
    const template = Template.fromStack(kubeadm.stack);
    const server = JSON.stringify(Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('ServerRole')).map(([, p]) => p));
    const association = JSON.stringify(Object.values(template.findResources('AWS::SSM::Association')));
    const controllerUrl = /HELM_CONTROLLER_URL='[^']*?\/([0-9a-f]{64}\.json)/;
    const userData = JSON.stringify(Object.values(template.findResources('AWS::EC2::LaunchTemplate')));
    expect(userData).toMatch(controllerUrl);
    expect(server).toContain(controllerUrl.exec(userData)![1]);
    for (const id of ['addon-observability', 'addon-fluent-bit', 'addon-efs', 'addon-cert-manager', 'addon-vpa', 'addon-argocd']) expect(association).toContain(`${id} `);
  });

  test('the outputs tell how to reach Grafana with each distribution\'s admin kubectl on a server', () => {
    const access = (stack: SelfManagedPlatformStack) => JSON.stringify(Object.entries(Template.fromStack(stack).findOutputs('*'))
      .filter(([id]) => id.includes('GrafanaAccess')).map(([, o]) => o.Value));
    expect(access(kubeadm.stack)).toContain('then `sudo kubectl --kubeconfig /etc/kubernetes/admin.conf ...`');
    expect(access(kubeadm.stack)).not.toContain('k3s kubectl');
    expect(access(k3s.stack)).toContain('then `sudo k3s kubectl ...`');
  });

  test('the node roles of kubeadm get the log-group and file-system scoped policies of k3s', () => {
    const nodePolicies = (stack: SelfManagedPlatformStack) => Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter(([id]) => /Cluster(Server|Agent)Role/.test(id))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
      .map(st => JSON.stringify(st.Action)).filter(a => /logs:PutLogEvents|elasticfilesystem:/.test(a)).sort();
    expect(nodePolicies(kubeadm.stack).length).toBeGreaterThanOrEqual(4);
    expect(nodePolicies(kubeadm.stack)).toEqual(nodePolicies(k3s.stack));
  });
});

describe('kubeadm sync: the add-on deliveries apply to a model of a live kubeadm cluster', () => {
  const kubeadm = synth(SelfManagedDistribution.kubeadm());
  /** The delivery `id` rebuilt as one cdk8s chart of the objects the stack synthesized for it. */
  const delivery = (id: string) => {
    const chart = new Chart(new Cdk8sApp(), id);
    kubeadm.objects.filter(o => o.metadata.labels['platform.cdk-k8s.io/delivery'] === id)
      .forEach((o, i) => new ApiObject(chart, `o${i}`, o));
    return renderWorkloads(id, [chart]);
  };

  test('the sync script applies every add-on\'s HelmChart and namespace, and a second sync changes nothing', async () => {
    const model = new ClusterModel({ distribution: 'kubeadm' });
    const cluster = await ModelCluster.start(model);
    try {
      const node = cluster.addNode();
      const ids = [...new Set(kubeadm.objects.map(o => o.metadata.labels['platform.cdk-k8s.io/delivery'] as string))].filter(id => id.startsWith('addon-')).sort();
      const names = ['argocd', 'cert-manager', 'ebs-csi', 'efs', 'fluent-bit', 'node-exporter', 'observability', 'vpa'];
      expect(ids).toEqual(names.map(n => `addon-${n}-${n}`)); // delivery addon-<id>, its one chart <id>
      const script = syncScriptFor(cluster, 'kubeadm', ids.map(delivery));
      const first = await cluster.run(node, script);
      model.settle();
      expect(first.output).not.toMatch(/error/i);
      expect(first.status).toBe(0);
      for (const name of names) {
        expect(model.get('HelmChart', HELM_CONTROLLER.chartNamespace, name)).toBeDefined();
      }
      expect(model.get('Namespace', undefined, 'logging')).toBeDefined();
      const second = await cluster.run(node, script);
      expect(second.status).toBe(0);
      expect(model.deletions.filter(d => d.cause === 'kubectl' && !d.name.startsWith('cdk-k8s-platform-inventory-'))).toEqual([]);
    } finally {
      await cluster.close();
    }
  });
});
