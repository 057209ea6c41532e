import type { Raster } from '../../lib/generator/raster.ts';

/** What "Save PNG" saves: the picture the showing view provides (image, grid, strip, pair). */
class ViewRaster {
  #provider: (() => Raster | null) | null = null;
  name = $state('image');

  /** Returns the cleanup for the view's `$effect`. */
  provide(provider: () => Raster | null, name = 'image'): () => void {
    this.#provider = provider;
    this.name = name;
    return () => {
      if (this.#provider === provider) this.#provider = null;
    };
  }

  current(): Raster | null {
    return this.#provider?.() ?? null;
  }
}

export const viewRaster = new ViewRaster();
