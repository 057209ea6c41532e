import { generateSection } from './generate.ts';
import { importBench } from './import.ts';
import { kernelsSection } from './kernels.ts';
import { libraryGridSection } from './library-grid.ts';
import { trainSection } from './train.ts';
import type { BenchSection } from './section.ts';

/** Every benchmark section, in the order `npm run bench` runs them. */
export const sections: BenchSection[] = [kernelsSection, trainSection, importBench, libraryGridSection, generateSection];
