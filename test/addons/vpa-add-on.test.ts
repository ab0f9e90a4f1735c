import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseAllDocuments } from 'yaml';
import { EksPlatformStack, SelfManagedPlatformStack } from '../../lib';
import { VerticalPodAutoscalerAddOn, VPA_CHART } from '../../lib/addons/vpa';
import { expectThrownMessage } from '../robustness/support';

const RESTRICTED_POD = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } };
const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

describe('EKS: the official chart, pinned, every pod restricted', () => {
  const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme', addOns: [new VerticalPodAutoscalerAddOn()] });
  const [release] = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart'))
    .filter(r => r.Properties.Release === 'vpa');
  const values = JSON.parse(release.Properties.Values);

  test('kubernetes/autoscaler chart 0.11.0 (VPA 1.7.1) in namespace vpa', () => {
    expect(release.Properties).toMatchObject({
      Repository: 'https://kubernetes.github.io/autoscaler', Chart: 'vertical-pod-autoscaler', Version: '0.11.0', Namespace: 'vpa', Atomic: true,
    });
    expect(VPA_CHART.appVersion).toBe('1.7.1');
  });

  test('pods and containers of every component (and of the certgen Jobs) under Pod Security restricted', () => {
    expect(values.podSecurityContext).toEqual(RESTRICTED_POD);
    expect(values.containerSecurityContext).toEqual(RESTRICTED_CONTAINER);
    expect(values.admissionController.certGen).toMatchObject({ enabled: true, podSecurityContext: RESTRICTED_POD, securityContext: RESTRICTED_CONTAINER });
  });

  test('images pinned to the chart\'s VPA version; requests, memory limits, two replicas with a PDB', () => {
    for (const c of ['recommender', 'updater', 'admissionController']) {
      expect(values[c]).toMatchObject({ replicas: 2, image: { tag: '1.7.1' }, podDisruptionBudget: { enabled: true, minAvailable: 1 } });
      expect(values[c].resources.requests.cpu).toBeDefined();
      expect(values[c].resources.limits.memory).toBe(values[c].resources.requests.memory);
    }
  });

  test('the chart makes the webhook certificate; the webhook never blocks pods and cannot delete webhooks', () => {
    expect(values.admissionController).toMatchObject({ registerWebhook: false, mutatingWebhookConfiguration: { failurePolicy: 'Ignore' } });
  });

  test('installing it makes the traits say the VPA runs', () => {
    expect(stack.cluster.traits.verticalPodAutoscaler).toBe(true);
    expect(new EksPlatformStack(new App(), 'other', { platformName: 'other' }).cluster.traits.verticalPodAutoscaler).toBe(false);
  });
});

test('k3s: a HelmChart object for the k3s Helm controller, the same values', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpa-'));
  try {
    const app = new App({ outdir });
    const stack = new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', addOns: [new VerticalPodAutoscalerAddOn({ replicas: 1 })] });
    app.synth();
    const files = fs.readdirSync(outdir).filter(f => f.endsWith('.yaml')).map(f => path.join(outdir, f));
    const helmChart = files.flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJSON())).find(o => o?.kind === 'HelmChart' && o.metadata.name === 'vpa');
    expect(helmChart.spec).toMatchObject({ chart: 'vertical-pod-autoscaler', version: '0.11.0', targetNamespace: 'vpa' });
    const values = parseAllDocuments(helmChart.spec.valuesContent)[0].toJSON();
    expect(values.recommender).toMatchObject({ replicas: 1, podDisruptionBudget: { enabled: false } });
    expect(stack.cluster.traits.verticalPodAutoscaler).toBe(true);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

describe('bad input', () => {
  test.each<[string, object, string]>([
    ['a namespace that is not a label', { namespace: 'VPA' }, 'VerticalPodAutoscalerAddOn.namespace is "VPA": must be a DNS-1123 label'],
    ['no replicas', { replicas: 0 }, 'VerticalPodAutoscalerAddOn.replicas is 0: must be an integer from 1 to 5.'],
  ])('%s', (_what, props, message) => {
    expect(expectThrownMessage(() => new EksPlatformStack(new App(), 'e', { platformName: 'acme', addOns: [new VerticalPodAutoscalerAddOn(props)] }))).toContain(message);
  });
});
