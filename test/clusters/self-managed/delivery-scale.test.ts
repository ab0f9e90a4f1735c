import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { App as K8sApp } from 'cdk8s';
import { flatten } from './support/user-data';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { ChartManifestFiles, MANIFEST_BUNDLE_HEADER, MANIFEST_FILE_HEADER } from '../../../lib/delivery';
import { PlatformNetwork } from '../../../lib/network';
import { tmpOutdir } from '../../delivery/helpers';
import { webServiceCharts } from '../../delivery/web-services';
import { SYNC_SCRIPT } from '../../support/cluster-model/deliveries';

// A self-managed delivery costs the same however many charts it holds: one S3 object (the bundle of its
// manifest files) in the servers' role policy, one line in the sync association's parameters.

/** IAM: the inline policies of one role together, whitespace excluded (IAM quotas: role policy size). Measured: 1,259. */
const ROLE_POLICY_LIMIT = 10_240;
/**
 * SSM: a document is at most 64 KB (MaxDocumentSizeExceeded); the association's commands become the
 * AWS-RunShellScript document the agent runs. Measured: 17,758 bytes, at one chart as at 300.
 */
const SSM_DOCUMENT_LIMIT = 64 * 1024;
/** A GetAtt stands for an ARN or name of at most this many characters once deployed (conservative). */
const ATTRIBUTE = 'x'.repeat(128);

/** A template value as deployed: intrinsics replaced by sample values (account 111111111111, eu-west-1). */
function deployed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deployed);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return flatten(value).replace(/ATT_[A-Za-z0-9_]+/g, ATTRIBUTE);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deployed(v)]));
  }
  return value;
}

interface Measured {
  readonly rolePolicyChars: number;
  readonly associationParameterBytes: number;
  readonly delivery: ChartManifestFiles;
}

function measure(chartCount: number): Measured {
  const stack = new Stack(new App({ outdir: tmpOutdir() }), 'k3s');
  const k3s = new K3sCluster(stack, 'K3s', { vpc: new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc, clusterName: 'a' });
  k3s.addWorkloads('shop', webServiceCharts(chartCount, { chartCount, app: new K8sApp() }));
  const template = Template.fromStack(stack);
  const role = stack.resolve(k3s.serverRole.roleName) as { Ref: string };
  const own = (template.toJSON().Resources[role.Ref].Properties.Policies ?? []) as Array<{ PolicyDocument: unknown }>;
  const attached = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter(p => (p.Properties.Roles as unknown[]).some(r => JSON.stringify(r) === JSON.stringify(role)));
  const inline = [...own, ...attached.map(p => p.Properties)].map(p => JSON.stringify(deployed(p.PolicyDocument)).replace(/\s/g, ''));
  expect(inline.join('\n')).toMatch(/"s3:GetObject","Effect":"Allow","Resource":"arn:aws:s3:::cdk-[a-z0-9]+-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.yaml"/);
  const [assoc] = Object.values(template.findResources('AWS::SSM::Association'));
  return {
    rolePolicyChars: inline.reduce((n, p) => n + p.length, 0),
    associationParameterBytes: Buffer.byteLength(JSON.stringify(deployed(assoc.Properties.Parameters))),
    delivery: k3s.node.findAll().find((c): c is ChartManifestFiles => c instanceof ChartManifestFiles)!,
  };
}

describe('a self-managed delivery of 300 charts', () => {
  let one: Measured;
  let many: Measured;
  beforeAll(() => {
    one = measure(1);
    many = measure(300);
  });

  test('costs the servers\' role policy and the sync association what a delivery of one chart does', () => {
    expect(many.delivery.files).toHaveLength(300);
    expect(many.rolePolicyChars).toBe(one.rolePolicyChars);
    expect(many.associationParameterBytes).toBe(one.associationParameterBytes);
    expect(many.rolePolicyChars).toBeLessThan(ROLE_POLICY_LIMIT / 2);
    expect(many.associationParameterBytes).toBeLessThan(SSM_DOCUMENT_LIMIT / 2);
  });

  test('the sync\'s split of the bundle gives back every chart\'s manifest file, with its inventory', () => {
    const program = /^UNBUNDLE='([^']*)'$/m.exec(fs.readFileSync(SYNC_SCRIPT, 'utf8'))![1];
    const dir = tmpOutdir();
    const run = spawnSync('awk', ['-v', `dir=${dir}`, '-v', `header=${MANIFEST_BUNDLE_HEADER}`, program, many.delivery.bundlePath], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.trim().split('\n')).toEqual(many.delivery.files.map(f => f.deliveryId));
    for (const f of many.delivery.files) {
      const lines = fs.readFileSync(path.join(dir, `${f.deliveryId}.yaml`), 'utf8').split('\n');
      expect(lines[0]).toBe(MANIFEST_FILE_HEADER);
      expect(lines.filter(l => l.startsWith('# object: '))).toEqual(f.inventory.map(e => `# object: ${e.apiVersion}|${e.kind}|${e.namespace ?? ''}|${e.name}`));
    }
  });
});
