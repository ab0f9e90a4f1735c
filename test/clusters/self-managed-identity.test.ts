import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { Chart, Testing } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { K3sCluster } from '../../lib/clusters/k3s';
import { KubeadmCluster } from '../../lib/clusters/kubeadm';
import { SelfManagedClusterProps } from '../../lib/clusters/self-managed';
import { podIdentityWebhookChart, POD_IDENTITY_WEBHOOK_IMAGE, WEBHOOK_NAME, WEBHOOK_NAMESPACE } from '../../lib/clusters/self-managed/identity/pod-identity-webhook';
import { renderScript } from '../../lib/clusters/self-managed/private/render';
import { workloadIdentityGrant } from '../../lib/clusters/workload-identity';
import { ChartManifestFiles } from '../../lib/delivery/chart-manifest-files';
import { PlatformNetwork } from '../../lib/network';
import { PlatformChart, SecretRef, WebService } from '../../lib/workloads';
import { WorkloadIdentity } from '../../lib/workloads/workload-identity';
import { checkManifests, expectValidManifests } from '../support/k8s-check';
import { runWithStubs } from './self-managed/support/stub-run';
import { bashSyntaxErrors, flatten, nagFindings, reportingApp, shellcheckFindings, userDataOf } from './self-managed/support/user-data';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const SCRIPTS = path.join(__dirname, '../../lib/clusters/self-managed');

function build(kind: 'k3s' | 'kubeadm', props: Partial<SelfManagedClusterProps> = {}, env: typeof ENV | 'agnostic' = ENV) {
  const app = new App();
  const stack = new Stack(app, `${kind}-identity`, { env: env === 'agnostic' ? undefined : env });
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const common = { vpc, clusterName: 'acme', ...props };
  const cluster = kind === 'k3s' ? new K3sCluster(stack, 'Cluster', common) : new KubeadmCluster(stack, 'Cluster', common);
  return { app, stack, cluster };
}

function shopChart(cluster: K3sCluster | KubeadmCluster): { chart: PlatformChart; orders: WorkloadIdentity } {
  const chart = new PlatformChart(Testing.app(), 'shop', { traits: cluster.traits, namespace: 'shop' });
  return { chart, orders: new WorkloadIdentity(chart, 'orders') };
}

