import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The acknowledgements (rule id and reason) recorded on `scope` and below it. Ids without a namespace (cdk-nag
 * rules) are recorded as `Annotation::<id>` by `Validations.acknowledge` and `annotation::<id>` by the
 * library's `acknowledge`; both come back as `<id>`.
 */
export function acknowledgementsOf(scope: IConstruct): Array<{ id: string; reason: string; path: string }> {
  return scope.node.findAll().flatMap(c => c.node.metadata
    .filter(m => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap(m => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ id: id.replace(/^annotation::/i, ''), reason, path: c.node.path }))));
}

/** The Lambda functions of the kubectl provider (aws-eks-v2): the handler and the provider framework's onEvent. */
export const isKubectlFunction = (logicalId: string): boolean => /KubectlProvider/.test(logicalId);
