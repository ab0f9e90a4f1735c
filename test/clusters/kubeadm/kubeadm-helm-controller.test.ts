import { KubeadmModel, kubeadmUserData } from './support/kubeadm-model';
import { HELM_CONTROLLER, helmControllerManifest, helmControllerObjects } from '../../../lib/clusters/kubeadm/helm-controller';
import { HELM_CHART_NAMESPACE } from '../../../lib/clusters/self-managed/private/add-on-chart';
import { checkManifests, formatFindings } from '../../support/k8s-check';
import { callIndex } from '../self-managed/support/stub-run';

const objects = helmControllerObjects() as any[];
const find = (kind: string) => objects.filter(o => o.kind === kind);

describe('the Helm controller of kubeadm clusters (k3s-io/helm-controller)', () => {
  test('pinned release and job image, never latest', () => {
    expect(HELM_CONTROLLER.image).toBe(`ghcr.io/k3s-io/helm-controller:${HELM_CONTROLLER.version}`);
    expect(HELM_CONTROLLER.version).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(HELM_CONTROLLER.jobImage).toMatch(/^ghcr\.io\/k3s-io\/klipper-helm:v\d+\.\d+\.\d+-build\d{8}$/);
    // helm-controller >= v0.16.23 checks the release's configHash label, which klipper-helm writes from v0.13.0:
    // an older job image makes the controller upgrade every chart again after each job.
    const [, minor, patch] = /^v0\.(\d+)\.(\d+)$/.exec(HELM_CONTROLLER.version)!.map(Number);
    const [, jobMajor, jobMinor] = /:v(\d+)\.(\d+)\.\d+-build/.exec(HELM_CONTROLLER.jobImage)!.map(Number);
    if (minor > 16 || (minor === 16 && patch >= 23)) expect(jobMajor * 1000 + jobMinor).toBeGreaterThanOrEqual(13);
    const container = find('Deployment')[0].spec.template.spec.containers[0];
    expect(container.image).toBe(HELM_CONTROLLER.image);
    expect(container.env).toContainEqual({ name: 'DEFAULT_JOB_IMAGE', value: HELM_CONTROLLER.jobImage });
  });

  test('schema-valid; the controller runs restricted in its own restricted namespace and mounts only its own token', () => {
    const findings = checkManifests(objects, { allowServiceAccountToken: ['Deployment/helm-controller'] });
    expect(formatFindings(findings)).toBe('');
    const [namespace] = find('Namespace');
    expect(namespace.metadata.name).toBe('helm-controller');
    for (const mode of ['enforce', 'audit', 'warn']) expect(namespace.metadata.labels[`pod-security.kubernetes.io/${mode}`]).toBe('restricted');
    expect(objects.filter(o => o.metadata.namespace !== undefined).map(o => `${o.kind}/${o.metadata.namespace}`).sort()).toEqual([
      'Deployment/helm-controller', 'Role/kube-system', 'RoleBinding/kube-system', 'ServiceAccount/helm-controller',
    ]);
  });

  test('acts only on the HelmCharts of the namespace the library writes them to, where their jobs run', () => {
    expect(HELM_CONTROLLER.chartNamespace).toBe(HELM_CHART_NAMESPACE);
    expect(find('Deployment')[0].spec.template.spec.containers[0].args).toEqual([`--namespace=${HELM_CHART_NAMESPACE}`]);
    const role = find('Role')[0];
    expect(role.metadata.namespace).toBe(HELM_CHART_NAMESPACE);
    expect(role.rules.flatMap((r: any) => r.resources)).toEqual(expect.arrayContaining(['helmcharts', 'jobs', 'serviceaccounts', 'leases']));
  });

  test('RBAC: no wildcard; it binds cluster-admin to chart jobs through `bind` on that role alone; writes nothing cluster-wide but CRDs and bindings', () => {
    const rules = [...find('ClusterRole'), ...find('Role')].flatMap(r => r.rules);
    for (const rule of rules) {
      expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
    }
    const cluster = find('ClusterRole')[0].rules as any[];
    expect(cluster.filter(r => r.verbs.includes('bind'))).toEqual([
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: [HELM_CONTROLLER.jobClusterRole] },
    ]);
    const writes = cluster.filter(r => r.verbs.some((v: string) => ['create', 'update', 'patch', 'delete'].includes(v))).flatMap(r => r.resources);
    expect(writes.sort()).toEqual(['clusterrolebindings', 'customresourcedefinitions']);
    expect(find('Deployment')[0].spec.template.spec.containers[0].env).toContainEqual({ name: 'JOB_CLUSTER_ROLE', value: HELM_CONTROLLER.jobClusterRole });
  });

  test('the manifest is one deterministic v1 List', () => {
    const list = JSON.parse(helmControllerManifest());
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items).toEqual(JSON.parse(JSON.stringify(objects)));
    expect(helmControllerManifest()).toBe(helmControllerManifest());
  });
});

describe('the control plane applies it before it reports ready', () => {
  const { controlPlane, template } = kubeadmUserData();

  test('an S3 asset the control plane alone may read, named in its user data', () => {
    expect(controlPlane).toMatch(/HELM_CONTROLLER_URL='s3:\/\/cdk-hnb659fds-assets-[^/]+\/[0-9a-f]{64}\.json'/);
    const key = /HELM_CONTROLLER_URL='s3:\/\/[^/]+\/([0-9a-f]{64}\.json)'/.exec(controlPlane)![1];
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const reads = (part: string) => JSON.stringify(policies.filter(([id]) => id.includes(part)).map(([, p]) => p.Properties.PolicyDocument));
    expect(reads('ServerRole')).toContain(key);
    expect(reads('AgentRole')).not.toContain(key);
  });

  test('first boot: fetch, server-side apply, then wait for both CRDs to be established; only then the kubeconfig and ready', () => {
    const run = new KubeadmModel().boot(controlPlane, 'i-0new');
    expect(run.status).toBe(0);
    const kc = `kubectl --kubeconfig ${run.root}/etc/kubernetes/admin.conf`;
    const file = `${run.root}/var/lib/cdk-k8s-platform/helm-controller.json`;
    const steps = [
      callIndex(run.calls, 'helm --kubeconfig'),
      run.calls.findIndex(c => /^aws s3 cp .*[0-9a-f]{64}\.json .*helm-controller\.json$/.test(c)),
      callIndex(run.calls, `${kc} apply --server-side --field-manager=cdk-k8s-platform --force-conflicts -f ${file}`),
      callIndex(run.calls, `${kc} wait --for condition=established --timeout=60s ${HELM_CONTROLLER.crds.map(c => `crd/${c}`).join(' ')}`),
      callIndex(run.calls, 'aws secretsmanager put-secret-value'),
    ];
    expect(steps.filter(p => p < 0)).toEqual([]);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(JSON.parse(run.file('var/lib/cdk-k8s-platform/helm-controller.json'))).toEqual(JSON.parse(helmControllerManifest()));
    expect(run.output).toContain('bootstrap complete');
  });

  test('a controller whose CRDs never appear (its image cannot be pulled) fails the bootstrap: no ready, a FAILURE signal', () => {
    const model = new KubeadmModel();
    model.write('helm-controller-down', '');
    const run = model.boot(controlPlane, 'i-0new');
    expect(run.status).not.toBe(0);
    expect(run.output).not.toContain('bootstrap complete');
    expect(run.output).toContain('giving up after 10 attempts: kubectl --kubeconfig');
    expect(model.read('signals')).toContain('FAILURE');
    expect(run.calls.some(c => c.startsWith('aws secretsmanager put-secret-value'))).toBe(false);
  });
});
