// The library's error types. This file imports nothing, so every layer (lib/workloads included) may use it.

const VALIDATION_ERROR = Symbol.for('cdk-k8s-platform.ValidationError');

/** What a {@link ValidationError} is about. */
export interface ValidationErrorDetails {
  /**
   * Path of the construct whose input is wrong.
   * @default - none: the input was given to a static factory (e.g. `K3sVersion.of`), not to a construct
   */
  readonly constructPath?: string;
  /**
   * The prop (or context key, or file) at fault, e.g. `ports[1].port`.
   * @default - none: the error is about the construct as a whole
   */
  readonly prop?: string;
  /**
   * The value given for `prop`.
   * @default undefined
   */
  readonly value?: unknown;
}

/**
 * Raised for every invalid input. The message names the construct path, the prop and the value, and says
 * what is allowed, e.g. `[shop/web] WebService.ports[1].port is 70000: must be an integer from 1 to 65535.`;
 * the same facts are in `constructPath`, `prop` and `value`.
 *
 * Recognise it with {@link ValidationError.isValidationError}, which also holds for an error raised by
 * another copy of this library (`instanceof` does not).
 */
export class ValidationError extends Error {
  /** True if `x` is a ValidationError of any copy of this library. */
  public static isValidationError(x: unknown): x is ValidationError {
    return typeof x === 'object' && x !== null && (x as { [VALIDATION_ERROR]?: unknown })[VALIDATION_ERROR] === true;
  }

  /** Path of the construct whose input is wrong; undefined for a static factory's argument. */
  public readonly constructPath?: string;
  /** The prop (or context key, or file) at fault; undefined when the error is about the construct as a whole. */
  public readonly prop?: string;
  /** The value given for `prop`. */
  public readonly value: unknown;

  constructor(message: string, details: ValidationErrorDetails = {}) {
    super(message);
    Object.defineProperty(this, VALIDATION_ERROR, { value: true });
    this.name = 'ValidationError';
    this.constructPath = details.constructPath;
    this.prop = details.prop;
    this.value = details.value;
  }
}

/**
 * An internal invariant that no input can reach was broken: a bug in this library, not in the app.
 * Not exported from the package; its name in the stack trace says it is internal.
 */
export class AssumptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssumptionError';
  }
}

/** Shows a value in an error message. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}

/** The standard error for `prop` of a construct: `[path] Kind.prop is <value>: allowed`. */
export function propError(constructPath: string, kind: string, prop: string, value: unknown, allowed: string): ValidationError {
  return new ValidationError(`[${constructPath}] ${kind}.${prop} is ${show(value)}: ${allowed}`, { constructPath, prop, value });
}
