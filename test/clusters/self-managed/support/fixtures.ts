import { App as K8sApp, ApiObject } from 'cdk8s';
import { ClusterTraits, PlatformChart } from '../../../../lib/workloads';

/** A small chart of plain objects (a namespace, a ConfigMap with `data`). */
export function sampleChart(traits: ClusterTraits, data: Record<string, string> = { greeting: 'hello' }): PlatformChart {
  const chart = new PlatformChart(new K8sApp(), 'shop', { traits });
  new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'shop' }, data });
  return chart;
}

/** Normalised security-group rules of a template: `target <- source proto from-to`. */
export function ingressRules(resources: Record<string, any>): string[] {
  const name = (ref: unknown): string => {
    if (ref && typeof ref === 'object' && 'Fn::GetAtt' in (ref as any)) return (ref as any)['Fn::GetAtt'][0];
    if (ref && typeof ref === 'object' && 'Ref' in (ref as any)) return (ref as any).Ref;
    return JSON.stringify(ref);
  };
  const short = (id: string) => id.replace(/^Cluster/, '').replace(/[0-9A-F]{8}$/, '');
  const source = (r: any): string => r.SourceSecurityGroupId ? short(name(r.SourceSecurityGroupId))
    : typeof r.CidrIp === 'string' ? r.CidrIp : `cidr(${short(name(r.CidrIp))})`;
  const out: string[] = [];
  for (const [id, res] of Object.entries(resources)) {
    if (res.Type === 'AWS::EC2::SecurityGroupIngress') {
      out.push(`${short(name(res.Properties.GroupId))} <- ${source(res.Properties)} ${res.Properties.IpProtocol} ${res.Properties.FromPort}-${res.Properties.ToPort}`);
    }
    if (res.Type === 'AWS::EC2::SecurityGroup') {
      for (const r of res.Properties.SecurityGroupIngress ?? []) {
        out.push(`${short(id)} <- ${source(r)} ${r.IpProtocol} ${r.FromPort}-${r.ToPort}`);
      }
    }
  }
  return out.sort();
}
