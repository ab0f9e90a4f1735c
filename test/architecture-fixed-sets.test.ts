/*
 * Fixed sets are string enums (as aws-eks-v2's CapacityType), compared by value: two copies of the library may
 * meet in one app, and an instance of one copy's class is not `===` to the other's. Classes with static
 * instances that carry data (NodeArchitecture) or also have factories (AllowReplacement.resource) stay
 * classes, but nothing compares their instances by identity.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const LIB = path.join(__dirname, '..', 'lib');

/**
 * Fixed-set classes that another engineer's file still holds, with the change that retires each entry. The
 * test fails when an entry is no longer needed, so the list only shrinks.
 */
const NOT_YET_ENUMS: Record<string, string> = {};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const sources = files(LIB).map(f => ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true));

interface ClassFacts {
  readonly name: string;
  readonly file: string;
  /** Constructor parameters (what an instance carries). */
  readonly constructorParameters: number;
  /** `static readonly X = new Self(...)` members. */
  readonly staticInstances: number;
  /** Static methods and accessors (factories such as `AllowReplacement.resource(id)`). */
  readonly staticMethods: number;
}

const isStatic = (m: ts.ClassElement) => ts.canHaveModifiers(m) && (ts.getModifiers(m) ?? []).some(x => x.kind === ts.SyntaxKind.StaticKeyword);
const isPrivate = (m: ts.ClassElement) => ts.canHaveModifiers(m) && (ts.getModifiers(m) ?? []).some(x => x.kind === ts.SyntaxKind.PrivateKeyword);

/** Every class of lib/ with a private constructor. */
function privateConstructorClasses(): ClassFacts[] {
  const out: ClassFacts[] = [];
  for (const source of sources) {
    source.forEachChild(function visit(node) {
      if (ts.isClassDeclaration(node) && node.name) {
        const ctor = node.members.find(ts.isConstructorDeclaration);
        if (ctor && isPrivate(ctor)) {
          const name = node.name.text;
          const statics = node.members.filter(isStatic);
          out.push({
            name,
            file: path.relative(LIB, source.fileName),
            constructorParameters: ctor.parameters.length,
            staticInstances: statics.filter(m => ts.isPropertyDeclaration(m) && m.initializer !== undefined && ts.isNewExpression(m.initializer)
              && ts.isIdentifier(m.initializer.expression) && m.initializer.expression.text === name).length,
            staticMethods: statics.filter(m => ts.isMethodDeclaration(m) || ts.isGetAccessor(m)).length,
          });
        }
      }
      node.forEachChild(visit);
    });
  }
  return out;
}

const classes = privateConstructorClasses();

/** A fixed set: only argument-less static instances, each carrying one name/value and nothing else. */
const isFixedSet = (c: ClassFacts) => c.staticInstances > 0 && c.staticMethods === 0 && c.constructorParameters <= 1;

test('the scan sees the classes it judges (a scan that finds nothing proves nothing)', () => {
  const names = classes.map(c => c.name);
  expect(names).toEqual(expect.arrayContaining(['NodeArchitecture', 'AllowReplacement', 'ReleaseStrategy', 'K3sVersion']));
  expect(classes.find(c => c.name === 'NodeArchitecture')).toMatchObject({ staticInstances: 2, staticMethods: 0 });
});

test('no class with a private constructor is a fixed set: those are string enums', () => {
  const offenders = classes.filter(isFixedSet).filter(c => !(c.name in NOT_YET_ENUMS))
    .map(c => `${c.file}: ${c.name} has only static instances carrying one value; make it a string enum`);
  expect(offenders).toEqual([]);
});

test('every exception on the not-yet-enums list is still needed', () => {
  const stale = Object.keys(NOT_YET_ENUMS).filter(name => !classes.some(c => c.name === name && isFixedSet(c)));
  expect(stale).toEqual([]);
});

test('no instance of a class with static instances is compared by identity (===, !==, switch, instanceof)', () => {
  const withInstances = new Set(classes.filter(c => c.staticInstances > 0).map(c => c.name));
  const constantOf = (e: ts.Expression) => ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && withInstances.has(e.expression.text);
  const identity = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
  const offenders: string[] = [];
  for (const source of sources) {
    const where = (n: ts.Node) => `${path.relative(LIB, source.fileName)}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText()}`;
    source.forEachChild(function visit(node) {
      if (ts.isBinaryExpression(node) && identity.has(node.operatorToken.kind) && (constantOf(node.left) || constantOf(node.right))) {
        offenders.push(where(node));
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword
        && ts.isIdentifier(node.right) && withInstances.has(node.right.text)) offenders.push(where(node));
      if (ts.isCaseClause(node) && constantOf(node.expression)) offenders.push(where(node));
      node.forEachChild(visit);
    });
  }
  expect(offenders).toEqual([]);
});
