import { defaultLibraryPath } from '../../api/paths.ts';
import { CliError } from '../output.ts';

// Strict parsing of numeric flags: "--steps 1e3" or "--batch -4" is an error naming the
// flag, never a silently different number.

export function integerFlag(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim())) throw new CliError(`--${name} must be a whole number, not "${value}"`, 2);
  const n = Number(value);
  if (n < min || n > max) throw new CliError(`--${name} must be between ${min} and ${max}, not ${n}`, 2);
  return n;
}

export function numberFlag(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number, not "${value}"`, 2);
  if (n < min || n > max) throw new CliError(`--${name} must be between ${min} and ${max}, not ${n}`, 2);
  return n;
}

/** Like import/export: --library, else the desktop app's library (CGAN_STUDIO_LIBRARY or the user-data folder). */
export function libraryDir(flag: string | undefined): string {
  return flag ?? defaultLibraryPath();
}