function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('workload identity on k3s: the AWS side', () => {
  let template: Template;
  let delivered: string;
  beforeAll(() => {
    const { stack, cluster } = build('k3s', { workloadIdentity: {} });
    const { chart, orders } = shopChart(cluster);
    // addWorkloads binds the chart's identities before it writes the manifest; a grant afterwards is that role.
    cluster.addWorkloads('shop', [chart]);
    const grant = workloadIdentityGrant(cluster, orders);
    expect(grant.namespace).toBe('shop');
    expect(grant.serviceAccountName).toBe('orders');
    expect(workloadIdentityGrant(cluster, orders)).toBe(grant);
    const delivery = cluster.node.findChild('Workloads-shop').node.children.find(c => c instanceof ChartManifestFiles) as ChartManifestFiles;
    delivered = fs.readFileSync(delivery.bundlePath, 'utf8');
    template = Template.fromStack(stack);
  });

  test('the documents bucket is private, encrypted, SSL only, and read by CloudFront through OAC', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).map(p => JSON.stringify(p.Properties.PolicyDocument));
    const documents = policies.find(p => p.includes('cloudfront.amazonaws.com'));
    expect(documents).toBeDefined();
    expect(documents).toContain('"aws:SecureTransport":"false"');
    expect(documents).toContain('AWS:SourceArn');
    expect(documents).not.toMatch(/"Principal":"\*","Action":"s3:GetObject"/);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only', AllowedMethods: ['GET', 'HEAD'] }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: Match.anyValue() })],
      }),
    });
  });

  test('an IAM OIDC provider for the CloudFront URL with audience sts.amazonaws.com', () => {
    const providers = Object.values(template.findResources('AWS::IAM::OIDCProvider'));
    expect(providers).toHaveLength(1);
    expect(providers[0].Properties.ClientIdList).toEqual(['sts.amazonaws.com']);
    expect(flatten(providers[0].Properties.Url)).toMatch(/^https:\/\/ATT_ClusterWorkloadIdentityIssuerDistribution[A-Z0-9]+_DomainName$/);
  });

  test('one role per identity, trusted for web identity with sub and aud conditions', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'))
      .filter(r => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('AssumeRoleWithWebIdentity'));
    expect(roles).toHaveLength(1);
    const statement = roles[0].Properties.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement.Principal.Federated).toEqual({ Ref: expect.stringMatching(/IssuerProvider/) });
    expect(Object.keys(statement.Condition)).toEqual(['StringEquals']);
    const conditions = template.findResources('Custom::AWSCDKCfnJson');
    expect(Object.keys(conditions)).toHaveLength(1);
    // The condition keys name the issuer host: the distribution's domain (CfnJson resolves it at deploy).
    const host = 'ATT_ClusterWorkloadIdentityIssuerDistribution05034582_DomainName';
    expect(JSON.parse(flatten(Object.values(conditions)[0].Properties.Value))).toEqual({
      [`${host}:sub`]: 'system:serviceaccount:shop:orders',
      [`${host}:aud`]: 'sts.amazonaws.com',
    });
    expect(statement.Condition.StringEquals).toEqual({ 'Fn::GetAtt': [Object.keys(conditions)[0], 'Value'] });
    expect(roles[0].Properties.RoleName).toMatch(/^acme-shop-orders-[0-9a-f]{8}$/);
    // The delivered manifest names the role: the ServiceAccount was annotated before addWorkloads wrote it.
    expect(delivered).toContain(`eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/${roles[0].Properties.RoleName}`);
  });

  test('the servers may write the two documents only, and read the identity tool', () => {
    const serverPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) => id.includes('ServerRole'))![1];
    const statements = serverPolicy.Properties.PolicyDocument.Statement as any[];
    const put = statements.find(s => s.Action === 's3:PutObject' && JSON.stringify(s.Resource).includes('Documents'));
    expect(put.Resource.map(flatten)).toEqual([
      expect.stringMatching(/\/\.well-known\/openid-configuration$/),
      expect.stringMatching(/\/openid\/v1\/jwks$/),
    ]);
  });
});

