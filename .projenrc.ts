import { DependencyType, JsonFile, javascript, typescript } from 'projen';

/** Files that import eks-blueprints: checked in test/blueprints-app's install, not in this tree's. */
const BLUEPRINTS_FIXTURE = ['test/blueprints-app', 'bench/contenders/blueprints.ts'];

/**
 * The project definition. projen owns package.json, tsconfig*.json, the eslint and jest
 * configuration and cdk.json: edit this file and run `npx projen`, never the generated files.
 */
const project = new typescript.TypeScriptProject({
  name: 'cdk-k8s-platform',
  description:
    'A complete, secure-by-default Kubernetes platform on AWS from typed code: VPC, EKS or a three-node k3s/kubeadm cluster, typed cdk8s workloads and release strategies.',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  srcdir: 'lib',
  libdir: 'dist',
  testdir: 'test',
  entrypoint: 'dist/index.js',
  entrypointTypes: 'dist/index.d.ts',
  sampleCode: false,
  github: false,
  release: false,
  buildWorkflow: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  licensed: true,
  minNodeVersion: '20.0.0',
  typescriptVersion: '~5.9.0',
  peerDeps: [
    'aws-cdk-lib@^2.261.0',
    'constructs@^10.6.0',
    'cdk8s@^2.70.0',
    'cdk8s-plus-28@^2.5.6',
  ],
  // The peer ranges keep their floor; development and the main test suite run on the latest releases, and
  // `npm run test:floor` installs the floor versions into a fresh app (scripts/consumer-test.ts).
  peerDependencyOptions: { pinnedDevDependency: false },
  deps: [
    // kubectl layers for the pinned EKS Kubernetes version (see lib/clusters/eks/versions.ts)
    '@aws-cdk/lambda-layer-kubectl-v35@^2.2.2',
    '@aws-cdk/lambda-layer-kubectl-v36@^2.0.1',
    // exact: lib/delivery/private/yaml-fast-path.ts writes yaml's bytes itself, and is proven identical to this
    // version's `stringify` (test/delivery/yaml-fast-path.test.ts); bump it together with that test's run
    'yaml@2.9.1',
    // exact: lib/compose validates Compose files against the vendored compose-spec JSON schema with it
    'ajv@8.20.0',
  ],
  devDeps: [
    'aws-cdk-lib@2.276.0',
    'constructs@10.8.1',
    'cdk8s@2.70.106',
    'cdk8s-plus-28@2.5.6',
    // the CLI must read the cloud assembly of the aws-cdk-lib above (README: "the CDK CLI")
    'aws-cdk@2.1148.1',
    'esbuild@^0.28.0',
    'tsx@^4.23.0',
    'kubernetes-models@4.5.1',
    '@kubernetes-models/traefik@0.2.4',
    '@kubernetes-models/gateway-api@0.5.1',
    '@kubernetes-models/external-secrets@0.5.2',
    // CommonJS releases (they run on Node 20): ServiceMonitor/PodMonitor/PrometheusRule and Argo CD schemas
    '@kubernetes-models/prometheus-operator@4.4.4',
    '@kubernetes-models/argo-cd@2.7.2',
    // CommonJS release (runs on Node 20; 5.x needs Node 22): VerticalPodAutoscaler schema
    '@kubernetes-models/autoscaler@3.3.4',
    // CommonJS release (runs on Node 20; 5.x needs Node 22): Certificate and ClusterIssuer schemas
    '@kubernetes-models/cert-manager@4.4.4',
    'fast-check@^4.10.0',
    'cdk-nag@^3.0.2',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
    'typedoc@^0.28.20',
  ],
  jest: true,
  jestOptions: {
    jestVersion: '^29',
    coverageText: false,
    junitReporting: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/cdk.out/', '/dist/'],
      // bench/results holds an install of test/blueprints-app (a second package.json of the same name)
      modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/cdk.out/', '<rootDir>/bench/results/', '<rootDir>/test/blueprints-app/'],
      testTimeout: 60_000,
      collectCoverage: false,
    },
  },
  tsconfig: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      esModuleInterop: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      isolatedModules: true,
      // Source maps go to separate .js.map files: inline maps (projen's default) tripled the size of every
      // .js file Node has to read and compile when an app loads the library (docs/benchmarks.md).
      inlineSourceMap: false,
      sourceMap: true,
      inlineSources: true,
      // Inside this repository `import ... from 'cdk-k8s-platform'` (as in the README) resolves to lib/,
      // for tsc and for tsx (`npx cdk synth --app 'node --import tsx my-app.ts'`).
      baseUrl: '.',
      paths: {
        'cdk-k8s-platform': ['lib/index.ts'],
        'cdk-k8s-platform/testing': ['lib/testing/index.ts'],
        'cdk-k8s-platform/blueprints': ['lib/blueprints/index.ts'],
      },
    },
    include: ['lib/**/*.ts'],
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {
      lib: ['es2022'],
      target: 'ES2022',
      skipLibCheck: true,
      esModuleInterop: true,
      isolatedModules: true,
    },
    include: ['lib/**/*.ts', 'bin/**/*.ts', 'charts/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts', 'scripts/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts'],
    // test/blueprints-app and the blueprints benchmark contender import eks-blueprints, which pins an older
    // aws-cdk-lib than the one this tree develops on: they are type-checked in the fixture's own install
    // (`npm run test:blueprints`, scripts/blueprints-test.ts).
    exclude: ['node_modules', 'cdk.out', 'dist', 'charts/dist', 'bench/results', ...BLUEPRINTS_FIXTURE],
  },
  eslintOptions: {
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['lib', 'bin', 'charts', 'examples', 'bench', 'scripts'],
    devdirs: ['test', 'projenrc'],
    ignorePatterns: ['*.js', '*.d.ts', 'node_modules/', 'cdk.out/', 'dist/', 'charts/dist/', 'coverage/', '*.generated.ts', 'bench/results/', ...BLUEPRINTS_FIXTURE],
  },
  gitignore: ['cdk.out/', 'charts/dist/', '.cdk.staging/', 'bench/results/', '*.cpuprofile', 'docs/api/', 'test/blueprints-app/node_modules/', 'test/blueprints-app/*.js', 'test/blueprints-app/contenders/',
    // packaged charts the add-ons ship and install (projen ignores *.tgz by default)
    '!/lib/**/chart/*.tgz'],
  npmignoreEnabled: true,
});

