/**
 * Checks that must fail in the order of their items, for results that may arrive late (release records measured
 * on the ReleaseRecordMeter's thread). Each item is checked as soon as it and every earlier item are known, and a
 * step that fails first checks every earlier item (waiting for it): the first error is always the one a check of
 * each item in turn, before the next step, would give.
 */
export class InOrderChecks<T> {
  private readonly items: T[] = [];
  private checked = 0;

  /**
   * @param known whether an item's result is there (checking it would not wait)
   * @param check checks one item (throws on failure)
   */
  constructor(private readonly known: (item: T) => boolean, private readonly check: (item: T) => void) {}

  /** Adds the next item. */
  public add(item: T): void {
    this.items.push(item);
  }

  /** Checks, in order, the items whose results are known, up to the first that is not. */
  public checkKnown(): void {
    while (this.checked < this.items.length && this.known(this.items[this.checked])) this.check(this.items[this.checked++]);
  }

  /** Checks every item not yet checked, waiting for each. */
  public checkAll(): void {
    while (this.checked < this.items.length) this.check(this.items[this.checked++]);
  }

  /** Runs `step`; if it throws, every earlier item is checked first (its error wins), then the step's error is thrown. */
  public guard<R>(step: () => R): R {
    try {
      return step();
    } catch (e) {
      this.checkAll();
      throw e;
    }
  }
}