describe('workload identity: the servers\' boot scripts', () => {
  test('k3s servers get the issuer flags, the old issuer second; agents are unchanged', () => {
    const on = Template.fromStack(build('k3s', { workloadIdentity: {} }).stack);
    const off = Template.fromStack(build('k3s').stack);
    const server = userDataOf(on, 'Server');
    expect(server).toContain('IDENTITY_MODE=\'k3s\'');
    expect(server).toMatch(/ISSUER_URL='https:\/\/ATT_ClusterWorkloadIdentityIssuerDistribution\w+_DomainName'/);
    expect(server).toContain('PREVIOUS_ISSUER=\'https://kubernetes.default.svc.cluster.local\'');
    expect(server).toMatch(/JWKS_URI='https:\/\/ATT_\w+_DomainName\/openid\/v1\/jwks'/);
    expect(userDataOf(on, 'Agent')).toBe(userDataOf(off, 'Agent'));
    expect(userDataOf(off, 'Server')).not.toContain('IDENTITY_MODE');
    expect(bashSyntaxErrors(server)).toBe('');
    expect(shellcheckFindings(server) ?? '').toBe('');
    expect(Buffer.byteLength(server)).toBeLessThan(16 * 1024);
  });

  test('kubeadm: the control plane\'s ClusterConfiguration gets the flags as apiServer extraArgs', () => {
    const server = userDataOf(Template.fromStack(build('kubeadm', { workloadIdentity: {} }).stack), 'Server');
    expect(server).toContain('IDENTITY_MODE=\'kubeadm\'');
    expect(server).toContain('${KUBEADM_APISERVER_EXTRA_ARGS:-}');
    expect(bashSyntaxErrors(server)).toBe('');
    expect(shellcheckFindings(server) ?? '').toBe('');
    expect(Buffer.byteLength(server)).toBeLessThan(16 * 1024);
  });

  const values = (mode: string) => ({
    STACK_NAME: 'teststack',
    NODE_GROUP_RESOURCE: 'ServerGroup',
    IDENTITY_MODE: mode,
    REGION: 'eu-west-1',
    ISSUER_URL: 'https://d111.cloudfront.net',
    JWKS_URI: 'https://d111.cloudfront.net/openid/v1/jwks',
    PREVIOUS_ISSUER: 'https://kubernetes.default.svc.cluster.local',
    ISSUER_BUCKET: 'issuer-bucket',
    IDENTITY_TOOL_URL: 's3://assets/tool.sh',
  });
  // The distribution's script (which defines REGION for common.sh's exit signal) follows the fragment on a node.
  const fragment = (mode: string, tail: string) => `${renderScript([
    path.join(SCRIPTS, 'scripts/common.sh'),
    path.join(SCRIPTS, `identity/scripts/workload-identity-${mode}.sh`),
    path.join(SCRIPTS, 'identity/scripts/workload-identity-timer.sh'),
  ], values(mode))}\nREGION=eu-west-1\n${tail}\n`;

  test('k3s: the fragment writes a config.yaml.d drop-in (0600) and enables the identity timer', () => {
    const run = runWithStubs(fragment('k3s', 'mark_ready'));
    expect(run.output).not.toMatch(/error|unbound/i);
    expect(run.status).toBe(0);
    const dropIn = parse(run.file('etc/rancher/k3s/config.yaml.d/50-workload-identity.yaml'));
    expect(dropIn).toEqual({
      'kube-apiserver-arg': [
        'service-account-issuer=https://d111.cloudfront.net',
        'service-account-issuer=https://kubernetes.default.svc.cluster.local',
        'service-account-jwks-uri=https://d111.cloudfront.net/openid/v1/jwks',
      ],
    });
    expect(run.mode('etc/rancher/k3s/config.yaml.d/50-workload-identity.yaml')).toBe(0o600);
    expect(run.calls).toEqual(expect.arrayContaining(['systemctl enable cdk-k8s-platform-identity.timer', 'systemctl start cdk-k8s-platform-identity.timer']));
    const unit = run.file('etc/systemd/system/cdk-k8s-platform-identity.service');
    expect(unit).toContain('ExecStartPre=/bin/sh -c \'test -x /usr/local/sbin/cdk-k8s-platform-identity || (aws s3 cp --only-show-errors --region eu-west-1 s3://assets/tool.sh');
    expect(run.file('etc/cdk-k8s-platform/workload-identity.env')).toContain('ISSUER_BUCKET=\'issuer-bucket\'');
  });

  test('kubeadm: the extraArgs block is valid v1beta4 YAML in the ClusterConfiguration', () => {
    const run = runWithStubs(fragment('kubeadm', `cat > "$CDK_K8S_ROOT/cluster.yaml" <<CONFIG
apiServer:
  certSANs: ["api", "127.0.0.1"]
\${KUBEADM_APISERVER_EXTRA_ARGS:-}
networking:
  podSubnet: "10.244.0.0/16"
CONFIG
mark_ready`));
    expect(run.status).toBe(0);
    expect(run.exists('etc/rancher/k3s/config.yaml.d')).toBe(false);
    expect(parse(run.file('cluster.yaml'))).toEqual({
      apiServer: {
        certSANs: ['api', '127.0.0.1'],
        extraArgs: [
          { name: 'service-account-issuer', value: 'https://d111.cloudfront.net' },
          { name: 'service-account-issuer', value: 'https://kubernetes.default.svc.cluster.local' },
          { name: 'service-account-jwks-uri', value: 'https://d111.cloudfront.net/openid/v1/jwks' },
        ],
      },
      networking: { podSubnet: '10.244.0.0/16' },
    });
  });
});

