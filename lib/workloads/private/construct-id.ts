import { IConstruct } from 'constructs';
import { ValidationError } from '../../errors';

/**
 * `id`, when no sibling in `scope` has it yet; otherwise a clear error naming both constructs, instead of the
 * constructs library's bare "There is already a Construct with name". The usual cause is a PlatformNamespace and
 * a workload both given the namespace's name as their id.
 */
export function freeId(scope: IConstruct, id: string, kind: string): string {
  const other = typeof id === 'string' && scope ? scope.node.tryFindChild(id) : undefined;
  if (other === undefined) return id;
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  throw new ValidationError(`[${path}] ${kind}: the construct id ${JSON.stringify(id)} is already used by the ${other.constructor.name} at ${other.node.path}; `
    + 'ids must be unique within a scope. Give one of them another id: the object names come from the name prop, '
    + `e.g. new PlatformNamespace(scope, '${id}-namespace', { name: '${id}' }).`, { constructPath: path, prop: 'id', value: id });
}
