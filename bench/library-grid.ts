/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The Library grid in a real browser: scrolling through 60,000 Fashion-MNIST thumbnails
// (frame times and long frames from requestAnimationFrame and the Long Animation Frames
// API, and how often cells were still blank), then relabelling 10,000 selected images
// end to end (key press → the new count on screen) and undoing it.
//
// Needs the built renderer (`npx electron-vite build`) and Debian's Chromium. The 60,000
// image library is imported once and cached under /tmp/cgan-bench between runs.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fashionMnistAvailable, writeFashionMnistImageFolder } from '../src-main/library/fashion-mnist.ts';
import { importPath } from '../src-main/library/import/importer.ts';
import { Library } from '../src-main/library/library.ts';
import { builtRendererDir } from '../src-main/api/paths.ts';
import { launchBrowser } from '../test/e2e/support/browser.ts';
import { startStudio } from '../test/e2e/support/studio-server.ts';
import type { BenchSection } from './section.ts';

const CACHE = join(tmpdir(), 'cgan-bench');

/** A library holding Fashion-MNIST's training images (all 60,000, or `perClass` of each class). */
async function cachedLibrary(perClass: number | undefined): Promise<string> {
  const suffix = perClass === undefined ? '' : `-${perClass}`;
  const folder = join(CACHE, `fashion-mnist-train-png${suffix}`);
  if (!existsSync(`${folder}.complete`)) {
    rmSync(folder, { recursive: true, force: true });
    writeFashionMnistImageFolder(folder, 'train', { perClass });
    writeFileSync(`${folder}.complete`, new Date().toISOString());
  }
  const dir = join(CACHE, `grid-library${suffix}`);
  if (!existsSync(`${dir}.complete`)) {
    rmSync(dir, { recursive: true, force: true });
    const library = Library.open(dir, { durable: false });
    try {
      await importPath(library, folder, { dataset: 'Fashion-MNIST train' });
    } finally {
      library.close();
    }
    writeFileSync(`${dir}.complete`, new Date().toISOString());
  }
  return dir;
}

interface ScrollFigures {
  frames: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  maxMs: number;
  /** Frames that took longer than 50 ms (the "long frame" threshold of the Long Animation Frames API). */
  longFrames: number;
  /** Entries the browser itself reported as long animation frames. */
  loafCount: number;
  loafMaxMs: number;
  /** Of the long frames' time: share in scripts (Svelte, handlers) and in style, layout and paint. */
  loafScriptShare: number;
  loafRenderShare: number;
  /** Share of sampled frames in which some on-screen cell had no image data yet. */
  blankFrameShare: number;
  rowsScrolled: number;
}

