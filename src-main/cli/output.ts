// How commands talk to people and to scripts. With --json every line on stdout is one
// JSON object with a `type`; without it, humans get text on stderr and results on stdout.

/** A failure to report as one line `cgan-studio: <message>` and a non-zero exit. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export interface Output {
  readonly json: boolean;
  /** A JSON line in --json mode; nothing otherwise. */
  event(type: string, fields: Record<string, unknown>): void;
  /** Text for people (stderr so it never mixes into piped results); silent in --json mode. */
  info(text: string): void;
  /** The final result: a JSON object in --json mode, else the text. */
  result(value: Record<string, unknown>, text: string): void;
}

export function createOutput(json: boolean): Output {
  return {
    json,
    event(type, fields) {
      if (json) process.stdout.write(`${JSON.stringify({ type, ...fields })}\n`);
    },
    info(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
    result(value, text) {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
      else process.stdout.write(`${text}\n`);
    },
  };
}
