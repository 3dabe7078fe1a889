// The house rules of src/, checked by `npm test` (npm run check:layers). Layers point down only:
//   client.ts / index.ts  ->  resources/  ->  schemas/
//                         ->  core/       ->  internal/
// cli/ and testing/ sit on top and use the SDK like any user; the SDK entry never reaches them, so a bundle of the
// SDK carries neither.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle makes load order matter and the layers meaningless.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'schemas-are-leaves',
      comment: 'Schemas describe data; they know nothing of how it is fetched.',
      severity: 'error',
      from: { path: '^src/schemas/' },
      to: { path: '^src/(core|resources|cli|testing|client\\.ts|index\\.ts)' },
    },
    {
      name: 'core-points-down',
      comment: 'The core is the request machinery: it knows no endpoint, no schema of a model, no CLI and no mock.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(resources|schemas|cli|testing|client\\.ts|index\\.ts)' },
    },
    {
      name: 'resources-only-describe',
      comment: 'A resource describes endpoints with core types and schemas; it never reaches the client or the tools.',
      severity: 'error',
      from: { path: '^src/resources/' },
      to: { path: '^src/(cli|testing|client\\.ts|index\\.ts)' },
    },
    {
      name: 'internal-is-a-leaf',
      comment: 'Small helpers every layer may use, so they use none.',
      severity: 'error',
      from: { path: '^src/internal/' },
      to: { path: '^src/(?!internal/)' },
    },
    {
      name: 'sdk-entry-never-reaches-tools',
      comment:
        'The SDK entry stays small for serverless bundles: the CLI, the testing kit and the analysis helpers (aymara-ai/analysis) are never part of it, not even in CommonJS, which bundlers cannot tree-shake.',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/((cli|testing)/|(analysis|compare|summary)\\.ts$)', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
