import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ingressRules, sampleChart } from './support/fixtures';
import { flatten } from './support/user-data';
import { K3sCluster, K3sClusterProps, K3sVersion } from '../../../lib/clusters/k3s';
import { KubeadmCluster } from '../../../lib/clusters/kubeadm';
import { IngressExposure } from '../../../lib/clusters/self-managed';
import { guardMarkOf } from '../../../lib/guards/private/marks';
import { PlatformNetwork } from '../../../lib/network';

/* Day 2 of the self-managed node groups: heal and report, roll one node at a time, drain before termination. */

function k3s(props: Partial<K3sClusterProps> = {}) {
  const stack = new Stack(new App(), 'k3s');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const cluster = new K3sCluster(stack, 'Cluster', { vpc, clusterName: 'acme', ...props });
  cluster.addWorkloads('shop', [sampleChart(cluster.traits)]);
  return { stack, cluster, template: Template.fromStack(stack) };
}

function kubeadm() {
  const stack = new Stack(new App(), 'kubeadm');
  const vpc = new PlatformNetwork(stack, 'Network', { azCount: 2 }).vpc;
  const cluster = new KubeadmCluster(stack, 'Cluster', { vpc, clusterName: 'acme' });
  return { stack, cluster, template: Template.fromStack(stack) };
}

type Resources = Record<string, any>;
const ofType = (r: Resources, type: string) => Object.entries(r).filter(([, v]) => v.Type === type);
const group = (r: Resources, part: 'Server' | 'Agent') => ofType(r, 'AWS::AutoScaling::AutoScalingGroup').find(([id]) => id.includes(`${part}Group`))!;

