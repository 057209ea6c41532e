// `npm run bench [-- --only NAME[,NAME]] [--json] [--backend B] [--quick]`: prints figures, asserts nothing.
// Each section lives in its own file and is listed in ./sections.ts.
import { parseArgs } from 'node:util';
import { runBench } from './run.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    backend: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

await runBench({
  only: values.only?.split(',').map((s) => s.trim()),
  json: values.json ?? false,
  backend: values.backend,
  quick: values.quick ?? false,
});