// Optional peer: only the `cdk-k8s-platform/blueprints` entry point needs eks-blueprints, and it pins
// aws-cdk-lib exactly; users who do not use the adapter must not be tied to that pin.
project.package.addPeerDeps('@aws-quickstart/eks-blueprints@^1.19.0');
project.package.addField('peerDependenciesMeta', { '@aws-quickstart/eks-blueprints': { optional: true } });

// Public entry points. Nothing outside these is part of the API.
project.package.addField('exports', {
  '.': { types: './dist/index.d.ts', default: './dist/index.js' },
  './blueprints': { types: './dist/blueprints/index.d.ts', default: './dist/blueprints/index.js' },
  './testing': { types: './dist/testing/index.d.ts', default: './dist/testing/index.js' },
  './package.json': './package.json',
});
// Types of the subpath exports for apps that still use `"moduleResolution": "node"` (node10).
project.package.addField('typesVersions', { '*': { testing: ['dist/testing/index.d.ts'], blueprints: ['dist/blueprints/index.d.ts'] } });
project.package.addField('files', ['dist/**/*.js', 'dist/**/*.d.ts', 'dist/**/*.js.map', 'dist/**/*.sh', 'dist/**/*.yaml', 'dist/**/*.tgz', 'dist/**/*.py', 'dist/compose/schema/*', 'dist/workloads/private/imports/*', 'README.md', 'LICENSE', 'docs/*.md']);
// `npx cdk-k8s-platform import-compose docker-compose.yml`: writes TypeScript from a Compose file (docs/compose.md).
project.addBins({ 'cdk-k8s-platform': 'dist/compose/cli.js' });

