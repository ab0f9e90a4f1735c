/** GitOpsHelmChart: the files it writes, what its templates leave literal, and its errors (no helm here: see gitops-helm-tools). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { shopPlatformChart } from './gitops-fixtures';
import { sampleWorkloads } from '../../charts/samples';
import { ClusterTraits, GitOpsChartValues, GitOpsHelmChart, GitOpsHelmChartOptions, ValidationError } from '../../lib';

const k3s = ClusterTraits.k3s();
const samples = () => sampleWorkloads(new App(), k3s)[0];
const render = (options?: GitOpsHelmChartOptions) => GitOpsHelmChart.render(samples(), options);

describe('the chart it writes', () => {
  const chart = render({ environments: { prod: { workloads: { users: { replicaCount: 3 } } } } });

  test('Chart.yaml, values.yaml, values.schema.json, values-<env>.yaml, _helpers.tpl and one template per object', () => {
    const files = [...chart.files.keys()];
    expect(files.slice(0, 5)).toEqual(['Chart.yaml', 'values.yaml', 'values.schema.json', 'values-prod.yaml', 'templates/_helpers.tpl']);
    expect(files).toContain('templates/deployment-nginx.yaml');
    expect(files).toContain('templates/horizontalpodautoscaler-nginx.yaml');
    const objects = samples().toJson().length;
    expect(files.filter(f => f.startsWith('templates/') && f.endsWith('.yaml'))).toHaveLength(objects);
    expect(parse(chart.files.get('Chart.yaml')!)).toEqual({
      apiVersion: 'v2',
      name: 'samples',
      type: 'application',
      version: chart.version,
      description: expect.stringContaining('cdk-k8s-platform'),
      annotations: { 'platform.cdk-k8s.io/generated-by': 'cdk-k8s-platform' },
    });
    expect(chart.version).toMatch(/^0\.0\.0-c[0-9a-f]{12}$/);
  });

  test('values.yaml: per workload its image (repository, tag, digest), replicaCount or its HPA bounds', () => {
    expect(chart.workloads).toEqual(['nginx', 'users', 'users-canary']);
    expect(parse(chart.files.get('values.yaml')!)).toEqual({
      workloads: {
        'nginx': { image: { repository: 'nginxinc/nginx-unprivileged', tag: '1.27.3-alpine', digest: '' }, autoscaling: { minReplicas: 3, maxReplicas: 10 } },
        'users': { image: { repository: 'ghcr.io/stefanprodan/podinfo', tag: '6.7.1', digest: '' }, replicaCount: 2 },
        'users-canary': { image: { repository: 'ghcr.io/stefanprodan/podinfo', tag: '6.7.2', digest: '' }, replicaCount: 1 },
      },
    });
    expect(parse(chart.files.get('values-prod.yaml')!)).toEqual({ workloads: { users: { replicaCount: 3 } } });
  });

  test('values.schema.json closes every object: a misspelt workload or key is refused by helm itself', () => {
    const schema = JSON.parse(chart.files.get('values.schema.json')!);
    const workloads = schema.properties.workloads;
    expect(workloads.additionalProperties).toBe(false);
    expect(Object.keys(workloads.properties)).toEqual(['nginx', 'users', 'users-canary']);
    expect(Object.keys(workloads.properties.nginx.properties)).toEqual(['image', 'autoscaling']);
    expect(Object.keys(workloads.properties.users.properties)).toEqual(['image', 'replicaCount']);
    expect(workloads.properties.users.properties.replicaCount).toEqual({ type: 'integer', minimum: 0, maximum: 1000 });
    expect(schema).not.toHaveProperty('$schema'); // helm would fetch a remote meta-schema
  });

  test('templates are literal except the values fields: every other {{ is escaped', () => {
    const allowed = [
      /^\{\{ "\{\{" \}\}/,
      /^\{\{ include "samples\.(image|version)" \(index \.Values\.workloads "[a-z0-9-]+"\)\.image \| quote \}\}/,
      /^\{\{ \(index \.Values\.workloads "[a-z0-9-]+"\)\.(replicaCount|autoscaling\.minReplicas|autoscaling\.maxReplicas) \}\}/,
    ];
    const actions: string[] = [];
    for (const [file, text] of chart.files) {
      if (!file.startsWith('templates/') || file.endsWith('.tpl')) continue;
      const body = text.slice(text.indexOf('---\n'));
      for (let i = body.indexOf('{{'); i >= 0; i = body.indexOf('{{', i + 1)) {
        const rest = body.slice(i);
        const match = allowed.map(r => rest.match(r)).find(m => m);
        if (!match) throw new Error(`${file}: unexpected template action at ${rest.slice(0, 80)}`);
        actions.push(match[0]);
        i += match[0].length - 1;
      }
    }
    const deployment = chart.files.get('templates/deployment-nginx.yaml')!;
    expect(deployment).toContain('image: {{ include "samples.image" (index .Values.workloads "nginx").image | quote }}');
    expect(deployment).not.toContain('replicas:'); // an HPA scales it
    expect(chart.files.get('templates/deployment-users.yaml')).toContain('replicas: {{ (index .Values.workloads "users").replicaCount }}');
    const hpa = chart.files.get('templates/horizontalpodautoscaler-nginx.yaml')!;
    expect(hpa).toContain('minReplicas: {{ (index .Values.workloads "nginx").autoscaling.minReplicas }}');
    expect(hpa.split('---\n')[0]).toContain('fail (printf "workloads.nginx.autoscaling.minReplicas');
    expect(actions.filter(a => a.includes('"samples.image"'))).toHaveLength(3);
    // every version label of the workloads' objects (16) and pod templates (3) follows the image
    expect(actions.filter(a => a.includes('"samples.version"'))).toHaveLength(19);
    expect([...chart.files.values()].join('\n')).not.toMatch(/app\.kubernetes\.io\/version: [^{]/);
  });

  test('literal braces in the objects are escaped; claims are kept by helm; same input, same bytes', () => {
    const shop = GitOpsHelmChart.render(shopPlatformChart(k3s));
    expect(shop.files.get('templates/configmap-mail-templates.yaml')).toContain('Welcome {{ "{{" }} .User }}! {{ "{{" }}- if .Vip }}VIP{{ "{{" }} end }}');
    expect(shop.files.get('templates/persistentvolumeclaim-uploads.yaml')).toContain('helm.sh/resource-policy: keep');
    expect(shop.files.get('templates/persistentvolumeclaim-uploads.yaml')).toContain('argocd.argoproj.io/sync-options: Prune=false,Delete=false');
    const mailer = shop.files.get('templates/deployment-mailer.yaml')!;
    expect(mailer.match(/image: \{\{ include "shop\.image" \(index \.Values\.workloads "mailer"\)\.image/g)).toHaveLength(2); // the init container on its image follows
    expect(parse(shop.files.get('values.yaml')!).workloads.report.image).toEqual({ repository: 'ghcr.io/acme/report', tag: '', digest: `sha256:${'a'.repeat(64)}` });
    expect(GitOpsHelmChart.render(shopPlatformChart(k3s)).files).toEqual(shop.files);
  });

  test('the version follows the content; chartName, version and appVersion can be set', () => {
    const other = sampleWorkloads(new App(), ClusterTraits.eks({ vpcCidr: '10.0.0.0/16' }))[0];
    expect(GitOpsHelmChart.render(other).version).not.toBe(render().version);
    expect(render().version).toBe(render().version);
    const named = render({ chartName: 'web', version: '1.2.0', appVersion: '2026.12' });
    expect(parse(named.files.get('Chart.yaml')!)).toMatchObject({ name: 'web', version: '1.2.0', appVersion: '2026.12' });
    expect(named.files.get('templates/_helpers.tpl')).toContain('define "web.image"');
  });
});

describe('writeTo', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-chart-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach(d => fs.rmSync(d, { recursive: true, force: true })));

  test('writes every file; rewriting its own chart removes files it no longer has', () => {
    const dir = path.join(tmp(), 'samples');
    render({ environments: { dev: {} } }).writeTo(dir);
    expect(fs.readFileSync(path.join(dir, 'values-dev.yaml'), 'utf8')).toContain('workloads: {}');
    expect(fs.existsSync(path.join(dir, 'templates', 'deployment-users-canary.yaml'))).toBe(true);
    render().writeTo(dir);
    expect(fs.existsSync(path.join(dir, 'values-dev.yaml'))).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['Chart.yaml', 'templates', 'values.schema.json', 'values.yaml']);
  });

  test('refuses a non-empty directory that holds no chart of its own, and leaves it untouched', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: mine\nversion: 1.0.0\n');
    let error: unknown;
    try {
      render().writeTo(dir);
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isValidationError(error)).toBe(true);
    expect((error as Error).message).toBe(`GitOpsHelmChart.writeTo: ${dir} is not empty and holds no chart written by cdk-k8s-platform: write into an empty or new directory (nothing there is overwritten).`);
    expect(fs.readdirSync(dir)).toEqual(['Chart.yaml']);
  });
});

describe('bad input: the prop, the value and what to do', () => {
  const env = (values: GitOpsChartValues, name = 'prod') => () => render({ environments: { [name]: values } });
  const cases: Array<[string, () => unknown, string]> = [
    ['an environment name that cannot name a file', env({}, 'Prod'),
      '[samples] GitOpsHelmChart.environments is "Prod": each environment name must be a DNS-1123 label of at most 50 characters (lowercase letters, digits and \'-\', e.g. "prod"): it names the file values-<name>.yaml.'],
    ['a path as environment name', env({}, '../prod'), 'GitOpsHelmChart.environments is "../prod": each environment name must be a DNS-1123 label'],
    ['a workload the chart does not have', env({ workloads: { ngnix: { replicaCount: 2 } } }),
      '[samples] GitOpsHelmChart.environments.prod.workloads is "ngnix": names no workload of this chart: the workloads are "nginx", "users", "users-canary".'],
    ['replicas for a workload an HPA scales', env({ workloads: { nginx: { replicaCount: 5 } } }),
      '[samples] GitOpsHelmChart.environments.prod.workloads.nginx.replicaCount is 5: is not a value of this chart: Deployment nginx is scaled by an HorizontalPodAutoscaler: set autoscaling.minReplicas / maxReplicas, not replicaCount.'],
    ['autoscaling for a workload without an HPA', env({ workloads: { users: { autoscaling: { maxReplicas: 4 } } } }),
      'GitOpsHelmChart.environments.prod.workloads.users.autoscaling is {"maxReplicas":4}: is not a value of this chart: Deployment users takes "image" and "replicaCount".'],
    ['minReplicas above the chart\'s maxReplicas', env({ workloads: { nginx: { autoscaling: { minReplicas: 12 } } } }),
      'GitOpsHelmChart.environments.prod.workloads.nginx.autoscaling.minReplicas is 12: must not exceed maxReplicas (10): lower minReplicas or raise maxReplicas.'],
    ['a negative replica count', env({ workloads: { users: { replicaCount: -1 } } }),
      'GitOpsHelmChart.environments.prod.workloads.users.replicaCount is -1: must be an integer from 0 to 1000.'],
    ['the latest tag', env({ workloads: { users: { image: { tag: 'latest' } } } }),
      'GitOpsHelmChart.environments.prod.workloads.users.image is "ghcr.io/stefanprodan/podinfo:latest": uses the "latest" tag'],
    ['a malformed digest', env({ workloads: { users: { image: { digest: 'sha256:abc' } } } }),
      'GitOpsHelmChart.environments.prod.workloads.users.image is "ghcr.io/stefanprodan/podinfo:6.7.1@sha256:abc": has an invalid digest'],
    ['a misspelt image key', env({ workloads: { users: { image: { version: '6.8.0' } as never } } }),
      'GitOpsHelmChart.environments.prod.workloads.users.image.version is "6.8.0": is not a value of this chart: an image has "repository", "tag" and "digest".'],
    ['a key values.yaml does not have', env({ images: {} } as never),
      'GitOpsHelmChart.environments.prod.images is {}: is not a value of this chart: an environment\'s values hold "workloads" only (the shape of values.yaml).'],
    ['a chart name Helm refuses', () => render({ chartName: 'My_Chart' }), '[samples] GitOpsHelmChart.chartName is "My_Chart": must be a DNS-1123 label'],
    ['a version that is not SemVer', () => render({ version: 'v1' }),
      '[samples] GitOpsHelmChart.version is "v1": must be a SemVer version such as "1.2.0" (Helm refuses other chart versions).'],
  ];

  test.each(cases)('%s', (_what, fn, message) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(ValidationError.isValidationError(error)).toBe(true);
    expect((error as Error).message).toContain(message);
  });

  /** A plain cdk8s chart with one Deployment `web` (and its Service) per namespace. */
  function rawChart(namespaces: string[], image = 'nginx:1.27.3'): Chart {
    const c = new Chart(new App(), 'raw');
    for (const ns of namespaces) {
      const pod = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } };
      new ApiObject(c, `web-${ns}`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns }, spec: { selector: { matchLabels: { app: 'web' } }, template: pod } });
      new ApiObject(c, `svc-${ns}`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: ns }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    }
    return c;
  }

  test('two workloads of one name (they would share values.yaml\'s key) are refused, naming both', () => {
    expect(() => GitOpsHelmChart.render(rawChart(['a', 'b']))).toThrow(
      '[raw] GitOpsHelmChart.chart is "Deployment b/web": has the name of Deployment a/web (chart "raw"): each workload is a key of values.yaml "workloads"; give the workloads distinct names.');
  });

  test('an image the workloads would refuse (no tag: "latest") is refused in a plain cdk8s chart too', () => {
    expect(() => GitOpsHelmChart.render(rawChart(['a'], 'nginx'))).toThrow(
      '[raw] GitOpsHelmChart.chart: Deployment web containers[0].image is "nginx": must name a tag or a digest');
  });

  test('a plain cdk8s chart works too; two objects of one kind and name get distinct template files', () => {
    const c = new Chart(new App(), 'raw');
    for (const ns of ['a', 'b']) new ApiObject(c, `cm-${ns}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { x: '1' } });
    const written = GitOpsHelmChart.render(c);
    expect([...written.files.keys()].filter(f => f.startsWith('templates/configmap'))).toEqual(['templates/configmap-settings.yaml', 'templates/configmap-settings-2.yaml']);
    expect(written.workloads).toEqual([]);
    expect(parse(written.files.get('values.yaml')!)).toEqual({ workloads: {} });
  });

  test('a valid environment passes', () => {
    expect(() => env({ workloads: { nginx: { autoscaling: { minReplicas: 10 } }, users: { image: { tag: '6.8.0' }, replicaCount: 0 } } })()).not.toThrow();
  });
});
