// The Library view end to end in web mode: the sample on first start, labelling with
// the keyboard and the mouse, undo/redo, filters and search, import through the folder
// picker and through a real (CDP) drag-and-drop of a folder, and export.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGrayPng } from '../../src-main/library/fashion-mnist.ts';
import { launchBrowser } from './support/browser.ts';
import { startStudio, type RunningStudio } from './support/studio-server.ts';

const SHOTS = join(import.meta.dirname, '..', '..', 'test-results');

let studio: RunningStudio;
let browser: Browser;
let page: Page;
let work: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'cgan-e2e-library-'));
  studio = await startStudio();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(studio.url);
  await page.getByRole('navigation', { name: 'Studio sections' }).waitFor();
});

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

/** A small labelled folder with a few bad files mixed in, written as real PNG bytes. */
function writeFolder(name: string, classes: Record<string, number>, seed: number): string {
  const root = join(work, name);
  let n = seed;
  for (const [label, count] of Object.entries(classes)) {
    mkdirSync(join(root, label), { recursive: true });
    for (let i = 0; i < count; i++) {
      const pixels = new Uint8Array(16 * 16).map((_, p) => (p * 7 + n * 13) % 256);
      n++;
      writeFileSync(join(root, label, `${label}-${i}.png`), encodeGrayPng(pixels, 16, 16));
    }
  }
  writeFileSync(join(root, Object.keys(classes)[0]!, 'empty.png'), '');
  writeFileSync(join(root, Object.keys(classes)[0]!, 'notes.png'), 'this is text, not a picture');
  return root;
}

async function labelCounts(): Promise<Record<string, number>> {
  // One read of the whole list: rows come and go while labels are merged or deleted.
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('[data-testid="label-row"]')].map((row) => [
        row.dataset.label!,
        Number(row.querySelector('[data-testid="label-count"]')!.textContent!.replace(/[^\d]/g, '')),
      ]),
    ),
  );
}

async function gridTotal(): Promise<number> {
  return Number(await page.getByTestId('image-grid').getAttribute('data-total'));
}

async function closeSummary(): Promise<void> {
  await page.getByTestId('import-summary').getByRole('button', { name: 'Done' }).click();
  await page.getByTestId('import-summary').waitFor({ state: 'detached' });
}