// jest: esbuild instead of type-checking ts-jest (type-checking is its own step of `npm test`). esbuild's
// platform binaries are served by every registry this project installs from (swc's are not all).
project.deps.removeDependency('ts-jest');
// v4 needs native unrs-resolver bindings that not every registry serves for every platform (npm ci then
// refuses the lock file); v3.8 is pure JavaScript.
project.deps.removeDependency('eslint-import-resolver-typescript');
project.deps.addDependency('eslint-import-resolver-typescript@~3.8.7', DependencyType.BUILD);
project.jest!.config.transform = undefined;
project.package.file.addOverride('jest.transform', {
  '^.+\\.ts$': '<rootDir>/projenrc/jest-esbuild.js',
});
project.package.file.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);
// CloudFormation validation off in unit tests, on in test/compliance (see the file).
project.package.file.addOverride('jest.setupFiles', ['<rootDir>/test/support/cloudformation-validation.ts']);
// One temp directory per jest run, deleted at the end: tests leave nothing in the system temp directory.
project.package.file.addOverride('jest.globalSetup', '<rootDir>/projenrc/jest-temp-root-setup.js');
project.package.file.addOverride('jest.globalTeardown', '<rootDir>/projenrc/jest-temp-root-teardown.js');
project.package.file.addOverride('jest.moduleNameMapper', {
  '^cdk-k8s-platform$': '<rootDir>/lib/index.ts',
  '^cdk-k8s-platform/(testing|blueprints)$': '<rootDir>/lib/$1/index.ts',
});

// Lint every TypeScript file (tests, bin, charts, bench, examples) with the dev tsconfig, which includes them.
project.tryFindObjectFile('.eslintrc.json')!.addDeletionOverride('parserOptions.projectService');
project.tryFindObjectFile('.eslintrc.json')!.addOverride('parserOptions.project', './tsconfig.dev.json');
// Tests may require() (the jest transform, stubs) and check file modes with bit masks. They use no module
// mocks: the jest transform is plain esbuild, which hoists imports above a jest.mock call (projenrc/jest-esbuild.js).
const NO_MODULE_MOCKS = 'Module mocks need hoisting, which the jest transform does not do (projenrc/jest-esbuild.js): inspect the construct tree or the synthesized template instead.';
project.eslint!.addOverride({
  files: ['test/**/*.ts'],
  rules: {
    '@typescript-eslint/no-require-imports': 'off',
    'no-bitwise': 'off',
    'no-restricted-properties': ['error', ...['mock', 'doMock', 'unmock', 'enableAutomock', 'requireMock'].map(property => ({ object: 'jest', property, message: NO_MODULE_MOCKS }))],
  },
});
// Every error the library raises is a ValidationError naming path, prop and value (lib/errors.ts), or an
// AssumptionError for an internal invariant; a bare Error would give users neither.
project.eslint!.addOverride({
  files: ['lib/**/*.ts'],
  rules: {
    'no-restricted-syntax': ['error', {
      selector: "ThrowStatement > NewExpression[callee.name='Error']",
      message: 'Throw ValidationError (lib/errors.ts) with the construct path, prop and value, or AssumptionError for an internal invariant; not a bare Error.',
    }],
  },
});
project.eslint!.addRules({
  '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: true }],
});

// Bootstrap scripts and other non-TypeScript files under lib/ ship next to the compiled JavaScript.
project.compileTask.exec('tsx projenrc/copy-assets.ts lib dist');
// Packaged Helm charts the add-ons install from their archive (EbsCsiAddOn: the library's copy of the EBS CSI chart).
// index.js files load their sub-modules on first use (as aws-cdk-lib's do): an app that imports the EKS
// platform does not load the k3s and kubeadm constructs (docs/benchmarks.md).
project.compileTask.exec('tsx projenrc/lazy-exports.ts lib dist');

