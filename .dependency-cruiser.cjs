// Folder import direction for src/ (docs/design.md, "Folder dependencies"). Production code only: specs and
// testing/ helpers may reach across folders. Run by `npm run lint:deps` in .ci/run.

// Bottom first. A folder may import folders in lower layers only: not its peers, not anything above.
const layers = [
  ['config'],
  ['common'],
  ['crypto', 'health', 'metrics'],
  ['database', 'kafka', 'rendering'],
  ['audit', 'notifications', 'partitions', 'queue'],
  ['auth', 'contacts', 'providers'],
  ['corrections', 'receipts', 'reconciliation', 'replies', 'routing'],
  ['delivery', 'ingest', 'retention', 'sweeper', 'support'],
  ['app'],
];
// Tools may import the product; the product never imports them (the production build leaves them out).
const tools = ['bench', 'chaos', 'demo', 'devstack', 'sandbox'];

const any = (folders) => `^src/(${folders.join('|')})/`;

const layerRules = layers.map((folders, i) => ({
  name: `layer-${folders.join('-')}`,
  comment: `${folders.join(', ')} may import only ${i === 0 ? 'no other src/ folder' : layers.slice(0, i).flat().join(', ')}`,
  severity: 'error',
  from: { path: any(folders) },
  to: { path: '^src/', pathNot: i === 0 ? ['^src/$1/'] : ['^src/$1/', any(layers.slice(0, i).flat())] },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-product-imports-tools',
      comment: 'production code must not import bench, chaos, demo, devstack or sandbox',
      severity: 'error',
      from: { path: '^src/', pathNot: any(tools) },
      to: { path: any(tools) },
    },
    {
      name: 'no-circular',
      comment:
        'no cycle of runtime imports, inside a folder or across folders (a type-only link breaks a cycle)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'folder-has-a-layer',
      comment: 'a new src/ folder must be placed in a layer (or listed as a tool) here and in docs/design.md',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: any([...layers.flat(), ...tools]) },
      to: {},
    },
    ...layerRules,
    // A vendor is one folder (docs/providers.md, "Adding a provider"): its product folder is reached only
    // through the provider registry, its emulator only through the sandbox's emulator list.
    {
      name: 'vendor-through-registry',
      comment:
        'only src/providers/provider.registry.ts, the vendor itself, its sandbox emulator and tools import src/providers/<vendor>/',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [
          '^src/providers/provider[.]registry[.]ts$',
          '^src/providers/[^/]+/',
          '^src/sandbox/[^/]+/',
          any(tools.filter((t) => t !== 'sandbox')),
        ],
      },
      to: { path: '^src/providers/[^/]+/' },
    },
    {
      name: 'no-vendor-to-vendor',
      comment: 'a vendor folder (product or emulator) imports no other vendor folder',
      severity: 'error',
      from: { path: '^src/(providers|sandbox)/([^/]+)/' },
      to: {
        path: '^src/(providers|sandbox)/[^/]+/',
        pathNot: ['^src/(providers|sandbox)/$2/', '^src/sandbox/testing/'],
      },
    },
    {
      name: 'emulator-through-list',
      comment: 'only src/sandbox/sandbox.emulators.ts imports an emulator folder (src/sandbox/<vendor>/)',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/sandbox/sandbox[.]emulators[.]ts$', '^src/sandbox/[^/]+/'] },
      to: { path: '^src/sandbox/[^/]+/', pathNot: '^src/sandbox/testing/' },
    },
  ],
  options: {
    exclude: { path: ['\\.(spec|int-spec|e2e-spec)\\.ts$', '/testing/'] },
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a folder that names another's types depends on it.
    tsPreCompilationDeps: true,
  },
};
