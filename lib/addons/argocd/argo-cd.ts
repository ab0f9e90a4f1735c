import { Duration } from 'aws-cdk-lib';
import { ApiObject, App, Chart } from 'cdk8s';
import { IDependable } from 'constructs';
import { IPlatformCluster } from '../../clusters/platform-cluster';
import { PropValidator } from '../../workloads/private/validate';
import { IPlatformAddOn } from '../platform-add-on';

/** The argo-cd chart (argoproj/argo-helm), pinned: chart 10.1.1 installs Argo CD v3.4.4. */
export const ARGO_CD_CHART = {
  repository: 'https://argoproj.github.io/argo-helm',
  chart: 'argo-cd',
  version: '10.1.1',
  appVersion: 'v3.4.4',
} as const;

/** One Argo CD Application: a path of the repository synced into a namespace. */
export interface ArgoCdApplication {
  /** The Application's name (a DNS-1123 label). */
  readonly name: string;
  /** The path in the repository (a Helm chart or a folder of manifests), e.g. 'charts/shop'. */
  readonly path: string;
  /**
   * The namespace the Application's objects go to (created by Argo CD when missing).
   * @default - the Application's name
   */
  readonly namespace?: string;
  /**
   * Values files of the Helm chart at `path`, relative to it, applied in order after its values.yaml (e.g.
   * `['values-prod.yaml']`, as `GitOpsHelmChart` writes them per environment).
   * @default - the chart's values.yaml only
   */
  readonly valueFiles?: string[];
}

/** Props of the {@link ArgoCd} add-on. */
export interface ArgoCdProps {
  /**
   * The Git repository Argo CD syncs from: an `https://` URL, or an SSH one (`ssh://git@host/org/repo.git` or
   * `git@host:org/repo.git`). Credentials for a private repository are a Secret you add in the cluster
   * (labelled `argocd.argoproj.io/secret-type: repository`), never a prop.
   */
  readonly repositoryUrl: string;
  /** The Applications: one per path of the repository. */
  readonly applications: ArgoCdApplication[];
  /**
   * The branch, tag or commit every Application follows.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /**
   * Sync automatically, prune what was removed from Git and undo drift (self-heal).
   * @default true
   */
  readonly automatedSync?: boolean;
  /**
   * The namespace Argo CD runs in (Pod Security restricted).
   * @default 'argocd'
   */
  readonly namespace?: string;
}

const RESTRICTED_NAMESPACE = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/\S+$/;
const SSH_URL = /^(ssh:\/\/[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d+)?\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\s]\S*)$/;
const REPO_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Argo CD (argo-helm's argo-cd chart, pinned; every pod under Pod Security restricted) and an AppProject
 * limited to one repository, with one Application per path, synced into its namespace. Argo CD generates its
 * admin password in the cluster (`argocd-initial-admin-secret`). The Applications are delivered after the
 * chart (they need its CRDs). Runs on EKS, k3s and kubeadm (through the Helm controller of both self-managed kinds).
 * See docs/gitops.md.
 */
export class ArgoCd implements IPlatformAddOn {
  public readonly name = 'argocd';

  constructor(private readonly props: ArgoCdProps) {}

  public install(cluster: IPlatformCluster): IDependable {
    const v = new PropValidator(cluster, 'ArgoCd');
    const p = this.props;
    v.check(typeof p?.repositoryUrl === 'string' && (HTTPS_URL.test(p.repositoryUrl) || SSH_URL.test(p.repositoryUrl)), 'repositoryUrl', p?.repositoryUrl,
      'must be an https:// or SSH Git URL (e.g. "https://github.com/acme/deploy.git" or "git@github.com:acme/deploy.git"): plain http and other schemes would fetch releases unauthenticated.');
    const namespace = v.dnsLabel('namespace', p.namespace ?? 'argocd');
    const apps = checkApplications(v, p.applications);
    const release = cluster.addHelmChart(this.name, {
      repository: ARGO_CD_CHART.repository,
      chart: ARGO_CD_CHART.chart,
      version: ARGO_CD_CHART.version,
      namespace,
      values: argoCdValues(),
      timeout: Duration.minutes(10),
    });
    cluster.addWorkloads(`${this.name}-apps`, [applications(namespace, p.repositoryUrl, p.targetRevision ?? 'HEAD', p.automatedSync ?? true, apps)]);
    return release;
  }
}

function checkApplications(v: PropValidator, apps: ArgoCdApplication[]): Required<ArgoCdApplication>[] {
  v.nonEmpty('applications', apps);
  const out = apps.map((a, i) => {
    v.dnsLabel(`applications[${i}].name`, a?.name);
    v.check(isRepoPath(a.path), `applications[${i}].path`, a.path,
      'must be a relative path in the repository such as "charts/shop" (no leading "/", no "..").');
    const valueFiles = a.valueFiles ?? [];
    valueFiles.forEach((f, j) => v.check(isRepoPath(f), `applications[${i}].valueFiles[${j}]`, f,
      'must be a path relative to the chart such as "values-prod.yaml" (no leading "/", no "..").'));
    return { name: a.name, path: a.path, namespace: v.dnsLabel(`applications[${i}].namespace`, a.namespace ?? a.name), valueFiles };
  });
  v.unique('applications[].name', out.map(a => a.name), 'Application name');
  return out;
}

function isRepoPath(path: unknown): boolean {
  return typeof path === 'string' && REPO_PATH.test(path) && !path.split('/').includes('..');
}

/** The chart's values: no Dex (add SSO yourself), restricted pods (the chart's container defaults plus the pod's). */
function argoCdValues(): Record<string, unknown> {
  return {
    global: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } },
    dex: { enabled: false },
    configs: { params: { 'server.insecure': false } },
  };
}

/** The AppProject (one repository, the Applications' namespaces) and the Applications. */
function applications(namespace: string, repoURL: string, targetRevision: string, automated: boolean, apps: Required<ArgoCdApplication>[]): Chart {
  const chart = new Chart(new App(), 'argocd-apps', { namespace });
  const project = 'platform';
  new ApiObject(chart, 'Project', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: project },
    spec: {
      description: 'Applications of the platform (cdk-k8s-platform)',
      sourceRepos: [repoURL],
      destinations: apps.map(a => ({ server: 'https://kubernetes.default.svc', namespace: a.namespace })),
      // namespaced objects only: a repository cannot change cluster-wide objects (except creating its namespaces)
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
    },
  });
  for (const a of apps) {
    new ApiObject(chart, `App-${a.name}`, {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: a.name, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: {
        project,
        source: { repoURL, targetRevision, path: a.path, ...(a.valueFiles.length > 0 ? { helm: { valueFiles: a.valueFiles } } : {}) },
        destination: { server: 'https://kubernetes.default.svc', namespace: a.namespace },
        syncPolicy: {
          ...(automated ? { automated: { prune: true, selfHeal: true } } : {}),
          syncOptions: ['CreateNamespace=true'],
          // a namespace Argo CD creates enforces Pod Security restricted, as the platform's own namespaces do
          managedNamespaceMetadata: { labels: RESTRICTED_NAMESPACE },
        },
      },
    });
  }
  return chart;
}
