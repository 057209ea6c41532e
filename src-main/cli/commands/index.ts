import type { Command } from 'commander';
import { register as serve } from './serve.ts';

/** Every command of the CLI; each file registers one. */
export const commands: Array<(program: Command) => void> = [serve];
