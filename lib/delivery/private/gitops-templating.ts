import { IConstruct } from 'constructs';
import { KubeObject } from '../../workloads';
import { ImageRef, parseImage } from '../../workloads/private/image';
import { PropValidator } from '../../workloads/private/validate';
import { escapeHelmTemplate, HELM_RESOURCE_POLICY } from '../helm-chart-directory';
import { toYamlDocument } from './render';

/** The values a workload's templates read: what values.yaml holds under `workloads.<key>`. */
export interface WorkloadDefaults {
  /** The key under `workloads` (the workload's object name). */
  readonly key: string;
  /** Its kind, for messages. */
  readonly kind: string;
  /** The image of its first container. */
  readonly image: ImageRef;
  /** `spec.replicas`, when the workload sets it (Deployment, StatefulSet not scaled by an HPA). */
  readonly replicaCount?: number;
  /** The HPA that scales it, when there is one. */
  readonly autoscaling?: { readonly minReplicas?: number; readonly maxReplicas: number };
}

/** One template file: its path and its text. */
export interface TemplateFile {
  readonly path: string;
  readonly text: string;
}

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const REPLICATED = new Set(['Deployment', 'StatefulSet']);
const KEPT_KINDS = new Set(['CustomResourceDefinition', 'PersistentVolumeClaim', 'PersistentVolume', 'Namespace']);
const VERSION_LABEL = 'app.kubernetes.io/version';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

type Json = Record<string, any>;

