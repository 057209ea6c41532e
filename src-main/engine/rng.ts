// A seeded random number generator whose whole state is four 32-bit words, so a
// checkpoint can store it and a resumed run draws exactly the numbers the uninterrupted
// run would have drawn. Everything random in training (latent vectors, augmentation,
// batch order) comes from here, never from Math.random or tf.random*.

export type RngState = [number, number, number, number];

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): tiny state, passes PractRand. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** A second Box-Muller value waiting to be returned, or null. Part of the state. */
  private spare: number | null = null;

  constructor(seed: number | string) {
    const s = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = s;
    // Discard the first outputs: they still correlate with the seed.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  static fromState(state: RngState, spare: number | null = null): Rng {
    const rng = new Rng(0);
    [rng.a, rng.b, rng.c, rng.d] = state.map((v) => v >>> 0) as RngState;
    rng.spare = spare;
    return rng;
  }

  getState(): { words: RngState; spare: number | null } {
    return { words: [this.a, this.b, this.c, this.d], spare: this.spare };
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** n standard normals; with truncation t > 0, values beyond ±t are redrawn (the truncation trick). */
  normals(n: number, truncation = 0): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let v = this.normal();
      if (truncation > 0) while (Math.abs(v) > truncation) v = this.normal();
      out[i] = v;
    }
    return out;
  }

  /** Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

/** FNV-1a: turns a seed string (or a seed + purpose) into a 32-bit seed. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** An independent stream for one purpose (e.g. the order of epoch 3), derived from the run seed. */
export function derivedRng(seed: number, purpose: string): Rng {
  return new Rng(hashString(`${seed >>> 0}:${purpose}`));
}
