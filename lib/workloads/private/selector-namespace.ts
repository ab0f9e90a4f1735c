import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IWorkloadSelector } from '../network-access';

/**
 * The namespace of a workload selector: its own `namespace`, else (for a construct) its chart's, else
 * `fallback` (the namespace of the chart writing the policy). Undefined means the default namespace.
 */
export function selectorNamespace(w: IWorkloadSelector, fallback: string | undefined): string | undefined {
  if (w.namespace !== undefined) return w.namespace;
  if (Construct.isConstruct(w)) {
    const chart = findChart(w);
    if (chart) return chart.namespace;
  }
  return fallback;
}

function findChart(c: Construct): Chart | undefined {
  for (let s: Construct | undefined = c; s; s = s.node.scope as Construct | undefined) {
    if (Chart.isChart(s)) return s;
  }
  return undefined;
}