describe('the identity tool (publish the documents, renew the webhook certificate)', () => {
  const TOOL = require('fs').readFileSync(path.join(SCRIPTS, 'identity/scripts/cdk-k8s-platform-identity.sh'), 'utf8') as string;
  const ISSUER = 'https://d111.cloudfront.net';
  // A kubectl that serves the documents and keeps one Secret and one caBundle in files under $CDK_K8S_ROOT/k8s.
  const k3s = `shift
s="$CDK_K8S_ROOT/k8s"; mkdir -p "$s"
case "$*" in
  "get --raw /.well-known/openid-configuration") printf '{"issuer":"%s","jwks_uri":"%s/openid/v1/jwks"}' "\${API_ISSUER}" "${ISSUER}" ;;
  "get --raw /openid/v1/jwks") printf '{"keys":[{"kid":"%s"}]}' "\${KID:-k1}" ;;
  "get namespace "*) exit 0 ;;
  *"create secret generic"*) for a in "$@"; do case "$a" in --from-file=*) kv="\${a#--from-file=}"; cp "\${kv#*=}" "$s/\${kv%%=*}" ;; esac; done; echo secret ;;
  *"create configmap"*) echo configmap ;;
  "apply -f -") cat > /dev/null ;;
  *"get secret"*) a="\${!#}"; f="\${a##*.data.}"; f="\${f%\\}}"; f="\${f//\\\\/}"; [ -f "$s/$f" ] || exit 1; base64 -w0 < "$s/$f" ;;
  *"get mutatingwebhookconfiguration"*) cat "$s/caBundle" 2>/dev/null || true ;;
  *"get deployment pod-identity-webhook"*) printf '%s' "\${WEBHOOK_AVAILABLE:-0}" ;;
  *"get serviceaccounts --all-namespaces"*) printf 'shop orders\\n' ;;
  *"-n shop get pods"*) printf '%b' "\${SHOP_PODS:-}" ;;
  *"delete pod"*) : ;;
  *"patch mutatingwebhookconfiguration"*) printf '%s' "$*" | sed 's/.*"value":"\\([^"]*\\)".*/\\1/' > "$s/caBundle" ;;
esac`;
  const env = (root: string) => {
    const dir = path.join(root, 'etc/cdk-k8s-platform');
    require('fs').mkdirSync(dir, { recursive: true });
    require('fs').writeFileSync(path.join(dir, 'workload-identity.env'),
      `IDENTITY_MODE='k3s'\nREGION='eu-west-1'\nISSUER_URL='${ISSUER}'\nISSUER_BUCKET='issuer-bucket'\nWEBHOOK_NAMESPACE='pod-identity-webhook'\nWEBHOOK_NAME='pod-identity-webhook'\n`);
  };
  const stubs = { k3s, openssl: 'exec /usr/bin/openssl "$@"', aws: ':' };

  test('publishes the documents when they change, with a short cache lifetime; one self-signed certificate and its caBundle', () => {
    // Three timer runs: the first publishes, the second finds nothing new, the third follows a new signing key.
    const three = `cat > "$CDK_K8S_ROOT/tool" <<'TOOL'\n${TOOL}\nTOOL\nbash "$CDK_K8S_ROOT/tool" && bash "$CDK_K8S_ROOT/tool" && KID=k2 bash "$CDK_K8S_ROOT/tool"\n`;
    const run = runWithStubs(three, { stubs, setup: env, env: { API_ISSUER: ISSUER } });
    expect(run.output).toContain('caBundle of pod-identity-webhook updated');
    expect(run.status).toBe(0);
    const uploads = run.calls.filter(c => c.startsWith('aws s3 cp'));
    expect(uploads).toEqual([
      expect.stringMatching(/s3:\/\/issuer-bucket\/\.well-known\/openid-configuration --content-type application\/json --cache-control max-age=300$/),
      expect.stringMatching(/s3:\/\/issuer-bucket\/openid\/v1\/jwks --content-type application\/json --cache-control max-age=300$/),
      expect.stringMatching(/s3:\/\/issuer-bucket\/openid\/v1\/jwks --content-type application\/json --cache-control max-age=300$/),
    ]);
    // One certificate for the three runs (renewed only 30 days before it expires), one caBundle write.
    expect(run.calls.filter(c => c.includes('create secret generic'))).toHaveLength(1);
    expect(run.output.match(/caBundle of pod-identity-webhook updated/g)).toHaveLength(1);
    const cert = run.file('k8s/tls.crt');
    expect(cert).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(run.file('k8s/caBundle'), 'base64').toString()).toContain(cert.trim());
    const text = require('child_process').execFileSync('/usr/bin/openssl', ['x509', '-noout', '-text'], { input: cert, encoding: 'utf8' });
    expect(text).toContain('DNS:pod-identity-webhook.pod-identity-webhook.svc');
    expect(text).toMatch(/prime256v1|P-256/);
    expect(run.calls.some(c => c.includes('create configmap pod-identity-webhook-settings --from-literal=region=eu-west-1'))).toBe(true);
  });

  test('a certificate within 30 days of its end is replaced; the caBundle trusts the new and the old one', () => {
    const setup = (root: string) => {
      env(root);
      const dir = path.join(root, 'k8s');
      require('fs').mkdirSync(dir, { recursive: true });
      require('child_process').execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '10',
        '-keyout', path.join(dir, 'tls.key'), '-out', path.join(dir, 'tls.crt'), '-subj', '/CN=old'], { stdio: 'ignore' });
    };
    const run = runWithStubs(TOOL, { stubs, setup, env: { API_ISSUER: ISSUER } });
    expect(run.status).toBe(0);
    const previous = run.file('k8s/previous.crt');
    const current = run.file('k8s/tls.crt');
    expect(previous).toContain('BEGIN CERTIFICATE');
    expect(current).not.toBe(previous);
    const bundle = Buffer.from(run.file('k8s/caBundle'), 'base64').toString();
    expect(bundle).toContain(current.trim());
    expect(bundle).toContain(previous.trim());
  });

  test('once the webhook is available, controller-owned pods that started without credentials are deleted; others are left', () => {
    const pods = 'api-1 ReplicaSet Running \\napi-2 ReplicaSet Running AWS_ROLE_ARN\\ndb-0 StatefulSet Pending \\nbare Pod Running \\nmigrate-x Job Running \\nold-1 ReplicaSet Succeeded \\n';
    const down = runWithStubs(TOOL, { stubs, setup: env, env: { API_ISSUER: ISSUER, SHOP_PODS: pods } });
    expect(down.calls.filter(c => c.includes('delete pod'))).toEqual([]);
    const up = runWithStubs(TOOL, { stubs, setup: env, env: { API_ISSUER: ISSUER, SHOP_PODS: pods, WEBHOOK_AVAILABLE: '2' } });
    expect(up.status).toBe(0);
    expect(up.calls.filter(c => c.includes('delete pod')).map(c => c.replace(/^k3s kubectl /, ''))).toEqual([
      '-n shop delete pod api-1 --wait=false',
      '-n shop delete pod db-0 --wait=false',
    ]);
  });

  test('a server whose API server still signs with the old issuer publishes nothing and fails the run', () => {
    const run = runWithStubs(`${TOOL}`, { stubs, setup: env, env: { API_ISSUER: 'https://kubernetes.default.svc.cluster.local' } });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(`the API server does not sign with ${ISSUER} yet: nothing published`);
    expect(run.calls.filter(c => c.startsWith('aws s3 cp'))).toEqual([]);
  });

  test('the tool names the webhook objects of the chart', () => {
    expect(TOOL).toContain(`WEBHOOK_NAMESPACE='${WEBHOOK_NAMESPACE}'\nWEBHOOK_NAME='${WEBHOOK_NAME}'\n`);
  });

  test('the tool is shellcheck-clean', () => {
    expect(shellcheckFindings(TOOL) ?? '').toBe('');
    expect(bashSyntaxErrors(TOOL)).toBe('');
  });
});

