import { IConstruct } from 'constructs';
import { propError } from '../../errors';

/** Context key giving "today" (ISO date) for the support warnings: `-c cdk-k8s-platform:today=2027-01-15`. */
export const TODAY_CONTEXT = 'cdk-k8s-platform:today';

/** Days before an end of support from which synthesis warns. */
export const END_OF_SUPPORT_WARNING_DAYS = 90;

/**
 * "Today" for the support checks: the context key `cdk-k8s-platform:today` (an ISO date), else the clock.
 * `kind` names the construct in the error for a malformed date.
 */
export function today(scope: IConstruct, kind: string): Date {
  const value: unknown = scope.node.tryGetContext(TODAY_CONTEXT);
  if (value === undefined) return new Date(Date.now());
  const parsed = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) {
    throw propError(scope.node.path, kind, `context ${TODAY_CONTEXT}`, value, 'must be an ISO date such as "2027-01-15".');
  }
  return parsed;
}

/** Whole UTC days from `from` to `isoDate`: positive before it, 0 on the day, negative after. */
export function daysUntil(isoDate: string, from: Date): number {
  const end = Date.parse(`${isoDate}T00:00:00Z`);
  const day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  return Math.round((end - day) / 86_400_000);
}

/** `n days` (singular for one). */
export const days = (n: number): string => `${n} day${n === 1 ? '' : 's'}`;

/** `n days ago`, or `today`. */
export const ago = (n: number): string => (n === 0 ? 'today' : `${days(n)} ago`);