/** Scrolls the grid by `pxPerFrame` on every animation frame for `seconds`, measuring each frame. */
function scroll(
  page: Page,
  pxPerFrame: number,
  seconds: number,
  mode: 'steady' | 'jumps' | 'watch',
): Promise<ScrollFigures> {
  return page.evaluate(
    ({ pxPerFrame, seconds, mode }) =>
      new Promise<ScrollFigures>((resolve) => {
        const viewport = document.querySelector<HTMLElement>('[data-testid="image-grid"]')!;
        const loaf: number[] = [];
        let loafScript = 0;
        let loafStyleLayout = 0;
        interface Loaf extends PerformanceEntry {
          styleAndLayoutStart: number;
          scripts: Array<{ duration: number }>;
        }
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as Loaf[]) {
            loaf.push(entry.duration);
            loafScript += entry.scripts.reduce((sum, script) => sum + script.duration, 0);
            loafStyleLayout += entry.startTime + entry.duration - entry.styleAndLayoutStart;
          }
        });
        try {
          observer.observe({ type: 'long-animation-frame', buffered: false });
        } catch {
          // Older browsers: rAF deltas only.
        }
        const frames: number[] = [];
        let blankSamples = 0;
        let samples = 0;
        const start = performance.now();
        let last = start;
        // Geometry is read once: reading scrollTop after each write would force a layout
        // inside the script, a cost a person's wheel or trackpad does not pay.
        const viewTop = viewport.getBoundingClientRect().top;
        const viewBottom = viewTop + viewport.clientHeight;
        const maxTop = viewport.scrollHeight - viewport.clientHeight;
        let top = viewport.scrollTop;
        /** After the frame was rendered (layout is clean then): is any on-screen cell without its image? */
        const sampleBlank = () => {
          samples++;
          for (const cell of viewport.querySelectorAll<HTMLElement>('.cell')) {
            const r = cell.getBoundingClientRect();
            if (r.bottom > viewTop && r.top < viewBottom && !cell.querySelector('img')) {
              blankSamples++;
              return;
            }
          }
        };
        const tick = (now: number) => {
          frames.push(now - last);
          last = now;
          if (frames.length % 5 === 0) setTimeout(sampleBlank);
          if (mode === 'steady') {
            top = top + pxPerFrame > maxTop ? 0 : top + pxPerFrame;
            viewport.scrollTop = top;
          } else if (mode === 'jumps') {
            // Dragging the scroll thumb: far jumps to random places.
            top = Math.random() * maxTop;
            viewport.scrollTop = top;
          }
          // 'watch': something else scrolls (a synthesized wheel gesture); only measure.
          if (now - start < seconds * 1000) requestAnimationFrame(tick);
          else {
            observer.disconnect();
            const sorted = frames.slice(1).sort((a, b) => a - b);
            const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
            const cell = viewport.querySelector<HTMLElement>('.cell');
            const rowHeight = cell ? cell.getBoundingClientRect().height + 8 : 1;
            resolve({
              frames: frames.length,
              seconds: (now - start) / 1000,
              p50: q(0.5),
              p95: q(0.95),
              p99: q(0.99),
              maxMs: sorted.at(-1) ?? 0,
              longFrames: sorted.filter((ms) => ms > 50).length,
              loafCount: loaf.length,
              loafMaxMs: loaf.length ? Math.max(...loaf) : 0,
              loafScriptShare: loaf.length ? loafScript / loaf.reduce((a, b) => a + b, 0) : 0,
              loafRenderShare: loaf.length ? loafStyleLayout / loaf.reduce((a, b) => a + b, 0) : 0,
              blankFrameShare: samples ? blankSamples / samples : 0,
              rowsScrolled:
                mode === 'steady'
                  ? Math.round((frames.length * pxPerFrame) / rowHeight)
                  : mode === 'watch'
                    ? Math.round(Math.abs(viewport.scrollTop - top) / rowHeight)
                    : 0,
            });
          }
        };
        requestAnimationFrame((now) => {
          last = now;
          requestAnimationFrame(tick);
        });
      }),
    { pxPerFrame, seconds, mode },
  );
}