describe('heal and report', () => {
  const { template } = k3s();
  const resources: Resources = template.toJSON().Resources;

  test('the workload association also runs every 30 minutes, one server at a time, stopping at the first error', () => {
    const [, assoc] = ofType(resources, 'AWS::SSM::Association')[0];
    expect(assoc.Properties).toEqual(expect.objectContaining({ ScheduleExpression: 'rate(30 minutes)', MaxConcurrency: '1', MaxErrors: '0' }));
    expect(assoc.Properties.ApplyOnlyAtCronInterval).toBeUndefined(); // a change still runs it at once
  });

  test('servers: EC2 and API load balancer health after a 20-minute grace; agents: EC2 only', () => {
    const [, server] = group(resources, 'Server');
    const [, agent] = group(resources, 'Agent');
    expect(server.Properties.HealthCheckType).toBe('ELB');
    expect(server.Properties.HealthCheckGracePeriod).toBe(1200);
    expect(agent.Properties.HealthCheckType).toBeUndefined();
    expect(agent.Properties.HealthCheckGracePeriod).toBeUndefined();
  });

  test('a server is replaced only after about five minutes of API downtime (a k3s restart or an etcd defrag is not enough)', () => {
    const [[, api]] = ofType(resources, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([id]) => id.includes('ApiTargetGroup'));
    const p = api.Properties;
    expect([p.HealthCheckProtocol, p.HealthCheckIntervalSeconds, p.UnhealthyThresholdCount, p.HealthyThresholdCount]).toEqual(['TCP', 30, 10, 2]);
    expect(p.HealthCheckIntervalSeconds * p.UnhealthyThresholdCount).toBeGreaterThanOrEqual(300);
    // within the NLB's limits: interval 10 or 30 s, thresholds 2 to 10
    expect([10, 30]).toContain(p.HealthCheckIntervalSeconds);
    for (const n of [p.UnhealthyThresholdCount, p.HealthyThresholdCount]) expect(n >= 2 && n <= 10).toBe(true);
    const kubeadmApi = ofType(kubeadm().template.toJSON().Resources, 'AWS::ElasticLoadBalancingV2::TargetGroup').find(([id]) => id.includes('ApiTargetGroup'))!;
    expect(kubeadmApi[1].Properties.UnhealthyThresholdCount).toBe(10);
  });

  test('the servers are in the API target group only; the ingress load balancer targets the agents', () => {
    const [, server] = group(resources, 'Server');
    const [, agent] = group(resources, 'Agent');
    expect(server.Properties.TargetGroupARNs).toEqual([{ Ref: expect.stringMatching(/ApiTargetGroup/) }]);
    expect(agent.Properties.TargetGroupARNs).toEqual([{ Ref: expect.stringMatching(/Ingress80TargetGroup/) }, { Ref: expect.stringMatching(/Ingress443TargetGroup/) }]);
    for (const [id, tg] of ofType(resources, 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      expect([id, tg.Properties.HealthCheckPort]).toEqual([id, undefined]); // traffic port
    }
  });

  test('HA (servers only): the servers carry the ingress, health-checked on the API port, so Traefik never fails a server', () => {
    const r: Resources = k3s({ highAvailability: true }).template.toJSON().Resources;
    const [, servers] = group(r, 'Server');
    expect(servers.Properties.HealthCheckType).toBe('ELB');
    expect(servers.Properties.TargetGroupARNs).toHaveLength(3);
    const ingressTgs = ofType(r, 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([id]) => id.includes('Ingress'));
    expect(ingressTgs.map(([, tg]) => [tg.Properties.Port, tg.Properties.HealthCheckPort, tg.Properties.HealthCheckProtocol])).toEqual([[80, '6443', 'TCP'], [443, '6443', 'TCP']]);
    expect(ingressRules(r)).toContain('ServerSecurityGroup <- IngressSecurityGroup tcp 6443-6443');
    const egress = ofType(r, 'AWS::EC2::SecurityGroupEgress').map(([, e]) => `${flatten(e.Properties.GroupId)} -> ${flatten(e.Properties.DestinationSecurityGroupId)} ${e.Properties.FromPort}`);
    expect(egress).toContainEqual(expect.stringMatching(/^ATT_ClusterIngressSecurityGroup\w+_GroupId -> ATT_ClusterServerSecurityGroup\w+_GroupId 6443$/));
  });

  test('no ingress: no target group but the API one', () => {
    const r: Resources = k3s({ ingress: IngressExposure.none() }).template.toJSON().Resources;
    expect(group(r, 'Agent')[1].Properties.TargetGroupARNs).toBeUndefined();
    expect(group(r, 'Server')[1].Properties.TargetGroupARNs).toHaveLength(1);
  });

  test('BootstrapLogCommand prints a node\'s bootstrap log through SSM', () => {
    const outputs = template.toJSON().Outputs as Record<string, any>;
    const [, out] = Object.entries(outputs).find(([k]) => k.includes('BootstrapLogCommand'))!;
    expect(flatten(out.Value)).toBe('aws ssm start-session --region eu-west-1 --target "$INSTANCE_ID" --document-name AWS-StartInteractiveCommand '
      + '--parameters \'{"command":["sudo tail -n 200 /var/log/cdk-k8s-platform-bootstrap.log"]}\'');
    expect(out.Description).toContain('Received FAILURE signal with UniqueId');
  });
});

describe('upgrades in place: one node at a time, servers first', () => {
  const { template } = k3s();
  const resources: Resources = template.toJSON().Resources;

  test.each<[string, 'Server' | 'Agent', number]>([['the single server (0 in service: API down for one roll)', 'Server', 0], ['two agents', 'Agent', 1]])(
    '%s: rolling update of one node, waiting for its bootstrap signal', (_, part, minInService) => {
      const [, g] = group(resources, part);
      expect(g.UpdatePolicy.AutoScalingRollingUpdate).toEqual({
        MaxBatchSize: 1,
        MinInstancesInService: minInService,
        WaitOnResourceSignals: true,
        PauseTime: 'PT45M', // a bootstrap (30 min) plus a drain (15 min)
        SuspendProcesses: ['HealthCheck', 'ReplaceUnhealthy', 'AZRebalance', 'AlarmNotification', 'ScheduledActions', 'InstanceRefresh'],
      });
      expect(g.CreationPolicy.ResourceSignal).toEqual({ Count: part === 'Server' ? 1 : 2, Timeout: 'PT30M' });
    });

  test('HA: three servers keep a quorum of two', () => {
    const r: Resources = k3s({ highAvailability: true }).template.toJSON().Resources;
    expect(group(r, 'Server')[1].UpdatePolicy.AutoScalingRollingUpdate).toEqual(expect.objectContaining({ MaxBatchSize: 1, MinInstancesInService: 2 }));
  });

  test('the agents depend on the servers, so CloudFormation rolls them after the servers', () => {
    const [serverId] = group(resources, 'Server');
    const [, agent] = group(resources, 'Agent');
    expect(agent.DependsOn).toContain(serverId);
    expect(group(resources, 'Server')[1].DependsOn ?? []).not.toContainEqual(expect.stringMatching(/AgentGroup/));
  });

  test('each group is tagged with its release (and so are its nodes)', () => {
    for (const part of ['Server', 'Agent'] as const) {
      expect(group(resources, part)[1].Properties.Tags).toContainEqual({ Key: 'platform.cdk-k8s.io/kubernetes-version', PropagateAtLaunch: true, Value: 'v1.36.5+k3s1' });
    }
    const r: Resources = k3s({ version: K3sVersion.V1_32_5 }).template.toJSON().Resources;
    expect(group(r, 'Server')[1].Properties.Tags).toContainEqual(expect.objectContaining({ Key: 'platform.cdk-k8s.io/kubernetes-version', Value: 'v1.32.5+k3s1' }));
    const kr: Resources = kubeadm().template.toJSON().Resources;
    expect(group(kr, 'Agent')[1].Properties.Tags).toContainEqual(expect.objectContaining({ Key: 'platform.cdk-k8s.io/kubernetes-version', Value: '1.36.5' }));
  });
});

describe('drain before termination', () => {
  const { template, cluster } = k3s();
  const resources: Resources = template.toJSON().Resources;
  const rules = ofType(resources, 'AWS::Events::Rule');
  const [docId, doc] = ofType(resources, 'AWS::SSM::Document')[0];

  test('every group has a termination hook (inline, 15-minute heartbeat, CONTINUE) named after stack, cluster and role', () => {
    for (const part of ['Server', 'Agent'] as const) {
      const hooks = group(resources, part)[1].Properties.LifecycleHookSpecificationList;
      expect(hooks).toHaveLength(1);
      expect(hooks[0]).toEqual(expect.objectContaining({ LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 900, DefaultResult: 'CONTINUE' }));
      expect(flatten(hooks[0].LifecycleHookName)).toBe(`teststack-acme-${part.toLowerCase()}-drain`);
    }
    template.resourceCountIs('AWS::AutoScaling::LifecycleHook', 0);
  });

  test('one rule per group starts the runbook with the lifecycle action, the instance and the node role', () => {
    expect(rules).toHaveLength(2);
    for (const [, rule] of rules) {
      const role = rule.Properties.Description.includes('server') ? 'server' : 'agent';
      expect(rule.Properties.EventPattern).toEqual({
        'source': ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
        'detail': { LifecycleHookName: [expect.anything()] },
      });
      expect(flatten(rule.Properties.EventPattern.detail.LifecycleHookName[0])).toBe(`teststack-acme-${role}-drain`);
      const [target] = rule.Properties.Targets;
      expect(flatten(target.Arn)).toBe(`arn:aws:ssm:eu-west-1:111111111111:automation-definition/REF_${docId}:$DEFAULT`);
      expect(target.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/NodeDrainEventsRole/), 'Arn'] });
      expect(target.InputTransformer.InputPathsMap).toEqual({
        instance: '$.detail.EC2InstanceId', group: '$.detail.AutoScalingGroupName', hook: '$.detail.LifecycleHookName', token: '$.detail.LifecycleActionToken',
      });
      expect(JSON.parse(target.InputTransformer.InputTemplate.replace(/<(\w+)>/g, '$1'))).toEqual({
        InstanceId: ['instance'], AutoScalingGroupName: ['group'], LifecycleHookName: ['hook'], LifecycleActionToken: ['token'], NodeRole: [role],
      });
    }
  });

  test('the groups depend on the drain (rule, runbook, roles), so the first roll that brings it already drains', () => {
    for (const part of ['Server', 'Agent'] as const) {
      const deps: string[] = group(resources, part)[1].DependsOn;
      for (const pattern of [new RegExp(`NodeDrain${part}Rule`), /NodeDrainRunbook/, /NodeDrainAutomationRole[0-9A-F]{8}$/, /NodeDrainAutomationRoleDefaultPolicy/, /NodeDrainEventsRoleDefaultPolicy/]) {
        expect(deps).toContainEqual(expect.stringMatching(pattern));
      }
    }
  });

  test('the runbook drains the server on itself and an agent from the servers, then always completes the lifecycle action', () => {
    const content = doc.Properties.Content;
    expect(doc.Properties.DocumentType).toBe('Automation');
    expect(content.parameters.InstanceId.allowedPattern).toBe('^i-[0-9a-f]{8,17}$');
    expect(content.mainSteps.map((s: any) => [s.name, s.action, s.onFailure ?? '', s.nextStep ?? '', s.isEnd ?? false])).toEqual([
      ['chooseDrain', 'aws:branch', '', '', false],
      ['drainServer', 'aws:runCommand', 'step:completeLifecycleAction', 'completeLifecycleAction', false],
      ['drainAgentFromServers', 'aws:runCommand', 'step:completeLifecycleAction', 'completeLifecycleAction', false],
      ['completeLifecycleAction', 'aws:executeAwsApi', '', '', true],
    ]);
    const [, server, agent, complete] = content.mainSteps;
    expect(server.inputs.InstanceIds).toEqual(['{{ InstanceId }}']);
    expect(agent.inputs.Targets).toEqual([{ Key: 'tag:platform.cdk-k8s.io/delivery-target', Values: [{ 'Fn::Join': ['', [{ Ref: 'AWS::StackName' }, '/acme']] }] }]);
    expect(agent.inputs.MaxConcurrency).toBe('1');
    for (const step of [server, agent]) {
      expect(step.inputs.Parameters.executionTimeout).toEqual(['780']); // within the 15-minute heartbeat
      expect(step.timeoutSeconds).toBe(840);
    }
    expect(complete.inputs).toEqual(expect.objectContaining({ Service: 'autoscaling', Api: 'CompleteLifecycleAction', LifecycleActionResult: 'CONTINUE', InstanceId: '{{ InstanceId }}' }));
    expect(flatten(content.parameters.AutomationAssumeRole.default)).toMatch(/^ATT_ClusterNodeDrainAutomationRole\w+_Arn$/);
  });

  test('IAM: the runbook sends only AWS-RunShellScript to the cluster\'s instances and completes only the cluster\'s lifecycle actions (of this stack)', () => {
    const policy = (part: string) => ofType(resources, 'AWS::IAM::Policy').find(([id]) => id.includes(part))![1].Properties.PolicyDocument.Statement as any[];
    const flatCondition = (c: any) => (c ? { StringEquals: Object.fromEntries(Object.entries(c.StringEquals).map(([k, v]) => [k, flatten(v)])) } : undefined);
    const automation = policy('NodeDrainAutomationRole').map(s => JSON.parse(JSON.stringify({ ...s, Resource: flatten(s.Resource), Condition: flatCondition(s.Condition) })));
    expect(automation).toEqual([
      { Action: 'ssm:SendCommand', Effect: 'Allow', Resource: 'arn:aws:ssm:eu-west-1::document/AWS-RunShellScript' },
      {
        Action: 'ssm:SendCommand',
        Effect: 'Allow',
        Resource: 'arn:aws:ec2:eu-west-1:111111111111:instance/*',
        Condition: { StringEquals: { 'ssm:resourceTag/platform.cdk-k8s.io/cluster': 'acme', 'ssm:resourceTag/aws:cloudformation:stack-id': 'REF_AWS::StackId' } },
      },
      {
        Action: ['ssm:ListCommands', 'ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:DescribeInstanceInformation'], Effect: 'Allow', Resource: '*',
      },
      {
        Action: 'autoscaling:CompleteLifecycleAction',
        Effect: 'Allow',
        Resource: 'arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:*:autoScalingGroupName/*',
        Condition: { StringEquals: { 'autoscaling:ResourceTag/platform.cdk-k8s.io/cluster': 'acme', 'autoscaling:ResourceTag/aws:cloudformation:stack-id': 'REF_AWS::StackId' } },
      },
    ]);
    const eventsStatements = policy('NodeDrainEventsRole');
    expect(eventsStatements.map(s => ({ ...s, Resource: flatten(s.Resource) }))).toEqual([
      { Action: 'ssm:StartAutomationExecution', Effect: 'Allow', Resource: `arn:aws:ssm:eu-west-1:111111111111:automation-definition/REF_${docId}:*` },
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: expect.stringMatching(/^ATT_ClusterNodeDrainAutomationRole\w+_Arn$/), Condition: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } } },
    ]);
    const trust = (part: string) => ofType(resources, 'AWS::IAM::Role').find(([id]) => id.includes(part))![1].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust('NodeDrainAutomationRole')).toEqual([expect.objectContaining({ Principal: { Service: 'ssm.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })]);
    expect(trust('NodeDrainEventsRole')).toEqual([expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })]);
    // every node carries the tag the conditions test
    for (const part of ['Server', 'Agent'] as const) {
      expect(group(resources, part)[1].Properties.Tags).toContainEqual({ Key: 'platform.cdk-k8s.io/cluster', PropagateAtLaunch: true, Value: 'acme' });
    }
  });

  test('the token secrets are marked for the ReplacementGuard, the kubeconfig is not', () => {
    const marked = (s: { node: { defaultChild?: unknown } }) => guardMarkOf(s.node.defaultChild as any)?.role;
    expect(marked(cluster.serverToken)).toBe('cluster-token');
    expect(marked(cluster.agentToken)).toBe('cluster-token');
    expect(marked(cluster.kubeconfigSecret)).toBeUndefined();
    expect(marked(kubeadm().cluster.bootstrapToken)).toBe('cluster-token');
  });
});
