import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { renderScript } from './render';
import { serverAssociation } from './server-association';
import { serverKubectl } from './server-kubectl';
import { ClusterDistribution } from '../../cluster-distribution';
import { KUBEADM_ADDONS } from '../../kubeadm/kubeadm-addons';

/** How often the association runs again on its own, so drift on the servers is repaired. */
const SCHEDULE = 'rate(30 minutes)';
const HEREDOC = 'CDK_K8S_PLATFORM_INGRESS_ENDPOINT';

/**
 * The merge both scripts run (scripts/merge-traefik-values.py, python3; no single quote in it: it is rendered
 * into a single-quoted argument). Arguments: the current values (YAML or JSON; empty: none), the host name, `helmchartconfig` (write the HelmChartConfig
 * kube-system/traefik with the merged valuesContent) or `values` (write the merged values as JSON; kubeadm's
 * DaemonSet on host ports also gets the update strategy that can roll it: one node's pod at a time, no surge pod,
 * which could never bind the ports its predecessor holds), the output file. Always writes the file; prints
 * `unchanged` when the values already held everything, else `changed`. Every other value is kept; earlier
 * ingress-endpoint arguments are replaced, so the flag is given once. `additionalArguments` that is not a list is
 * refused (exit 1): merging into a string would split it into characters.
 */
export const MERGE_VALUES = fs.readFileSync(path.join(__dirname, '..', 'scripts', 'merge-traefik-values.py'), 'utf8').trimEnd();

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
    this.association = serverAssociation(this, 'Association', {
      targets: props.targets,
      commands: ingressEndpointCommands(props.distribution, props.hostname),
      timeout: Duration.hours(1),
      schedule: SCHEDULE,
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
