import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';

const trainerEntry = resolve('src-main/trainer/entry.ts');

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src-main/app/index.ts'),
          // The trainer runs in its own utility process (DESIGN §3).
          ...(existsSync(trainerEntry) ? { trainer: trainerEntry } : {}),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can only be one CommonJS file: bundle everything it imports.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    base: './',
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves bundles unminified; the renderer ships tfjs and the
      // self-contained share page inlines its runtime, so size matters here.
      minify: true,
      rollupOptions: { input: resolve('src-renderer/index.html') },
    },
    plugins: [svelte({ configFile: resolve('svelte.config.js') })],
  },
});