// `npm test` = type-check + lint + the whole suite; snapshots are never rewritten silently. Type-check and
// lint are single-threaded: they run side by side. jest's default on two cores is one worker; the suite is
// CPU-bound (synthesis, and bash processes for the node scripts), so it runs on both.
// eslint caches its results per file (content and configuration) under node_modules/.cache: a repeated run lints
// only the files that changed. Type-aware rules read other files' types, so a cached file whose imports changed
// type can keep a stale result until it changes itself; CI lints from a fresh clone, with no cache.
const LINT = 'eslint --cache --cache-location node_modules/.cache/eslint/ --ext .ts --no-error-on-unmatched-pattern --max-warnings 0 '
  + 'lib bin charts examples bench scripts test projenrc .projenrc.ts';
project.testTask.reset();
// tsc keeps its incremental state under node_modules/.cache (a repeated run re-checks only what changed; tsc
// guarantees the same result as a full check).
const TYPE_CHECK = 'tsc --noEmit --incremental --tsBuildInfoFile node_modules/.cache/tsc/dev.tsbuildinfo -p tsconfig.dev.json';
project.testTask.exec(`bash -c '${TYPE_CHECK} & tsc=$!; ${LINT}; lint=$?; wait "$tsc" && exit "$lint"'`, {
  name: 'type-check and lint',
  env: { ESLINT_USE_FLAT_CONFIG: 'false', NODE_NO_WARNINGS: '1' },
});
// The day-2 scenarios run the node scripts (bash, hundreds of processes each) against cluster models, and the
// replacement guard against every change a deploy could make to a running platform: about two and a half
// minutes of CPU on two cores. They are their own task, which CI runs after `npm test`, so that `npm test`
// stays a quick loop (the project's budget is 90 s on an idle two-core machine).
const DAY2_SUITES = '/test/(clusters/(k3s/k3s-(node-loss|ha-election)|kubeadm/kubeadm-(node-loss|day2-safety)'
  + '|self-managed/(sync-workloads|node-drain|rolling-upgrade))|robustness/workload-sync(-ha)?\\.property|guards/replacement-guard'
  + '|delivery/release-migration\\.property)\\.test\\.ts$';
// The compliance checks run cfn-guard (~12 s of CPU per template) and aws-cdk-lib's CloudFormation validation
// (a WebAssembly engine, ~8 s to load) over every stack kind: about a minute of CPU, their own task too.
const COMPLIANCE_SUITES = '/test/compliance/';
// The docs-snippet check type-checks every ```ts block of README.md and docs/ in one TypeScript program (~15 s
// of one core): its own task too, so that editing code does not wait for the docs and vice versa.
const DOCS_SUITES = '/test/docs/snippets\\.test\\.ts$';
// The whole platforms: every add-on on EKS and k3s, the cluster and platform stacks of every kind (with their
// node scripts and property tests), one Helm release per chart, the bundled app through the CDK CLI and the
// examples' snapshots, the compose importer's generated code compiled and synthesized: a platform stack or more
// per test, about four minutes of CPU. Their own task, which CI runs after `npm test`; npm test keeps the
// workload, delivery, guard and network constructs' tests.
const PLATFORM_SUITES = '/test/(addons/|examples/|clusters/|platform/|robustness/|compose/(codegen|platform)\\.test\\.ts$'
  + '|delivery/(helm-chart-releases|gitops-helm-tools)\\.test\\.ts$|charts/gitops-samples\\.test\\.ts$|guards/eks-upgrade\\.test\\.ts$)';