describe('Library', () => {
  it('offers the sample on first start and imports it with a progress bar and a summary', async () => {
    await page.getByRole('heading', { name: 'Bring in your pictures' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'library-empty.png') });
    await page.getByTestId('import-sample').click();
    await page.getByTestId('import-progress').waitFor();
    // Committed batches show up while the import runs.
    await page.waitForTimeout(2500);
    await page.screenshot({ path: join(SHOTS, 'library-importing.png') });
    await page.getByTestId('import-summary').waitFor();
    await page.screenshot({ path: join(SHOTS, 'library-import-summary.png') });
    expect(await page.getByTestId('summary-imported').textContent()).toBe('3,000');
    expect(await page.getByTestId('summary-rejected').textContent()).toBe('0');
    await closeSummary();

    await expect.poll(labelCounts).toMatchObject({ 'T-shirt-top': 300, Trouser: 300, 'Ankle boot': 300 });
    expect(Object.keys(await labelCounts())).toHaveLength(10);
    await expect.poll(gridTotal).toBe(3000);
    await page.locator('.cell img').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'library-grid.png') });
  });

  it('relabels a shift-click range with a number key, and undo / redo restore it', async () => {
    await page.locator('[data-label="T-shirt-top"] .label-button').click();
    await expect.poll(gridTotal).toBe(300);
    await page.locator('.cell[data-index="0"]').click();
    await page.locator('.cell[data-index="4"]').click({ modifiers: ['Shift'] });
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('5 selected');
    await page.screenshot({ path: join(SHOTS, 'library-selection.png') });

    await page.keyboard.press('2'); // the second label: Trouser
    await expect.poll(labelCounts).toMatchObject({ 'T-shirt-top': 295, Trouser: 305 });
    await expect.poll(gridTotal).toBe(295);

    await page.keyboard.press('Control+z');
    await expect.poll(labelCounts).toMatchObject({ 'T-shirt-top': 300, Trouser: 300 });
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(labelCounts).toMatchObject({ 'T-shirt-top': 295, Trouser: 305 });
    await page.getByTestId('undo').click();
    await expect.poll(labelCounts).toMatchObject({ 'T-shirt-top': 300, Trouser: 300 });
  });

  it('selects with ctrl-click and a drag rectangle, labels through the searchable menu (L)', async () => {
    await page.getByTestId('view-all').click();
    await expect.poll(gridTotal).toBe(3000);
    await page.locator('.cell[data-index="0"]').click();
    await page.locator('.cell[data-index="2"]').click({ modifiers: ['Control'] });
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('2 selected');

    // Drag from the middle of cell 0 to the middle of cell (1 row down, 2 columns right).
    const first = (await page.locator('.cell[data-index="0"]').boundingBox())!;
    const columns = await page.evaluate(() => {
      const cells = [...document.querySelectorAll<HTMLElement>('.cell')];
      const top = cells[0]!.getBoundingClientRect().top;
      return cells.filter((c) => c.getBoundingClientRect().top === top).length;
    });
    const target = (await page.locator(`.cell[data-index="${columns + 2}"]`).boundingBox())!;
    await page.mouse.move(first.x + first.width / 2, first.y + first.height / 2);
    await page.mouse.down();
    await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 8 });
    await page.screenshot({ path: join(SHOTS, 'library-rectangle.png') });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('6 selected');

    const before = await labelCounts();
    await page.keyboard.press('l');
    await page.getByTestId('label-menu').waitFor();
    await page.keyboard.type('Odd ones');
    await page.screenshot({ path: join(SHOTS, 'library-label-menu.png') });
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await labelCounts())['Odd ones']).toBe(6);
    const after = await labelCounts();
    const moved = Object.keys(before).reduce((sum, name) => sum + before[name]! - after[name]!, 0);
    expect(moved).toBe(6);
  });

  it('selects everything in view with Ctrl+A (rows never rendered included) and excludes it with E', async () => {
    await page.locator('[data-label="Sneaker"] .label-button').click();
    await expect.poll(gridTotal).toBe(300);
    await page.locator('.cell[data-index="0"]').click();
    await page.keyboard.press('Control+a');
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('300 selected');
    await page.keyboard.press('e');
    await expect.poll(() => page.getByTestId('view-excluded').locator('.count').textContent()).toBe('300');
    await page.getByTestId('view-excluded').click();
    await expect.poll(gridTotal).toBe(300);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('view-excluded').locator('.count').textContent()).toBe('0');
  });

  it('searches file names and sorts', async () => {
    await page.getByTestId('view-all').click();
    await page.getByTestId('search').fill('train-0001');
    await expect.poll(gridTotal).toBeLessThan(3000);
    const total = await gridTotal();
    expect(total).toBeGreaterThan(0);
    const names = await page.locator('.cell').evaluateAll((cells) => cells.map((c) => c.getAttribute('title')));
    expect(names.every((name) => name?.includes('train-0001'))).toBe(true);
    await page.getByTestId('search').fill('no-such-file-anywhere');
    await page.getByText('No file name contains').waitFor();
    await page.getByTestId('search').fill('');
    await expect.poll(gridTotal).toBe(3000);
    await page.getByTestId('sort').selectOption('name');
    await expect.poll(() => page.locator('.cell[data-index="0"]').getAttribute('title')).toBe('train-00000.png');
  });

  it('moves and extends the selection with the arrow keys, and removes labels with 0', async () => {
    const unlabelled = () => page.getByTestId('view-unlabelled').locator('.count').textContent();
    await page.locator('.cell[data-index="0"]').click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('.cell[data-index="1"]').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('3 selected');
    await page.keyboard.press('Space'); // the focused (third) image leaves the selection
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('2 selected');
    await page.keyboard.press('0');
    await expect.poll(unlabelled).toBe('2');
    await page.keyboard.press('Control+z');
    await expect.poll(unlabelled).toBe('0');
  });

  it('shows the details of one image', async () => {
    await page.locator('.cell[data-index="0"]').click();
    const panel = page.getByTestId('detail-panel');
    await panel.getByText('28 × 28 px').waitFor();
    expect(await panel.textContent()).toContain('train-00000.png');
    await page.screenshot({ path: join(SHOTS, 'library-detail.png') });
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('imports a folder through the folder picker, reporting the bad files', async () => {
    const folder = writeFolder('pets', { cat: 7, dog: 5 }, 1);
    await page.getByTestId('folder-input').setInputFiles(folder);
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('summary-imported').textContent()).toBe('12');
    expect(await page.getByTestId('summary-rejected').textContent()).toBe('2');
    const reasons = await page.getByTestId('summary-rejections').textContent();
    expect(reasons).toContain('empty.png');
    expect(reasons).toContain('notes.png');
    await page.screenshot({ path: join(SHOTS, 'library-import-rejected.png') });
    await closeSummary();
    await expect.poll(() => page.getByTestId('dataset-picker').textContent()).toContain('pets');
    await expect.poll(labelCounts).toEqual({ cat: 7, dog: 5 });
    await page.getByTestId('view-rejected').click();
    await page.getByTestId('rejected-list').getByText('notes.png').waitFor();
  });

  it('imports a folder dropped onto the window (a real drag through the DevTools protocol)', async () => {
    const folder = writeFolder('birds', { finch: 4, robin: 3, wren: 2 }, 100);
    const cdp = await page.context().newCDPSession(page);
    const data = { items: [], files: [folder], dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x: 700, y: 450, data });
    }
    await page.getByTestId('drop-overlay').waitFor();
    await page.screenshot({ path: join(SHOTS, 'library-drop-overlay.png') });
    await cdp.send('Input.dispatchDragEvent', { type: 'drop', x: 700, y: 450, data });
    await page.getByTestId('import-summary').waitFor();
    expect(await page.getByTestId('summary-imported').textContent()).toBe('9');
    expect(await page.getByTestId('summary-rejected').textContent()).toBe('2');
    await closeSummary();
    await expect.poll(() => page.getByTestId('dataset-picker').textContent()).toContain('birds');
    await expect.poll(labelCounts).toEqual({ finch: 4, robin: 3, wren: 2 });
  });

  it('cancels an import while its files are uploading', async () => {
    const folder = writeFolder('many', { a: 1500, b: 1500 }, 1000);
    await page.getByTestId('folder-input').setInputFiles(folder);
    const card = page.getByTestId('import-progress');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('cancelled while uploading').waitFor();
    await card.waitFor({ state: 'detached' });
    await page.getByTestId('dataset-picker').click();
    expect(await page.getByRole('menuitem', { name: /^many/ }).count()).toBe(0);
    await page.keyboard.press('Escape');
  });

  it('creates, renames, recolours, merges and deletes labels', async () => {
    await page.getByTestId('new-label').click();
    await page.getByTestId('prompt-dialog').locator('input').fill('sparrow');
    await page.keyboard.press('Enter');
    await expect.poll(labelCounts).toEqual({ finch: 4, robin: 3, wren: 2, sparrow: 0 });

    const row = (name: string) => page.locator(`[data-label="${name}"]`);
    await row('wren').hover();
    await row('wren').getByRole('button', { name: 'More actions for wren' }).click();
    await page.getByRole('menuitem', { name: 'Rename…' }).click();
    await page.getByTestId('prompt-dialog').locator('input').fill('jenny wren');
    await page.keyboard.press('Enter');
    await expect.poll(labelCounts).toEqual({ finch: 4, robin: 3, 'jenny wren': 2, sparrow: 0 });

    await row('robin').getByRole('button', { name: 'Colour of robin' }).click();
    await page.getByRole('menuitem', { name: 'Colour #59a14f' }).click();
    await expect.poll(() => row('robin').locator('.swatch').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(89, 161, 79)');

    await row('robin').hover();
    await row('robin').getByRole('button', { name: 'More actions for robin' }).click();
    await page.getByRole('menuitem', { name: 'Merge into another label…' }).click();
    await page.getByTestId('merge-dialog').getByText('finch').click();
    await page.getByTestId('merge-dialog').getByRole('button', { name: 'Merge' }).click();
    await expect.poll(labelCounts).toEqual({ finch: 7, 'jenny wren': 2, sparrow: 0 });

    await row('sparrow').hover();
    await row('sparrow').getByRole('button', { name: 'More actions for sparrow' }).click();
    await page.getByRole('menuitem', { name: 'Delete label…' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete label' }).click();
    await expect.poll(labelCounts).toEqual({ finch: 7, 'jenny wren': 2 });

    // Undo walks back through delete, merge, recolour, rename.
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await expect.poll(labelCounts).toEqual({ finch: 4, robin: 3, 'jenny wren': 2, sparrow: 0 });
    await page.screenshot({ path: join(SHOTS, 'library-labels.png') });
  });

  it('switches datasets and exports one as ImageFolder', async () => {
    await page.getByTestId('dataset-picker').click();
    await page.getByRole('menuitem', { name: /Fashion-MNIST sample/ }).click();
    await expect.poll(gridTotal).toBe(3000);
    await page.getByRole('button', { name: 'Export…' }).click();
    const target = join(work, 'export-sample');
    await page.getByTestId('export-folder').fill(target);
    await page.getByTestId('export-dialog').getByRole('button', { name: 'Export' }).click();
    await page.getByTestId('export-result').waitFor();
    expect(readdirSync(target)).toHaveLength(11); // 10 classes + "Odd ones"
    await page.getByTestId('export-dialog').getByRole('button', { name: 'Done' }).click();
  });

  it('creates, renames and deletes a dataset', async () => {
    const picker = page.getByTestId('dataset-picker');
    await picker.click();
    await page.getByRole('menuitem', { name: 'New dataset…' }).click();
    await page.getByTestId('prompt-dialog').locator('input').fill('Scratch');
    await page.keyboard.press('Enter');
    await expect.poll(() => picker.textContent()).toContain('Scratch');
    await page.getByText('This dataset is empty').waitFor();

    await picker.click();
    await page.getByRole('menuitem', { name: 'Rename “Scratch”…' }).click();
    await page.getByTestId('prompt-dialog').locator('input').fill('Scratch pad');
    await page.keyboard.press('Enter');
    await expect.poll(() => picker.textContent()).toContain('Scratch pad');

    await picker.click();
    await page.getByRole('menuitem', { name: 'Delete “Scratch pad”…' }).click();
    await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Delete dataset' }).click();
    await expect.poll(() => picker.textContent()).not.toContain('Scratch');
    await picker.click();
    expect(await page.getByRole('menuitem', { name: /Scratch/ }).count()).toBe(0);
    await page.getByRole('menuitem', { name: /^Fashion-MNIST sample/ }).click();
    await expect.poll(gridTotal).toBe(3000);
  });

  it('shows every keyboard shortcut with ?', async () => {
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-help').waitFor();
    await page.screenshot({ path: join(SHOTS, 'library-shortcuts.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help').waitFor({ state: 'detached' });
  });

  it('follows the dark colour scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('.cell[data-index="3"]').click();
    await page.getByTestId('detail-panel').getByText('28 × 28 px').waitFor();
    await page.screenshot({ path: join(SHOTS, 'library-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