describe('the pod identity webhook objects', () => {
  const objects = podIdentityWebhookChart().toJson();

  test('schema, Pod Security restricted and cross-references pass', () => {
    expectValidManifests(objects, {
      allowServiceAccountToken: ['Deployment/pod-identity-webhook/pod-identity-webhook'],
      externalSecrets: ['pod-identity-webhook/pod-identity-webhook-tls'],
      externalConfigMaps: ['pod-identity-webhook/pod-identity-webhook-settings'],
    });
  });

  test('without its token the webhook could not read ServiceAccounts: the checker says so', () => {
    expect(checkManifests(objects).map(f => f.rule)).toContain('project/automount-token');
  });

  test('pinned by digest, restricted namespace, Ignore on failure, kube-system and itself excluded', () => {
    const deployment = objects.find((o: any) => o.kind === 'Deployment') as any;
    expect(deployment.spec.template.spec.containers[0].image).toBe(POD_IDENTITY_WEBHOOK_IMAGE.image);
    expect(POD_IDENTITY_WEBHOOK_IMAGE.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    const ns = objects.find((o: any) => o.kind === 'Namespace') as any;
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const hook = (objects.find((o: any) => o.kind === 'MutatingWebhookConfiguration') as any).webhooks[0];
    expect(hook.failurePolicy).toBe('Ignore');
    expect(hook.clientConfig.caBundle).toBeUndefined();
    expect(hook.namespaceSelector.matchExpressions[0]).toEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'pod-identity-webhook'] });
    const args: string[] = deployment.spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--in-cluster=false', '--token-audience=sts.amazonaws.com', '--aws-default-region=$(CLUSTER_REGION)', '--sts-regional-endpoint=true']));
  });

  test('the cluster delivers them as the workload-identity delivery', () => {
    const { cluster } = build('k3s', { workloadIdentity: {} });
    expect(thrown(() => cluster.addWorkloads('workload-identity', [new Chart(Testing.app(), 'x')]))).toMatch(/addWorkloads\(id\).*is already used by another delivery/s);
  });
});

