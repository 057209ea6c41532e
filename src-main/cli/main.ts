#!/usr/bin/env node
// cgan-studio: the studio without a window. Each command lives in ./commands/<name>.ts.
import { Command, CommanderError } from 'commander';
import { STUDIO_VERSION } from '../api/version.ts';
import { commands } from './commands/index.ts';
import { CliError } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('cgan-studio')
    .description('Train class-conditional GANs on your own labelled pictures.')
    .version(STUDIO_VERSION)
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: true });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed usage or the error; help and version exit 0.
      return error.exitCode;
    }
    if (error instanceof CliError) {
      process.stderr.write(`cgan-studio: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cgan-studio: ${message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
