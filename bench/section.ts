export interface BenchOptions {
  json: boolean;
  backend?: string;
  /** Smaller sizes, for a smoke run. */
  quick: boolean;
}

export interface BenchSection {
  name: string;
  description: string;
  run(options: BenchOptions): Promise<void>;
}
