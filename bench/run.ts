import type { BenchOptions } from './section.ts';
import { sections } from './sections.ts';

/** Runs the named sections (all when `only` is empty), in order. Shared by `npm run bench` and `cgan-studio bench`. */
export async function runBench(options: BenchOptions & { only?: string[] }): Promise<void> {
  const known = sections.map((s) => s.name);
  const unknown = options.only?.filter((name) => !known.includes(name)) ?? [];
  if (unknown.length > 0) throw new Error(`no bench section named ${unknown.join(', ')}; the sections are: ${known.join(', ')}`);
  for (const section of sections) {
    if (options.only && !options.only.includes(section.name)) continue;
    if (!options.json) process.stderr.write(`\n== ${section.name}: ${section.description}\n`);
    await section.run(options);
  }
}
