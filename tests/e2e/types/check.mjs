// Type-checks a strict TypeScript consumer of the packed package (installed
// here from the tarball) with the repo's TypeScript 5.9 and with TypeScript 7
// (installed here; what Vite's templates ship): it must compile under
// both "bundler" and "NodeNext" resolution, and a file of deliberate errors
// must fail with exactly the errors it marks. Library checking is off for
// speed (vue's declarations alone cost ~10 s), except in one run over the
// package's own React/Svelte/core declarations.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, runChecks } from '../harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const compilers = [
  { name: 'TypeScript 5.9', tsc: path.join(ROOT, 'node_modules/typescript/bin/tsc'), version: /Version 5\.9\./ },
  { name: 'TypeScript 7', tsc: path.join(here, 'node_modules/typescript/bin/tsc'), version: /Version 7\./ },
];

function run(tsc, config) {
  const r = spawnSync(process.execPath, [tsc, '-p', config, '--noEmit', '--strict', '--pretty', 'false'], {
    cwd: here,
    encoding: 'utf8',
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const checks = {};
for (const { name, tsc, version } of compilers) {
  Object.assign(checks, {
    [`${name}: the compiler is the pinned one`]: async () => {
      const r = spawnSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' });
      assert.match(r.stdout, version);
    },
    [`${name}: consumer.ts (connect<In, Out>, both useSocket<In, Out>, socketStore) passes tsc --strict, bundler resolution`]: async () => {
      const r = run(tsc, 'tsconfig.json');
      assert.equal(r.status, 0, r.out);
    },
    [`${name}: consumer.ts passes tsc --strict, NodeNext resolution (exports map types conditions)`]: async () => {
      const r = run(tsc, 'tsconfig.nodenext.json');
      assert.equal(r.status, 0, r.out);
    },
    [`${name}: the package's own declarations (index, binding, react, svelte .d.ts) are valid under --strict`]: async () => {
      const r = run(tsc, 'tsconfig.libcheck.json');
      assert.equal(r.status, 0, r.out);
    },
    [`${name}: bad.ts fails with exactly the errors it marks`]: async () => {
      const r = run(tsc, 'tsconfig.bad.json');
      assert.notEqual(r.status, 0, 'tsc must reject bad.ts');
      const want = readFileSync(path.join(here, 'bad.ts'), 'utf8')
        .split('\n')
        .flatMap((line, i) => {
          const m = /\/\/ error (TS\d+)/.exec(line);
          return m ? [`bad.ts:${i + 1} ${m[1]}`] : [];
        });
      assert.ok(want.length >= 5, 'bad.ts marks its errors');
      const got = [...r.out.matchAll(/^(\S+)\((\d+),\d+\): error (TS\d+)/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
      assert.deepEqual(got, want, r.out);
    },
  });
}

await runChecks('types', checks);
