import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseAllDocuments } from 'yaml';
import { ARGO_CD_CHART, ArgoCd, ArgoCdProps, EksPlatformStack, SelfManagedPlatformStack } from '../../lib';
import { expectThrownMessage } from '../robustness/support';
import { expectValidManifests, schemaSources } from '../support/k8s-check';

const PROPS: ArgoCdProps = {
  repositoryUrl: 'https://github.com/acme/deploy.git',
  applications: [{ name: 'shop', path: 'charts/shop', valueFiles: ['values-prod.yaml'] }, { name: 'users', path: 'charts/users', namespace: 'accounts' }],
  targetRevision: 'main',
};

describe('k3s: Argo CD from its pinned chart, an AppProject and one Application per path', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  new SelfManagedPlatformStack(app, 'acme-k3s', { platformName: 'acme', addOns: [new ArgoCd(PROPS)] });
  app.synth();
  const files = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap(e => e.isDirectory() ? files(path.join(d, e.name)) : /\.ya?ml$/.test(e.name) ? [path.join(d, e.name)] : []);
  const objects = files(outdir).flatMap(f => parseAllDocuments(fs.readFileSync(f, 'utf8')).map(d => d.toJSON()))
    .filter(o => /^(addon-argocd|argocd-apps)/.test(o?.metadata?.labels?.['platform.cdk-k8s.io/delivery'] ?? ''));

  test('the Argo CD models check the Applications and the AppProject', () => {
    for (const kind of ['Application', 'AppProject', 'ApplicationSet']) expect(schemaSources('argoproj.io/v1alpha1', kind)).toContain('crd-package');
    expectValidManifests(objects, { failOnWarnings: true, allowUnknownKinds: ['helm.cattle.io/HelmChart'] });
  });

  test('the chart: pinned, namespace argocd under Pod Security restricted, no Dex', () => {
    const chart = objects.find(o => o.kind === 'HelmChart');
    expect(chart.spec).toMatchObject({ repo: ARGO_CD_CHART.repository, chart: 'argo-cd', version: '10.1.1', targetNamespace: 'argocd' });
    expect(parseAllDocuments(chart.spec.valuesContent)[0].toJSON().dex).toEqual({ enabled: false });
    expect(objects.find(o => o.kind === 'Namespace' && o.metadata.name === 'argocd').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('an AppProject limited to the repository and the Applications\' namespaces', () => {
    const project = objects.find(o => o.kind === 'AppProject');
    expect(project.metadata).toMatchObject({ name: 'platform', namespace: 'argocd' });
    expect(project.spec.sourceRepos).toEqual(['https://github.com/acme/deploy.git']);
    expect(project.spec.destinations.map((d: { namespace: string }) => d.namespace)).toEqual(['shop', 'accounts']);
  });

  test('one Application per path, automated sync with prune and self-heal, namespaces restricted', () => {
    const apps = objects.filter(o => o.kind === 'Application');
    expect(apps.map(a => [a.metadata.name, a.spec.source.path, a.spec.source.targetRevision, a.spec.destination.namespace]))
      .toEqual([['shop', 'charts/shop', 'main', 'shop'], ['users', 'charts/users', 'main', 'accounts']]);
    expect(apps[0].spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(apps[0].spec.source.helm).toEqual({ valueFiles: ['values-prod.yaml'] });
    expect(apps[1].spec.source.helm).toBeUndefined();
    expect(apps[0].spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('EKS: the Applications are delivered after the chart', () => {
  const stack = new EksPlatformStack(new App(), 'acme-eks', { platformName: 'acme', addOns: [new ArgoCd({ ...PROPS, repositoryUrl: 'git@github.com:acme/deploy.git' })] });
  const releases = Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart');

  test('the argocd release comes first', () => {
    const [argoId] = Object.entries(releases).find(([, r]) => r.Properties.Release === 'argocd')!;
    const apps = Object.values(releases).filter(r => typeof r.Properties.Release === 'string' && r.Properties.Release.startsWith('argocd-apps'));
    expect(apps).toHaveLength(1);
    expect(apps[0].DependsOn).toEqual(expect.arrayContaining([argoId]));
  });
});

describe('bad input is refused at synth, naming the prop and the value', () => {
  const install = (props: Partial<ArgoCdProps>) => () => new EksPlatformStack(new App(), 'e', { platformName: 'acme', addOns: [new ArgoCd({ ...PROPS, ...props })] });

  test.each([
    ['http://github.com/acme/deploy.git'],
    ['file:///srv/git/deploy'],
    ['github.com/acme/deploy'],
  ])('a repository URL that is not https or ssh: %s', url => {
    expect(expectThrownMessage(install({ repositoryUrl: url }))).toContain(`ArgoCd.repositoryUrl is "${url}": must be an https:// or SSH Git URL`);
  });

  test.each([['ssh://git@github.com/acme/deploy.git'], ['git@github.com:acme/deploy.git'], ['https://gitlab.example.com/acme/deploy']])('accepted: %s', url => {
    expect(install({ repositoryUrl: url })).not.toThrow();
  });

  test('a path that leaves the repository', () => {
    expect(expectThrownMessage(install({ applications: [{ name: 'shop', path: '../secrets' }] })))
      .toContain('ArgoCd.applications[0].path is "../secrets": must be a relative path in the repository');
    expect(expectThrownMessage(install({ applications: [{ name: 'shop', path: 'charts/shop', valueFiles: ['values.yaml', '/etc/passwd'] }] })))
      .toContain('ArgoCd.applications[0].valueFiles[1] is "/etc/passwd": must be a path relative to the chart such as "values-prod.yaml" (no leading "/", no "..").');
  });

  test('no applications, and the same name twice', () => {
    expect(expectThrownMessage(install({ applications: [] }))).toContain('ArgoCd.applications is []: must contain at least one element.');
    expect(expectThrownMessage(install({ applications: [{ name: 'shop', path: 'a' }, { name: 'shop', path: 'b' }] })))
      .toContain('ArgoCd.applications[].name is "shop": each Application name may appear only once.');
  });
});