describe('bad input', () => {
  test('binding on a cluster without workloadIdentity names the prop and the fix', () => {
    const { cluster } = build('kubeadm');
    const { orders } = shopChart(cluster);
    expect(thrown(() => workloadIdentityGrant(cluster, orders))).toMatch(/workloadIdentity.*is off, so identity shop\/orders cannot get AWS credentials: set workloadIdentity: \{\} on the cluster/s);
  });

  test('an environment-agnostic stack cannot name the role in a manifest', () => {
    const { cluster } = build('k3s', { workloadIdentity: {} }, 'agnostic');
    const { orders } = shopChart(cluster);
    expect(thrown(() => workloadIdentityGrant(cluster, orders))).toMatch(/env.*account \(unknown at synth\), region \(unknown at synth\).*must be concrete.*env: \{ account/s);
  });

  test('an identity created after its chart was delivered is refused: the manifest has no ServiceAccount for it', () => {
    const { cluster } = build('k3s', { workloadIdentity: {} });
    const { chart } = shopChart(cluster);
    cluster.addWorkloads('shop', [chart]);
    const late = new WorkloadIdentity(chart, 'late');
    expect(thrown(() => workloadIdentityGrant(cluster, late))).toMatch(/identity.*shop\/late.*was created after its chart "shop" was passed to addWorkloads.*create the identity before cluster\.addWorkloads/s);
  });

  test('a ServiceAccount name that is not a DNS subdomain', () => {
    const { cluster } = build('k3s', { workloadIdentity: {} });
    expect(thrown(() => cluster.workloadIdentity!.roleFor('shop', 'Orders_1'))).toMatch(/serviceAccount.*Orders_1.*must be a DNS-1123 subdomain/s);
    expect(thrown(() => cluster.workloadIdentity!.roleFor('Shop', 'orders'))).toMatch(/namespace.*Shop.*must be a DNS-1123 label/s);
  });
});

describe('cdk-nag and guard rules over the identity resources', () => {
  test('no unacknowledged AwsSolutions, NIST 800-53 R5 or guard-rule finding below the cluster\'s WorkloadIdentity', () => {
    const app = reportingApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new CfnGuardValidator());
    const stack = new Stack(app, 'k3s-identity', { env: ENV });
    const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
    const cluster = new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme', workloadIdentity: {} });
    const { chart } = shopChart(cluster);
    cluster.addWorkloads('shop', [chart]);
    expect(nagFindings(app).filter(f => f.includes('/WorkloadIdentity'))).toEqual([]);
  });
});

