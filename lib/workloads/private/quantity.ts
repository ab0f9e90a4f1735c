import { Size, SizeRoundingBehavior } from 'cdk8s';
import { Cpu } from '../cpu';
import { cpuMillis } from './pod-template';
import { PropValidator } from './validate';

/** A checked, positive size as a Kubernetes quantity: Gi when whole, else Mi, else Ki. */
export function sizeQuantity(v: PropValidator, prop: string, size: Size): { quantity: string; kib: number } {
  checkNotQuantityString(v, prop, size, 'Size.gibibytes(20)');
  let kib = NaN;
  try {
    kib = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  } catch {
    kib = NaN;
  }
  v.check(Number.isFinite(kib) && kib >= 1, prop, Number.isFinite(kib) ? `${kib}Ki` : String(kib),
    'must be a positive size of at least 1 KiB (e.g. Size.gibibytes(10)).');
  const quantity = kib % (1024 * 1024) === 0 ? `${kib / 1024 / 1024}Gi`
    : kib % 1024 === 0 ? `${kib / 1024}Mi`
      : `${Math.ceil(kib)}Ki`;
  return { quantity, kib };
}

/** A checked, positive CPU amount. */
export function cpuQuantity(v: PropValidator, prop: string, cpu: Cpu): { quantity: string; millis: number } {
  const amount = cpu?.amount;
  const millis = typeof amount === 'string' ? cpuMillis(amount) : NaN;
  v.check(Number.isFinite(millis) && millis >= 1, prop, amount ?? cpu, 'must be a positive CPU quantity of at least 1m (e.g. Cpu.millis(250) or Cpu.units(1)).');
  return { quantity: amount, millis };
}

/** A checked count (an integer from 0). */
export function countQuantity(v: PropValidator, prop: string, n: number): string {
  v.integer(prop, n, 0, 1_000_000);
  return String(n);
}

/**
 * Refuses a Kubernetes quantity written as a string (`'20Gi'`) where a typed unit is expected: the props take
 * cdk8s `Size`s (`example`), so the unit is never guessed.
 */
export function checkNotQuantityString(v: PropValidator, prop: string, value: unknown, example: string): void {
  v.check(typeof value !== 'string', prop, value, `must be a cdk8s Size, not a string: write ${example} (import { Size } from 'cdk8s').`);
}
