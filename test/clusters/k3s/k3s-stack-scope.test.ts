import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { K3sCluster } from '../../../lib/clusters/k3s';
import { PlatformNetwork } from '../../../lib/network';
import { runWithStubs } from '../self-managed/support/stub-run';
import { userDataOf } from '../self-managed/support/user-data';

// Two stacks of one account may both name their cluster "acme": a server's listing of "the cluster's groups"
// (the lost-Node cleanup) takes only this stack's groups, by the stack-name tag CloudFormation puts on them.

const CLEANUP = 'usr/local/sbin/cdk-k8s-platform-node-cleanup';

/** describe-auto-scaling-groups with AND-ed tag filters over GROUPS lines `stack cluster instance state`. */
const AWS = `case "$1 $2" in
  "secretsmanager get-secret-value") echo token-value ;;
  "s3api list-objects-v2") echo None ;;
  "autoscaling describe-auto-scaling-groups")
    c=""; st=""
    for a in "$@"; do
      case "$a" in
        Name=tag:platform.cdk-k8s.io/cluster,Values=*) c="\${a#*Values=}" ;;
        Name=tag:aws:cloudformation:stack-name,Values=*) st="\${a#*Values=}" ;;
      esac
    done
    printf '%b\\n' "$GROUPS" | while read -r gs gc id state; do
      if { [ -z "$c" ] || [ "$c" = "$gc" ]; } && { [ -z "$st" ] || [ "$st" = "$gs" ]; }; then printf '%s\\t%s\\n' "$id" "$state"; fi
    done ;;
esac`;

describe('k3s: the lost-Node cleanup lists only this stack\'s groups', () => {
  let cleanup: string;
  beforeAll(() => {
    const stack = new Stack(new App(), 'k3s');
    const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
    new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
    const boot = runWithStubs(userDataOf(Template.fromStack(stack), 'ClusterServer'), { env: { INSTANCE_ID: 'i-0srv' } });
    expect(boot.status).toBe(0);
    cleanup = boot.file(CLEANUP);
  });

  test('the listing is filtered by the cluster tag and the stack name', () => {
    const r = runWithStubs(cleanup, { env: { INSTANCE_ID: 'i-0srv', GROUPS: 'teststack acme i-0srv InService' }, stubs: { aws: AWS } });
    expect(r.status).toBe(0);
    expect(r.calls.filter(c => c.startsWith('aws autoscaling'))).toEqual([
      'aws autoscaling describe-auto-scaling-groups --region eu-west-1 --filters Name=tag:platform.cdk-k8s.io/cluster,Values=acme '
      + 'Name=tag:aws:cloudformation:stack-name,Values=teststack --query AutoScalingGroups[].Instances[].[InstanceId,LifecycleState] --output text',
    ]);
  });

  test('an "acme" of another stack is not this cluster: a listing there decides nothing; this stack\'s lost agent is removed', () => {
    const k3s = 'case "$*" in "kubectl get nodes "*) printf \'%b\\n\' "$NODES" ;; esac';
    // this server is listed only in the other stack: nothing may be decided from that listing
    const foreign = runWithStubs(cleanup, {
      env: { INSTANCE_ID: 'i-0srv', GROUPS: 'other acme i-0srv InService', NODES: 'i-0srv True\\ni-0gone False' }, stubs: { aws: AWS, k3s },
    });
    expect(foreign.status).toBe(1);
    expect(foreign.output).toContain('i-0srv is not listed in the cluster\'s groups: no Node removed');
    // this stack's listing: the agent that left this stack's group is removed
    const own = runWithStubs(cleanup, {
      env: { INSTANCE_ID: 'i-0srv', GROUPS: 'teststack acme i-0srv InService\\nteststack acme i-0gone Terminated\\nother acme i-0x InService', NODES: 'i-0srv True\\ni-0gone False' },
      stubs: { aws: AWS, k3s },
    });
    expect(own.status).toBe(0);
    expect(own.calls).toContain('k3s kubectl delete node i-0gone --ignore-not-found --wait=false');
  });
});
