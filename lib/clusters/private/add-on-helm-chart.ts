import * as fs from 'fs';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import type * as yaml from 'yaml';
import { DeliveryLabels } from '../../delivery';
import { cdkPropValidator } from '../../private/validate';
import { PodSecurityLevel } from '../../workloads';
import { AddOnHelmChartProps } from '../add-on-helm-chart';

/** An exact SemVer 2 version, with an optional leading v (what Helm accepts for a pinned chart). */
const EXACT_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const CHART_NAME = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;
const REPOSITORY = /^(https:\/\/[^\s/]+(\/\S*)?|oci:\/\/[^\s/]+\/\S+)$/;
const MAX_TIMEOUT = Duration.minutes(14);
/** A chart archive's limit: k3s's Helm controller copies it, base64, into a ConfigMap (at most 1 MiB). */
const MAX_ARCHIVE_BYTES = 512 * 1024;

/** A packaged chart read at synth: its bytes and its files (paths without the chart's top directory). */
export interface ChartArchive {
  readonly path: string;
  readonly content: Buffer;
  readonly files: Map<string, Buffer>;
}

/** An add-on chart with every default filled in and every prop checked. */
export interface ResolvedAddOnHelmChart extends AddOnHelmChartProps {
  readonly release: string;
  readonly createNamespace: boolean;
  readonly podSecurity: PodSecurityLevel;
  readonly timeout: Duration;
  /** The packaged chart, when `chartArchive` is given. */
  readonly archive?: ChartArchive;
}

/** Checks `addHelmChart(id, props)` (`taken`: the id is already used on the cluster) and fills in the defaults. */
export function resolveAddOnHelmChart(scope: IConstruct, kind: string, id: string, props: AddOnHelmChartProps, taken: boolean): ResolvedAddOnHelmChart {
  const v = cdkPropValidator(scope, kind);
  v.dnsLabel('addHelmChart(id)', id, 36);
  v.check(!taken, 'addHelmChart(id)', id, 'is already used by another chart of this cluster: give each chart its own id.');
  v.check(typeof props.repository === 'string' && REPOSITORY.test(props.repository), 'addHelmChart.repository', props.repository,
    'must be an https:// chart repository URL or an oci:// registry path (e.g. "https://charts.example.com" or "oci://public.ecr.aws/org/charts").');
  v.check(typeof props.chart === 'string' && CHART_NAME.test(props.chart), 'addHelmChart.chart', props.chart,
    'must be a chart name: lowercase letters, digits, \'-\', \'_\' and \'.\' (e.g. "vertical-pod-autoscaler").');
  v.check(typeof props.version === 'string' && EXACT_VERSION.test(props.version), 'addHelmChart.version', props.version,
    'must be one exact chart version such as "4.7.2" (no ranges or "latest": every deploy must install the same chart).');
  v.dnsLabel('addHelmChart.namespace', props.namespace);
  const release = v.dnsLabel('addHelmChart.release', props.release ?? id, 53);
  const podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
  v.check(Object.values(PodSecurityLevel).includes(podSecurity), 'addHelmChart.podSecurity', podSecurity,
    `must be one of ${Object.values(PodSecurityLevel).map(l => `"${l}"`).join(', ')} (PodSecurityLevel).`);
  const timeout = props.timeout ?? Duration.minutes(10);
  v.check(timeout.toSeconds() >= 60 && timeout.toSeconds() <= MAX_TIMEOUT.toSeconds(), 'addHelmChart.timeout', timeout.toHumanString(),
    'must be from 1 to 14 minutes: on EKS Helm runs in a Lambda function that stops at 15.');
  const archive = props.chartArchive === undefined ? undefined : checkedArchive(v, props);
  return { ...props, release, podSecurity, timeout, archive, createNamespace: props.createNamespace ?? true };
}

/** Reads `chartArchive` and checks that it is the chart and version the props name. */
function checkedArchive(v: ReturnType<typeof cdkPropValidator>, props: AddOnHelmChartProps): ChartArchive {
  const file = props.chartArchive;
  const prop = 'addHelmChart.chartArchive';
  v.check(typeof file === 'string' && file.endsWith('.tgz') && path.isAbsolute(file), prop, file,
    'must be the absolute path of a packaged chart (.tgz, as `helm package` writes it), e.g. path.join(__dirname, \'chart\', \'my-chart-1.2.3.tgz\').');
  const size = fs.existsSync(file!) ? fs.statSync(file!).size : undefined;
  v.check(size !== undefined, prop, file, 'does not exist: ship the .tgz with the library (package.json "files") next to the add-on that names it.');
  v.check(size! <= MAX_ARCHIVE_BYTES, prop, file, `is ${size} bytes: at most ${MAX_ARCHIVE_BYTES} (k3s and kubeadm keep it, base64, in a ConfigMap of at most 1 MiB). Install a chart this large from a repository.`);
  const content = fs.readFileSync(file!);
  const files = readChartArchive(content);
  if (typeof files === 'string') return v.fail(prop, file, `is not a packaged chart (${files}): make it with \`helm package <chart dir>\`.`);
  const chartYaml = files.get('Chart.yaml');
  // Loaded on first use: only a chart given as an archive (the self-managed EBS CSI driver) is read here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof yaml;
  const meta = chartYaml ? parse(chartYaml.toString('utf8')) as { name?: unknown; version?: unknown } : {};
  v.check(meta.name === props.chart && meta.version === props.version, prop, file,
    `holds the chart ${String(meta.name)} ${String(meta.version)} (its Chart.yaml), not ${props.chart} ${props.version}: `
    + 'make chart and version name the archive\'s chart (they name the release, the lock and the docs).');
  return { path: file!, content, files };
}

/**
 * The files of a packaged chart (a gzipped tar whose entries all sit under the chart's directory), by their
 * path inside that directory, or what is wrong with it. Regular files only; PAX path records honoured; no
 * path may leave the chart.
 */
export function readChartArchive(tgz: Buffer): Map<string, Buffer> | string {
  let tar: Buffer;
  try {
    tar = gunzipSync(tgz);
  } catch (e) {
    return `not gzip: ${(e as Error).message}`;
  }
  const files = new Map<string, Buffer>();
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0;) {
    const header = tar.subarray(at, at + 512);
    const field = (from: number, length: number) => header.subarray(from, from + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const data = tar.subarray(at + 512, at + 512 + size);
    const prefix = field(257, 6) === 'ustar' ? field(345, 155) : ''; // POSIX ustar only (GNU tar keeps other fields there)
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
    } else if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
    } else if (type === '0' || type === '7') {
      const parts = name.split('/').filter(p => p !== '' && p !== '.');
      if (name.startsWith('/') || parts.includes('..') || parts.length < 2) return `entry "${name}" is outside the chart's directory`;
      files.set(parts.slice(1).join('/'), Buffer.from(data));
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files.has('Chart.yaml') ? files : 'no Chart.yaml in its top directory';
}

/** The labels of an add-on's namespace: managed by the library, enforcing (and warning and auditing at) its level. */
export function addOnNamespaceLabels(chart: ResolvedAddOnHelmChart): Record<string, string> {
  return {
    [DeliveryLabels.MANAGED_BY]: DeliveryLabels.MANAGED_BY_VALUE,
    'pod-security.kubernetes.io/enforce': chart.podSecurity,
    'pod-security.kubernetes.io/audit': chart.podSecurity,
    'pod-security.kubernetes.io/warn': chart.podSecurity,
  };
}