/** The workloads of a chart's objects (every object with a pod template), keyed by object name. */
export function findWorkloads(scope: IConstruct, chart: string, objects: KubeObject[]): Map<string, WorkloadDefaults> {
  const v = new PropValidator(scope, 'GitOpsHelmChart');
  const out = new Map<string, WorkloadDefaults>();
  const where = new Map<string, string>();
  for (const o of objects) {
    const pod = podSpec(o);
    const first = pod?.containers?.[0];
    if (!first || typeof first.image !== 'string') continue;
    const key = o.metadata.name!;
    const what = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${key}`;
    if (where.has(key)) {
      v.fail('chart', what, `has the name of ${where.get(key)} (chart "${chart}"): each workload is a key of values.yaml "workloads"; give the workloads distinct names.`);
    }
    where.set(key, what);
    const image = parseImage(v, `chart: ${o.kind} ${key} containers[0].image`, first.image);
    const spec = o.spec as Json;
    const replicaCount = REPLICATED.has(o.kind) && typeof spec.replicas === 'number' ? spec.replicas : undefined;
    out.set(key, { key, kind: o.kind, image, replicaCount, autoscaling: autoscalerOf(o, objects) });
  }
  return out;
}

/** The autoscaling/v2 HPA of the chart that targets `w` (same namespace, kind and name). */
function autoscalerOf(w: KubeObject, objects: KubeObject[]): WorkloadDefaults['autoscaling'] {
  const hpa = objects.find(o => o.kind === 'HorizontalPodAutoscaler' && o.metadata.namespace === w.metadata.namespace
    && (o.spec as Json)?.scaleTargetRef?.kind === w.kind && (o.spec as Json)?.scaleTargetRef?.name === w.metadata.name);
  if (!hpa) return undefined;
  const spec = hpa.spec as Json;
  return { minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
}

function podSpec(o: KubeObject): Json | undefined {
  const path = POD_SPEC_PATHS[o.kind];
  let node: any = o;
  for (const p of path ?? []) node = node?.[p];
  return path ? node : undefined;
}

/**
 * The template of one object: its YAML with every `{{` escaped, except the fields values.yaml sets (images,
 * replicas, HPA bounds, the version labels that follow the image), which become `{{ .Values... }}` actions.
 */
export function templateObject(chartName: string, o: KubeObject, workloads: ReadonlyMap<string, WorkloadDefaults>): string {
  const actions: string[] = [];
  const marker = 'cdkk8sHelmValue';
  const mark = (action: string): string => {
    actions.push(action);
    return `${marker}${actions.length - 1}z`;
  };
  const copy = JSON.parse(JSON.stringify(keep(o))) as Json;
  const preamble = substitute(chartName, copy, workloads, mark);
  let text = escapeHelmTemplate(toYamlDocument(copy));
  text = text.replace(new RegExp(`${marker}(\\d+)z`, 'g'), (_m, i: string) => actions[Number(i)]);
  return `${preamble}---\n${text}`;
}

type Mark = (action: string) => string;

/** Replaces the values' fields of `o` by markers; returns text to put before the object (guards). */
function substitute(chartName: string, o: Json, workloads: ReadonlyMap<string, WorkloadDefaults>, mark: Mark): string {
  const own = workloads.get(o.metadata?.name);
  const pod = podSpec(o as KubeObject);
  if (own && pod && own.kind === o.kind) {
    const values = valuesOf(own.key);
    const original = pod.containers[0].image;
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      if (c.image === original) c.image = mark(`{{ include "${chartName}.image" ${values}.image | quote }}`);
    }
    if (own.replicaCount !== undefined) o.spec.replicas = mark(`{{ ${values}.replicaCount }}`);
    markVersion(chartName, o.spec.template?.metadata?.labels, own, mark);
  }
  const labels = o.metadata?.labels as Json | undefined;
  const owner = workloads.get(labels?.[INSTANCE_LABEL]);
  if (owner) markVersion(chartName, labels, owner, mark);
  return o.kind === 'HorizontalPodAutoscaler' ? autoscaling(o, workloads, mark) : '';
}

function markVersion(chartName: string, labels: Json | undefined, w: WorkloadDefaults, mark: Mark): void {
  if (labels && labels[VERSION_LABEL] === w.image.version) {
    labels[VERSION_LABEL] = mark(`{{ include "${chartName}.version" ${valuesOf(w.key)}.image | quote }}`);
  }
}

/** An HPA of a workload reads its bounds from the values, refusing minReplicas above maxReplicas. */
function autoscaling(o: Json, workloads: ReadonlyMap<string, WorkloadDefaults>, mark: Mark): string {
  const w = workloads.get(o.spec?.scaleTargetRef?.name);
  if (!w?.autoscaling || w.kind !== o.spec.scaleTargetRef.kind) return '';
  const values = `${valuesOf(w.key)}.autoscaling`;
  if (o.spec.minReplicas !== undefined) o.spec.minReplicas = mark(`{{ ${values}.minReplicas }}`);
  o.spec.maxReplicas = mark(`{{ ${values}.maxReplicas }}`);
  const path = `workloads.${w.key}.autoscaling`;
  return `{{- with ${values} }}{{- if gt (int (.minReplicas | default 1)) (int .maxReplicas) }}`
    + `{{- fail (printf "${path}.minReplicas (%v) must not exceed ${path}.maxReplicas (%v)" .minReplicas .maxReplicas) }}`
    + '{{- end }}{{- end }}\n';
}

/** The Go template expression of a workload's values. */
export function valuesOf(key: string): string {
  return `(index .Values.workloads "${key}")`;
}

/** Argo CD's per-object sync options: never prune the object, nor delete it with its Application. */
export const ARGOCD_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const ARGOCD_KEEP = 'Prune=false,Delete=false';

/**
 * CRDs, claims, volumes and namespaces carry `helm.sh/resource-policy: keep` (unless set), as the delivery's charts do, and
 * Argo CD's `Prune=false,Delete=false` (unless set): Argo CD ignores Helm's policy, and an Application syncing
 * with prune, or deleted, would otherwise delete the data with the object.
 */
function keep(o: KubeObject): KubeObject {
  if (!KEPT_KINDS.has(o.kind)) return o;
  const annotations = (o.metadata.annotations ?? {}) as Record<string, string>;
  return { ...o, metadata: { ...o.metadata, annotations: { [HELM_RESOURCE_POLICY]: 'keep', [ARGOCD_SYNC_OPTIONS]: ARGOCD_KEEP, ...annotations } } };
}

/** `templates/_helpers.tpl`: the image reference and the version label of a workload's `image` values. */
export function helpersTemplate(chartName: string): string {
  return [
    '{{/* The image reference of a workload\'s "image" values: repository[:tag][@digest]. */}}',
    `{{- define "${chartName}.image" -}}`,
    '{{- .repository -}}{{- if .tag -}}:{{ .tag }}{{- end -}}{{- if .digest -}}@{{ .digest }}{{- end -}}',
    '{{- end -}}',
    '',
    '{{/* The app.kubernetes.io/version label of a workload: its tag (label-safe), else 12 digits of its digest. */}}',
    `{{- define "${chartName}.version" -}}`,
    '{{- if .tag -}}',
    '{{- regexReplaceAll "[^A-Za-z0-9]+$" (trunc 63 (regexReplaceAll "^[^A-Za-z0-9]+" .tag "")) "" | default "unknown" -}}',
    '{{- else -}}',
    '{{- substr 7 19 .digest -}}',
    '{{- end -}}',
    '{{- end -}}',
    '',
  ].join('\n');
}

/** The file name of an object's template: `templates/<kind>-<name>.yaml`, made unique. */
export function templatePath(o: KubeObject, used: Set<string>): string {
  const base = `${o.kind}-${o.metadata.name ?? 'object'}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 100);
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
  used.add(name);
  return `templates/${name}.yaml`;
}
