// Compiles pipeline/ to dist/ (the JavaScript the published package runs) and copies the plain
// .mjs worker entries beside their modules. Run by `npm run build` and on `prepack`.
//
// Two things make `covary --help` and `covary schema` start fast from dist/ (`npm run bench -- startup`):
// - yargs, which every command line loads, is bundled into one file, dist/vendor/yargs.js (with its
//   locale files and its dependencies' licences beside it): loading its ~50 small ES modules one by
//   one was about a third of the start-up. Every other dependency stays an ordinary import.
// - the JSON Schema of report.json is written out as dist/cli/commands/report-schema.json, so
//   `covary schema` prints it without loading zod (the sources still render it with zod).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'pipeline');
const out = join(root, 'dist');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const visit = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) visit(p);
    else if (name.endsWith('.mjs')) cpSync(p, join(out, relative(src, p)));
  }
};
visit(src);

// --- yargs, bundled -------------------------------------------------------------------------------
const vendor = join(out, 'vendor');
const yargsDir = join(root, 'node_modules/yargs');
// yargs finds its locale files relative to its own module; in the bundle they sit beside it.
const LOCALES_FROM = "resolve(__dirname, '../../../locales')";
const LOCALES_TO = "fileURLToPath(new URL('./yargs-locales/', import.meta.url))";
const result = await build({
  stdin: { contents: "export { default } from 'yargs';", resolveDir: root, sourcefile: 'yargs-entry.js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: join(vendor, 'yargs.js'),
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
  plugins: [
    {
      name: 'yargs-locales',
      setup(b) {
        b.onLoad({ filter: /yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, (args) => {
          const code = readFileSync(args.path, 'utf8');
          if (!code.includes(LOCALES_FROM)) throw new Error(`build: yargs's ESM shim no longer reads its locales as ${LOCALES_FROM}; update scripts/build.mjs`);
          return { contents: code.replace(LOCALES_FROM, LOCALES_TO), loader: 'js' };
        });
      },
    },
  ],
});
cpSync(join(yargsDir, 'locales'), join(vendor, 'yargs-locales'), { recursive: true });
// The licences of every package in the bundle (MIT / ISC: their notices travel with the code).
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /^(.*node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(input);
  if (m) packages.set(m[1], true);
}
const notices = new Map();
for (const dir of packages.keys()) {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
  const licence = readdirSync(join(root, dir)).find((f) => /^licen[cs]e/i.test(f));
  if (!licence) throw new Error(`build: no licence file in ${dir} (bundled into dist/vendor/yargs.js)`);
  notices.set(`${pkg.name}@${pkg.version}`, `${pkg.name}@${pkg.version} (${pkg.license})\n\n${readFileSync(join(root, dir, licence), 'utf8').trim()}\n`);
}
writeFileSync(join(vendor, 'yargs.LICENSES.txt'), `dist/vendor/yargs.js bundles these packages:\n\n${[...notices.keys()].sort().map((k) => notices.get(k)).join('\n' + '-'.repeat(72) + '\n\n')}`);
// The compiled CLI imports the bundle instead of the package.
const mainJs = join(out, 'cli/main.js');
const main = readFileSync(mainJs, 'utf8');
const importYargs = /from 'yargs';/;
if (!importYargs.test(main)) throw new Error("build: dist/cli/main.js does not import 'yargs' as expected; update scripts/build.mjs");
writeFileSync(mainJs, main.replace(importYargs, "from '../vendor/yargs.js';"));
for (const f of walk(out)) {
  if (f.endsWith('.js') && f !== mainJs && !f.startsWith(vendor) && /from 'yargs'|import\('yargs'\)/.test(readFileSync(f, 'utf8'))) {
    throw new Error(`build: ${relative(root, f)} imports yargs; only cli/main.js may (it uses the bundle)`);
  }
}

// --- report.json's JSON Schema, rendered ------------------------------------------------------------
const { reportJsonSchema } = await import(pathToFileURL(join(out, 'report/schema.js')).href);
const schemaFile = join(out, 'cli/commands/report-schema.json');
mkdirSync(dirname(schemaFile), { recursive: true });
writeFileSync(schemaFile, JSON.stringify(reportJsonSchema(), null, 2) + '\n');

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
