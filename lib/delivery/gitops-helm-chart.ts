import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { synthesizeManifests, ValidationError } from '../workloads';
import { findWorkloads, helpersTemplate, templateObject, templatePath, WorkloadDefaults } from './private/gitops-templating';
import { checkEnvironment, defaultValues, valuesSchema } from './private/gitops-values';
import { hashFiles, renderYaml } from './private/render';
import { PropValidator } from '../workloads/private/validate';

/** A workload's image in a values file: `repository[:tag][@digest]`. */
export interface GitOpsImageValues {
  /**
   * The image repository, e.g. `ghcr.io/acme/shop`.
   * @default - the chart's value (the image in the code)
   */
  readonly repository?: string;
  /**
   * The tag, e.g. `1.4.2`.
   * @default - the chart's value
   */
  readonly tag?: string;
  /**
   * The digest, `sha256:<64 hex>`; when set it pins the image (the tag stays for people). `''` removes it.
   * @default - the chart's value
   */
  readonly digest?: string;
}

/** A workload's HorizontalPodAutoscaler bounds in a values file. */
export interface GitOpsAutoscalingValues {
  /**
   * The fewest replicas.
   * @default - the chart's value
   */
  readonly minReplicas?: number;
  /**
   * The most replicas.
   * @default - the chart's value
   */
  readonly maxReplicas?: number;
}

/** What a values file may set for one workload (`workloads.<name>`). */
export interface GitOpsWorkloadValues {
  /**
   * The image of the workload's first container (and of every container running the same image).
   * @default - the chart's value
   */
  readonly image?: GitOpsImageValues;
  /**
   * `spec.replicas`: only for a Deployment or StatefulSet that sets it (one scaled by an HPA has `autoscaling`).
   * @default - the chart's value
   */
  readonly replicaCount?: number;
  /**
   * The bounds of the workload's HorizontalPodAutoscaler: only for a workload that has one.
   * @default - the chart's value
   */
  readonly autoscaling?: GitOpsAutoscalingValues;
}

/** The shape of values.yaml and of every `values-<env>.yaml`. */
export interface GitOpsChartValues {
  /**
   * Values per workload, keyed by the workload's name (its Deployment, StatefulSet, DaemonSet, Job or CronJob).
   * @default - none: the chart's values
   */
  readonly workloads?: Record<string, GitOpsWorkloadValues>;
}

/** Options of {@link GitOpsHelmChart.render}. */
export interface GitOpsHelmChartOptions {
  /**
   * The chart's name (`Chart.yaml` `name`), a DNS-1123 label.
   * @default - the cdk8s chart's construct id
   */
  readonly chartName?: string;
  /**
   * The chart's SemVer version.
   * @default - `0.0.0-c<first 12 hex digits of the sha256 of the other files>`: it changes with the content only
   */
  readonly version?: string;
  /**
   * `appVersion` in Chart.yaml.
   * @default - none
   */
  readonly appVersion?: string;
  /**
   * The values of each environment, written as `values-<env>.yaml` next to values.yaml: install with
   * `helm install <release> <chart> -f values-<env>.yaml`, or list the file in an Argo CD Application's
   * `helm.valueFiles`. Keys are environment names (DNS-1123 labels, e.g. `prod`).
   * @default - no environment files
   */
  readonly environments?: Record<string, GitOpsChartValues>;
}

