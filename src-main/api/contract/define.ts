import type { z } from 'zod';

/** One request of the contract: a schema for what comes in, one for what goes out. */
export interface RequestDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One sentence for people reading the contract and for `--help`. */
  summary: string;
}

export type RequestDefs = Record<string, RequestDef>;
export type EventDefs = Record<string, z.ZodType>;

/** Identity helpers that keep the literal keys and schema types of each domain's table. */
export function defineRequests<const T extends RequestDefs>(defs: T): T {
  return defs;
}

export function defineEvents<const T extends EventDefs>(defs: T): T {
  return defs;
}
