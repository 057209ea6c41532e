import type { Command } from 'commander';
import { register as bench } from './bench.ts';
import { register as evalCommand } from './eval.ts';
import { register as exportCommand } from './export.ts';
import { register as importCommand } from './import.ts';
import { register as sample } from './sample.ts';
import { register as serve } from './serve.ts';
import { register as train } from './train.ts';

/** Every command of the CLI; each file registers one. */
export const commands: Array<(program: Command) => void> = [serve, importCommand, exportCommand, train, sample, evalCommand, bench];
