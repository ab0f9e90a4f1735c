/**
 * An amount of CPU, in millicores or whole cores: a container's request or limit, a namespace's quota.
 *
 * The same shape as cdk8s-plus-28's `Cpu`, so either can be given where the other is expected.
 *
 * ```ts
 * Cpu.millis(250); // 250m
 * Cpu.units(2);    // 2 cores
 * ```
 */
export class Cpu {
  /** An amount in millicores: `Cpu.millis(250)` is a quarter of a core. */
  public static millis(amount: number): Cpu {
    return new Cpu(`${amount}m`);
  }

  /** An amount in whole (or fractional) cores: `Cpu.units(2)`. */
  public static units(amount: number): Cpu {
    return new Cpu(amount.toString());
  }

  /** The Kubernetes quantity: `250m`, `2`. */
  public readonly amount: string;

  private constructor(amount: string) {
    this.amount = amount;
  }
}