describe('External Secrets on a self-managed cluster (workloadIdentity.externalSecrets)', () => {
  function shop(kind: 'k3s' | 'kubeadm', remoteName: string) {
    const { stack, cluster } = build(kind, { workloadIdentity: { externalSecrets: {} } });
    const store = cluster.workloadIdentity!.externalSecrets!.store;
    // The cluster's own traits name the store: fromAwsSecretsManager is accepted with them.
    expect(cluster.traits.externalSecretStore).toBe(store);
    const chart = new PlatformChart(Testing.app(), 'shop', { traits: cluster.traits, namespace: 'shop' });
    new WebService(chart, 'api', {
      image: 'acme/api:1.0.0', ports: [{ name: 'http', port: 8080 }], secretEnv: { DB_PASSWORD: SecretRef.fromAwsSecretsManager({ remoteName }) },
    });
    return { stack, cluster, chart };
  }
  const delivered = (cluster: K3sCluster | KubeadmCluster, id: string) => {
    const files = cluster.node.findChild(`Workloads-${id}`).node.children.find(c => c instanceof ChartManifestFiles) as ChartManifestFiles;
    return parseAllDocuments(fs.readFileSync(files.bundlePath, 'utf8')).map(d => d.toJSON()).filter(o => o && typeof o === 'object');
  };

  test.each(['k3s', 'kubeadm'] as const)('%s: the ExternalSecret moves to its namespace\'s store, which reads only that namespace\'s prefix', (kind) => {
    const { stack, cluster, chart } = shop(kind, 'acme/shop/db');
    cluster.addWorkloads('shop', [chart]);
    const external = delivered(cluster, 'shop').find((o: any) => o.kind === 'ExternalSecret') as any;
    expect(external.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'aws-secrets-manager-shop' });
    const store = delivered(cluster, 'secret-store-shop').filter((o: any) => o.kind === 'ClusterSecretStore');
    expect(store).toHaveLength(1);
    expectValidManifests(store);
    expect(store[0].spec.conditions).toEqual([{ namespaces: ['shop'] }]);
    expect(store[0].spec.provider.aws).toEqual({ service: 'SecretsManager', region: 'eu-west-1', role: expect.stringMatching(/^arn:aws:iam::123456789012:role\/acme-aws-eso-shop-[0-9a-f]{8}$/) });
    const template = Template.fromStack(stack);
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const nsPolicy = policies.find(([id]) => id.includes('Namespaceshop'))![1].Properties.PolicyDocument.Statement;
    expect(nsPolicy).toEqual([{ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:123456789012:secret:acme/shop/*']] } }]);
    const operator = policies.find(([id]) => id.includes('Roleexternalsecretsexternalsecrets'))![1].Properties.PolicyDocument.Statement;
    expect(operator).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': [expect.stringMatching(/Namespaceshop/), 'Arn'] } })]);
    const helm = delivered(cluster, 'addon-external-secrets').find((o: any) => o.kind === 'HelmChart') as any;
    const values = parse(helm.spec.valuesContent);
    expect(values.serviceAccount.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::123456789012:role\/acme-external-secrets-external-secrets-[0-9a-f]{8}$/);
    expect(values.rbac).toEqual({ aggregateToEdit: false });
  });

  test('a workload cannot name another namespace\'s secret', () => {
    const { cluster, chart } = shop('k3s', 'acme/billing/db');
    expect(thrown(() => cluster.addWorkloads('shop', [chart]))).toMatch(/remoteName.*acme\/billing\/db.*is outside namespace "shop": its workloads may read only secrets named "acme\/shop\/\.\.\."/s);
  });
});