project.testTask.exec(`jest --ci --maxWorkers=2 --testPathIgnorePatterns /node_modules/ /cdk.out/ /dist/ '${DAY2_SUITES}' '${COMPLIANCE_SUITES}' '${DOCS_SUITES}' '${PLATFORM_SUITES}'`, { receiveArgs: true });
project.addTask('test:platforms', {
  description: 'Whole platforms: add-ons on every cluster kind, the bundled app, the examples, imported compose files (CI runs them after npm test)',
  exec: `jest --ci --maxWorkers=2 --testPathPattern '${PLATFORM_SUITES}' --testPathIgnorePatterns /node_modules/ /cdk.out/ /dist/ '${DAY2_SUITES}'`,
  receiveArgs: true,
});
project.addTask('test:day2', {
  description: 'The day-2 scenarios: node scripts against models of live clusters (CI runs them after npm test)',
  exec: `jest --ci --maxWorkers=2 --testPathPattern '${DAY2_SUITES}'`,
  receiveArgs: true,
});
project.addTask('test:compliance', {
  description: 'AWS guard rules, CloudFormation validation and cdk-nag (AwsSolutions, NIST 800-53 R5) over every stack kind (CI runs them after npm test)',
  exec: `jest --ci --maxWorkers=2 --testPathPattern '${COMPLIANCE_SUITES}'`,
  receiveArgs: true,
});
project.addTask('test:docs', {
  description: 'Type-check every TypeScript snippet of README.md and docs/*.md against the library (CI runs it after npm test)',
  exec: `jest --ci --testPathPattern '${DOCS_SUITES}'`,
  receiveArgs: true,
});
project.addTask('test:update', { exec: 'jest --updateSnapshot', receiveArgs: true });
project.addTask('test:consumer', {
  description: 'Pack the library, install it with the README\'s commands (the latest versions) into a fresh CDK app and synthesize',
  exec: 'tsx scripts/consumer-test.ts',
});
project.addTask('test:floor', {
  description: 'The consumer test on the floor of the peer ranges (aws-cdk-lib 2.261.0 ...) and CLI 2.1129.0',
  exec: 'tsx scripts/consumer-test.ts',
  env: { CONSUMER_VERSIONS: 'floor' },
});
project.addTask('test:blueprints', {
  description: 'The eks-blueprints adapter in test/blueprints-app, on the versions eks-blueprints 1.19 pins',
  exec: 'tsx scripts/blueprints-test.ts',
});
project.addTask('docs', { description: 'API reference (TypeDoc) into docs/api', exec: 'typedoc --options docs/typedoc.json' });
project.addTask('charts', { description: 'Write the sample charts to charts/dist/<kind>/: plain YAML and Helm charts with values files (GitOps)', exec: 'tsx charts/main.ts' });
project.addTask('bench', { description: 'Benchmark synthesis speed, memory and scale against the anchors', exec: 'tsx bench/run.ts', receiveArgs: true });
project.addTask('fuzz', { description: 'Property-based tests with many more cases', exec: 'jest --ci test/robustness', env: { FUZZ_RUNS: '2000' } });
project.addTask('synth', { description: 'Synthesize the bundled platform (same as npx cdk synth)', exec: 'cdk synth -q' });

// cdk.json: run the app without type-checking (tsx/esbuild) - type-checking belongs to build and tests.
new JsonFile(project, 'cdk.json', {
  obj: {
    app: 'node --import tsx bin/app.ts',
    output: 'cdk.out',
    watch: { include: ['bin/**', 'lib/**', 'charts/**'], exclude: ['**/*.d.ts', 'cdk.out', 'node_modules'] },
    context: {
      '@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig': true,
      '@aws-cdk/aws-ec2:restrictDefaultSecurityGroup': true,
      '@aws-cdk/aws-iam:minimizePolicies': true,
      '@aws-cdk/core:stackRelativeExports': true,
      '@aws-cdk/aws-eks:nodegroupNameAttribute': true,
      '@aws-cdk/aws-ec2:ebsDefaultGp3Volume': true,
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
      '@aws-cdk/aws-kms:applyImportedAliasPermissionsToPrincipal': true,
      '@aws-cdk/core:enablePartitionLiterals': true,
    },
  },
});

project.synth();
