// `npm run bench [-- --only NAME[,NAME]] [--json] [--backend B]`: prints figures, asserts nothing.
// Each section lives in its own file and registers itself in ./sections.ts.
import { parseArgs } from 'node:util';
import { sections } from './sections.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
    backend: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

const wanted = values.only?.split(',').map((s) => s.trim());
for (const section of sections) {
  if (wanted && !wanted.includes(section.name)) continue;
  if (!values.json) process.stderr.write(`\n== ${section.name}: ${section.description}\n`);
  await section.run({ json: values.json ?? false, backend: values.backend, quick: values.quick ?? false });
}
