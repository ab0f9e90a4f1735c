import * as path from 'path';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { renderScript } from './render';
import { serverKubectl } from './server-kubectl';
import { ClusterDistribution } from '../../cluster-distribution';
import { KUBEADM_ADDONS } from '../../kubeadm/kubeadm-addons';

/** How often the association runs again on its own, so drift on the servers is repaired. */
const SCHEDULE = 'rate(30 minutes)';
const HEREDOC = 'CDK_K8S_PLATFORM_INGRESS_ENDPOINT';

/**
 * The merge both scripts run (python3; no single quote: it is rendered into a single-quoted argument). Arguments:
 * the current values (YAML or JSON; empty: none), the host name, `helmchartconfig` (write the HelmChartConfig
 * kube-system/traefik with the merged valuesContent) or `values` (write the merged values as JSON; kubeadm's
 * DaemonSet on host ports also gets the update strategy that can roll it: one node's pod at a time, no surge pod,
 * which could never bind the ports its predecessor holds), the output file. Always writes the file; prints
 * `unchanged` when the values already held everything, else `changed`. Every other value is kept; earlier
 * ingress-endpoint arguments are replaced, so the flag is given once. `additionalArguments` that is not a list is
 * refused (exit 1): merging into a string would split it into characters.
 */
export const MERGE_VALUES = `import json, sys
current, hostname, kind, out = sys.argv[1:5]
prefix = "--providers.kubernetesingress.ingressendpoint."
text = open(current).read()
values = None
if text.strip():
    try:
        values = json.loads(text)
    except ValueError:
        try:
            import yaml
        except ImportError:
            sys.exit("python3 with PyYAML is needed to merge the existing Traefik values")
        values = yaml.safe_load(text)
values = {} if values is None else values
if not isinstance(values, dict):
    sys.exit("the existing Traefik values are not a mapping: " + text[:200])
before = json.dumps(values, sort_keys=True, default=str)
def section(parent, key):
    if not isinstance(parent.get(key), dict):
        parent[key] = {}
    return parent[key]
ingress = section(section(values, "providers"), "kubernetesIngress")
section(ingress, "publishedService")["enabled"] = False
ingress.pop("ingressEndpoint", None)
arguments = values.get("additionalArguments")
if arguments is not None and not isinstance(arguments, list):
    sys.exit("additionalArguments of the existing Traefik values must be a list, not " + type(arguments).__name__ + " "
             + json.dumps(arguments, default=str)[:200]
             + ": write it as a YAML list (additionalArguments: [\\"--log.level=DEBUG\\"]) and run again")
kept = [a for a in arguments or [] if not str(a).lower().startswith(prefix)]
values["additionalArguments"] = kept + [prefix + "hostname=" + hostname]
if kind == "values":
    values["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
result = "unchanged" if json.dumps(values, sort_keys=True, default=str) == before else "changed"
if kind == "helmchartconfig":
    try:
        import yaml
        content = yaml.safe_dump(values, sort_keys=False, default_flow_style=False)
    except ImportError:
        content = json.dumps(values, indent=2, default=str) + "\\n"
    values = {"apiVersion": "helm.cattle.io/v1", "kind": "HelmChartConfig", "metadata": {"name": "traefik", "namespace": "kube-system"},
              "spec": {"valuesContent": content}}
with open(out, "w") as f:
    json.dump(values, f, indent=2, default=str)
print(result)`;

/** Props of a {@link TraefikIngressEndpoint}. */
export interface TraefikIngressEndpointProps {
  /** k3s (its packaged Traefik, a HelmChartConfig) or kubeadm (the control plane's Traefik release). */
  readonly distribution: ClusterDistribution;
  /** The ingress load balancer's DNS name (a deploy-time token). */
  readonly hostname: string;
  /** The servers (the workload association's targets). */
  readonly targets: ssm.CfnAssociationProps['targets'];
}

/**
 * The address Traefik publishes in every Ingress status: the ingress NLB's DNS name, so that external-dns
 * makes alias records of the load balancer (as it does of an ALB on EKS) and `kubectl get ingress` tells the
 * truth. Without it k3s's Traefik reports the nodes' private addresses (its ServiceLB) and kubeadm's none.
 *
 * The name is known only at deploy time and deliveries are files, so an SSM association (AWS-RunShellScript)
 * on the servers sets it, once the node's bootstrap finished: on k3s in the HelmChartConfig kube-system/traefik
 * (k3s's own way to configure its packaged chart; an existing one keeps its other values), on kubeadm in the
 * values of the control plane's Traefik release (`helm upgrade --reuse-values` with the chart version the release
 * runs, and a DaemonSet-safe update strategy). It runs when the name changes, on every new server (State Manager
 * targets the servers by tag) and every 30 minutes; a run that finds the values in place writes nothing, and every
 * run fails unless Traefik ends up running with the flag (k3s: its Deployment within 10 minutes; kubeadm: a
 * deployed revision and a finished DaemonSet rollout). The commands hold no secret.
 */
export class TraefikIngressEndpoint extends Construct {
  /** The association that writes the endpoint on the servers. */
  public readonly association: ssm.CfnAssociation;

  constructor(scope: Construct, id: string, props: TraefikIngressEndpointProps) {
    super(scope, id);
    this.association = new ssm.CfnAssociation(this, 'Association', {
      name: 'AWS-RunShellScript',
      targets: props.targets,
      parameters: { commands: ingressEndpointCommands(props.distribution, props.hostname), executionTimeout: ['3600'] },
      scheduleExpression: SCHEDULE,
      complianceSeverity: 'HIGH',
      maxConcurrency: '1',
      maxErrors: '0',
    });
  }
}

/** The shared prelude of the scripts associations run on the servers: log, until_ok, wait_for_bootstrap. */
const SERVER_TASK = path.join(__dirname, '..', 'scripts', 'server-task.sh');

/** The distribution's script with its values (the host name may be a token). */
export function ingressEndpointScript(distribution: ClusterDistribution, hostname: string): string {
  const common = { TASK: 'ingress endpoint', INGRESS_HOSTNAME: hostname, KUBECTL: serverKubectl(distribution), MERGE_VALUES };
  if (distribution === ClusterDistribution.K3S) {
    return renderScript([SERVER_TASK, path.join(__dirname, '..', '..', 'k3s', 'scripts', 'k3s-ingress-endpoint.sh')], common);
  }
  return renderScript([SERVER_TASK, path.join(__dirname, '..', '..', 'kubeadm', 'scripts', 'kubeadm-ingress-endpoint.sh')], {
    ...common,
    TRAEFIK_CHART_REPOSITORY: KUBEADM_ADDONS.traefikChartRepository,
  });
}

/** The association's commands: the script written to a temporary file and run with bash (RunShellScript runs sh). */
function ingressEndpointCommands(distribution: ClusterDistribution, hostname: string): string[] {
  return [
    'f=$(mktemp)',
    `cat > "$f" <<'${HEREDOC}'`,
    ...ingressEndpointScript(distribution, hostname).split('\n'),
    HEREDOC,
    'rc=0; bash "$f" || rc=$?; rm -f "$f"; exit "$rc"',
  ];
}
