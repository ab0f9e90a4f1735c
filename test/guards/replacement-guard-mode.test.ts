/* ReplacementGuardMode is a string enum: compared by value, checked where it arrives from plain JavaScript. */
import { App } from 'aws-cdk-lib';
import { ReplacementGuard, ReplacementGuardMode, ValidationError } from '../../lib';

const MODE_CONTEXT = 'cdk-k8s-platform:replacementGuard';

function guard(props: { mode?: ReplacementGuardMode }, context: Record<string, unknown> = {}): ReplacementGuard {
  return new ReplacementGuard(new App({ context }), 'ReplacementGuard', { lockFile: 'never-written.json', ...props });
}

test('the values are update and verify', () => {
  expect({ ...ReplacementGuardMode }).toEqual({ UPDATE: 'update', VERIFY: 'verify' });
});

test('the default is update; the context overrides the prop', () => {
  expect(guard({}).mode).toBe(ReplacementGuardMode.UPDATE);
  expect(guard({ mode: ReplacementGuardMode.VERIFY }).mode).toBe(ReplacementGuardMode.VERIFY);
  expect(guard({ mode: ReplacementGuardMode.VERIFY }, { [MODE_CONTEXT]: 'update' }).mode).toBe(ReplacementGuardMode.UPDATE);
  expect(guard({}, { [MODE_CONTEXT]: 'verify' }).mode).toBe(ReplacementGuardMode.VERIFY);
});

test('a plain string (another copy of the library, or JavaScript) is the same mode', () => {
  expect(guard({ mode: 'verify' as ReplacementGuardMode }).mode).toBe(ReplacementGuardMode.VERIFY);
});

test('an unknown mode is refused, naming the prop, the value and the allowed values', () => {
  let error: unknown;
  try {
    guard({ mode: 'off' as ReplacementGuardMode });
  } catch (e) {
    error = e;
  }
  expect(ValidationError.isValidationError(error)).toBe(true);
  expect((error as ValidationError).message).toBe(
    '[ReplacementGuard] ReplacementGuard.mode is "off": must be one of ReplacementGuardMode.UPDATE ("update") or ReplacementGuardMode.VERIFY ("verify").');
  expect((error as ValidationError).prop).toBe('mode');
});

test('an unknown context value is refused too', () => {
  expect(() => guard({}, { [MODE_CONTEXT]: 'off' })).toThrow(
    '[ReplacementGuard] context cdk-k8s-platform:replacementGuard is "off": must be "update" or "verify".');
});