/** Milliseconds from the key press to `count` showing `expected`. */
async function timeKey(page: Page, key: string, label: string, expected: number): Promise<number> {
  // The listener is in place before the key goes down (a busy renderer may be slow to take it).
  await page.evaluate(() => {
    const w = window as unknown as { benchPressedAt: number };
    w.benchPressedAt = 0;
    window.addEventListener('keydown', () => (w.benchPressedAt = performance.now()), { capture: true, once: true });
  });
  const done = page.evaluate(
    ({ label, expected }) =>
      new Promise<number>((resolve) => {
        const w = window as unknown as { benchPressedAt: number };
        const started = performance.now();
        const check = () => {
          if (performance.now() - started > 60_000) {
            resolve(Number.NaN);
            return;
          }
          const text =
            document.querySelector(`[data-label="${CSS.escape(label)}"] [data-testid="label-count"]`)?.textContent ??
            '';
          if (w.benchPressedAt && Number(text.replace(/[^\d]/g, '')) === expected)
            resolve(performance.now() - w.benchPressedAt);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    { label, expected },
  );
  await page.keyboard.press(key);
  return done;
}

/** The label's count now, and after every image whose name contains `search` got it. */
function expectedCounts(
  dir: string,
  search: string,
  labelName: string,
): { before: number; expected: number; matching: number } {
  const library = Library.open(dir);
  try {
    const dataset = library.datasets.byName('Fashion-MNIST train')!;
    const label = library.labels.byName(dataset.id, labelName)!;
    const before = library.images.count(dataset.id, { labelId: label.id });
    const matching = library.images.count(dataset.id, { search });
    const alreadyIn = library.images.count(dataset.id, { search, labelId: label.id });
    return { before, expected: before + matching - alreadyIn, matching };
  } finally {
    library.close();
  }
}

function line(name: string, f: ScrollFigures): string {
  return (
    `${name.padEnd(26)} ${String(f.frames).padStart(5)} frames in ${f.seconds.toFixed(1)} s` +
    (f.rowsScrolled ? ` (${Math.round(f.rowsScrolled / f.seconds)} rows/s)` : '') +
    ' · ' +
    `p50 ${f.p50.toFixed(1)} ms · p95 ${f.p95.toFixed(1)} · p99 ${f.p99.toFixed(1)} · max ${f.maxMs.toFixed(0)} · ` +
    `>50 ms: ${f.longFrames} · LoAF ${f.loafCount} (max ${f.loafMaxMs.toFixed(0)} ms, ${(f.loafScriptShare * 100).toFixed(0)}% script, ${(f.loafRenderShare * 100).toFixed(0)}% style/layout/paint) · blank ${(f.blankFrameShare * 100).toFixed(0)}%`
  );
}

export const libraryGridSection: BenchSection = {
  name: 'library-grid',
  description:
    'Library grid in Chromium: scrolling 60,000 thumbnails (long frames), relabelling 10,000 selected images end to end',
  async run(options) {
    if (!fashionMnistAvailable()) {
      console.log('skipped: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)');
      return;
    }
    if (!existsSync(join(builtRendererDir(), 'index.html'))) {
      console.log('skipped: the renderer is not built (npx electron-vite build)');
      return;
    }
    const step = (what: string) => {
      if (!options.json) process.stderr.write(`  … ${what}\n`);
    };
    const perClass = options.quick ? 1000 : undefined;
    step('library (imported once, then cached)');
    const library = await cachedLibrary(perClass);
    const studio = await startStudio({ library });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      // tsx keeps function names with a `__name` helper, which functions sent to the page lack.
      await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
      await page.goto(studio.url);
      const grid = page.getByTestId('image-grid');
      await grid.waitFor();
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="image-grid"]')?.getAttribute('data-total')) > 0,
      );
      const total = Number(await grid.getAttribute('data-total'));
      await page.locator('.cell img').first().waitFor();

      step(`grid of ${total} images shown; scrolling`);
      const seconds = options.quick ? 4 : 10;
      const steady = await scroll(page, 120, seconds, 'steady');
      const fast = await scroll(page, 900, seconds, 'steady');
      const jumps = await scroll(page, 0, seconds, 'jumps');
      // A real wheel scroll: Chromium's own gesture synthesizer, scrolled on the compositor
      // like a person's mouse wheel, while the page only measures.
      await page.evaluate(() => {
        document.querySelector('[data-testid="image-grid"]')!.scrollTop = 0;
      });
      const box = (await grid.boundingBox())!;
      const cdp = await page.context().newCDPSession(page);
      const watching = scroll(page, 0, seconds, 'watch');
      await cdp.send('Input.synthesizeScrollGesture', {
        x: Math.round(box.x + box.width / 2),
        y: Math.round(box.y + box.height / 2),
        yDistance: -8000 * seconds,
        speed: 8000,
        gestureSourceType: 'mouse',
      });
      const wheel = await watching;

      step('selecting by search + Ctrl+A, relabelling');
      // 10,000 selected by query: the file names train-00000 … train-09999.
      const labelName = 'T-shirt-top';
      const { before, expected, matching } = expectedCounts(library, 'train-0', labelName);
      await page.getByTestId('search').fill('train-0');
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid="image-grid"]')?.getAttribute('data-total')) === n,
        matching,
      );
      const selected = Number(await grid.getAttribute('data-total'));
      await page.locator('.cell').first().click();
      await page.keyboard.press('Control+a');
      await page.getByTestId('selection-count').waitFor();
      const position = await page.evaluate(
        (label) =>
          [...document.querySelectorAll<HTMLElement>('[data-testid="label-row"]')].findIndex(
            (row) => row.dataset.label === label,
          ),
        labelName,
      );
      const relabelMs = await timeKey(page, String(position + 1), labelName, expected);
      const undoMs = await timeKey(page, 'Control+z', labelName, before);

      const result = {
        images: total,
        steady,
        fast,
        jumps,
        wheel,
        relabel: { selected, ms: relabelMs },
        undo: { ms: undoMs },
      };
      if (options.json) {
        console.log(JSON.stringify({ section: 'library-grid', ...result }));
      } else {
        console.log(
          `grid of ${total.toLocaleString()} images, 1440×900 window, headless Chromium (software rendering)`,
        );
        console.log(line('scroll 120 px per frame', steady));
        console.log(line('fling: 900 px per frame', fast));
        console.log(line('jump to random places', jumps));
        console.log(line('wheel gesture, 8,000 px/s', wheel));
        console.log(
          `relabel ${selected.toLocaleString()} selected (Ctrl+A, key ${position + 1}) → counts on screen: ${relabelMs.toFixed(0)} ms`,
        );
        console.log(`undo it (Ctrl+Z) → counts on screen: ${undoMs.toFixed(0)} ms`);
      }
    } finally {
      await browser.close();
      await studio.stop();
    }
  },
};