/** Annotation in Chart.yaml marking a chart this library wrote (and may overwrite). */
export const GITOPS_CHART_GENERATOR_ANNOTATION = 'platform.cdk-k8s.io/generated-by';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * A cdk8s chart written as a Helm chart a team commits and Argo CD or `helm install` uses without CDK:
 *
 * - `Chart.yaml` (apiVersion v2), `values.yaml` with, per workload (`workloads.<name>`), its `image`
 *   (`repository`, `tag`, `digest`), its `replicaCount` (when it sets replicas) and its HPA's `autoscaling`
 *   `minReplicas` / `maxReplicas`; `values.schema.json`, which Helm checks every values file against (a
 *   misspelt workload or a string for a number fails the install); `values-<env>.yaml` per environment.
 * - `templates/<kind>-<name>.yaml`, one object each, literal (every `{{` escaped) except those fields and the
 *   `app.kubernetes.io/version` labels that follow the image. With the default values the chart renders
 *   exactly the cdk8s chart's objects.
 * - CustomResourceDefinitions, PersistentVolumeClaims, PersistentVolumes and Namespaces carry
 *   `helm.sh/resource-policy: keep`, as in the delivery's charts, and Argo CD's
 *   `argocd.argoproj.io/sync-options: Prune=false,Delete=false` (Argo CD ignores Helm's policy).
 *
 * Same input → same bytes.
 */
export class GitOpsHelmChart {
  /** Validates and synthesizes `chart` (as `cdk8s synth` does) and renders the Helm chart's files. */
  public static render(chart: Chart, options: GitOpsHelmChartOptions = {}): GitOpsHelmChart {
    const v = new PropValidator(chart, 'GitOpsHelmChart');
    const chartName = v.dnsLabel(options.chartName === undefined ? 'chartName (from the chart id)' : 'chartName', options.chartName ?? chart.node.id);
    const [manifest] = synthesizeManifests(chart);
    const workloads = findWorkloads(chart, manifest.name, manifest.objects);
    const environments = Object.entries(options.environments ?? {});
    for (const [env, values] of environments) checkEnvironment(v, env, values, workloads);

    const files = new Map<string, string>();
    files.set('values.yaml', valuesFile(chartName, workloads));
    files.set('values.schema.json', `${JSON.stringify(valuesSchema(workloads), undefined, 2)}\n`);
    for (const [env, values] of environments) files.set(`values-${env}.yaml`, environmentFile(chartName, env, values));
    files.set('templates/_helpers.tpl', helpersTemplate(chartName));
    const used = new Set<string>();
    for (const o of manifest.objects) files.set(templatePath(o, used), templateObject(chartName, o, workloads));

    const version = options.version ?? `0.0.0-c${hashFiles(files).slice(0, 12)}`;
    v.check(SEMVER.test(version), 'version', version, 'must be a SemVer version such as "1.2.0" (Helm refuses other chart versions).');
    const chartYaml = chartFile(chartName, version, options.appVersion);
    return new GitOpsHelmChart(chartName, version, new Map([['Chart.yaml', chartYaml], ...files]), [...workloads.keys()]);
  }

  /** `name` in Chart.yaml. */
  public readonly chartName: string;
  /** `version` in Chart.yaml. */
  public readonly version: string;
  /** Every file of the chart: relative path → content. */
  public readonly files: ReadonlyMap<string, string>;
  /** The keys of `workloads` in values.yaml, in object order. */
  public readonly workloads: string[];

  private constructor(chartName: string, version: string, files: ReadonlyMap<string, string>, workloads: string[]) {
    this.chartName = chartName;
    this.version = version;
    this.files = files;
    this.workloads = workloads;
  }

  /**
   * Writes the chart into `directory` (created if missing). A directory that holds a chart this library wrote
   * is replaced as a whole (so removed objects and environments leave it); any other non-empty directory is
   * refused, so nothing of yours is overwritten.
   */
  public writeTo(directory: string): void {
    if (fs.existsSync(directory) && fs.readdirSync(directory).length > 0) {
      const chartYaml = path.join(directory, 'Chart.yaml');
      const ours = fs.existsSync(chartYaml) && fs.readFileSync(chartYaml, 'utf8').includes(`${GITOPS_CHART_GENERATOR_ANNOTATION}: cdk-k8s-platform`);
      if (!ours) {
        throw new ValidationError(`GitOpsHelmChart.writeTo: ${directory} is not empty and holds no chart written by cdk-k8s-platform: `
          + 'write into an empty or new directory (nothing there is overwritten).', { prop: 'directory', value: directory });
      }
      fs.rmSync(directory, { recursive: true, force: true });
    }
    for (const [file, content] of this.files) {
      const target = path.join(directory, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
  }
}

function chartFile(name: string, version: string, appVersion: string | undefined): string {
  const chart = {
    apiVersion: 'v2',
    name,
    description: `The ${name} workloads, written by cdk-k8s-platform from its cdk8s chart: edit the code, not the templates; set images, replicas and autoscaling in values files.`,
    type: 'application',
    version,
    ...(appVersion !== undefined ? { appVersion } : {}),
    annotations: { [GITOPS_CHART_GENERATOR_ANNOTATION]: 'cdk-k8s-platform' },
  };
  return renderYaml(chart);
}

function valuesFile(chartName: string, workloads: ReadonlyMap<string, WorkloadDefaults>): string {
  return [
    `# Values of the ${chartName} chart, as the code sets them (written by cdk-k8s-platform: npm run charts).`,
    '# Per workload (workloads.<name>): image.repository / image.tag / image.digest (a digest pins the image),',
    '# replicaCount (workloads that set replicas) and autoscaling.minReplicas / maxReplicas (workloads with an HPA).',
    '# Override them per environment in values-<env>.yaml: helm install <release> . -f values-<env>.yaml',
    '# values.schema.json checks every values file.',
    renderYaml(defaultValues(workloads)),
  ].join('\n');
}

function environmentFile(chartName: string, env: string, values: GitOpsChartValues): string {
  return [
    `# Values of the ${chartName} chart in ${env}, over values.yaml (written by cdk-k8s-platform).`,
    `# helm install <release> . -f values-${env}.yaml`,
    renderYaml({ workloads: values.workloads ?? {} }),
  ].join('\n');
}
