import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cdk8s from 'cdk8s';
import { EksPlatformStack } from '../../lib/platform';
import { ClusterTraits, PlatformChart } from '../../lib/workloads';

/** The workloads of one app version: Deployments and Services as plain API objects. */
interface Release { readonly tag: string; readonly replicas: number; readonly services: string[] }

function synth(release: Release): Template {
  const app = new App();
  const stack = new EksPlatformStack(app, 'acme-eks', { platformName: 'acme' });
  const charts = new cdk8s.App();
  const chart = new PlatformChart(charts, 'shop', { traits: ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }), namespace: 'shop' });
  for (const name of release.services) {
    new cdk8s.ApiObject(chart, `${name}-deployment`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: release.replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `public.ecr.aws/nginx/nginx:${release.tag}` }] } },
      },
    });
    new cdk8s.ApiObject(chart, `${name}-service`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app: name }, ports: [{ port: 80 }] },
    });
  }
  stack.cluster.addWorkloads('Apps', [chart]);
  return Template.fromStack(stack);
}

/** Resources whose replacement would lose the network, the cluster or its nodes. */
const INFRA = /^AWS::(EC2|EKS|KMS|Logs)::|^AWS::IAM::Role$/;

describe('changing only workloads', () => {
  let before: Record<string, { Type: string; Properties?: unknown }>;
  let after: Record<string, { Type: string; Properties?: unknown }>;
  beforeAll(() => {
    before = synth({ tag: '1.27', replicas: 2, services: ['web'] }).toJSON().Resources;
    after = synth({ tag: '1.28', replicas: 3, services: ['web', 'api'] }).toJSON().Resources;
  });

  test('the two synths differ (the workloads reached the template as a chart asset)', () => {
    expect(JSON.stringify(after)).not.toEqual(JSON.stringify(before));
  });

  test('every VPC, cluster, node-group, add-on, key, log group and role keeps its logical ID and properties', () => {
    const infra = (r: typeof before) => Object.fromEntries(Object.entries(r).filter(([, v]) => INFRA.test(v.Type)));
    const b = infra(before);
    const a = infra(after);
    expect(Object.keys(b).length).toBeGreaterThan(40);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const id of Object.keys(b)) expect({ id, ...a[id] }).toEqual({ id, ...b[id] });
  });
});
