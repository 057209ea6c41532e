import { explorer, type ExplorerMode } from '../../state/generator.svelte.ts';

// The explorer's keyboard: one key per common action, never while typing in a field.
export const SHORTCUTS: Array<{ keys: string; action: string }> = [
  { keys: 'R', action: 'New random seed' },
  { keys: 'L', action: 'Lock the seed' },
  { keys: '← →', action: 'Previous / next label' },
  { keys: '0', action: 'Reset the sliders to the seed' },
  { keys: 'V G I C', action: 'Image, grid, interpolate, compare' },
];

const MODES: Record<string, ExplorerMode> = { v: 'single', g: 'grid', i: 'interpolate', c: 'compare' };

export function handleExplorerKey(event: KeyboardEvent): void {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target as HTMLElement | null;
  const typing = target?.closest('input:not([type=range]), textarea, select, [contenteditable], dialog');
  if (typing) return;
  // Arrow keys belong to a focused slider.
  const onSlider = target instanceof HTMLInputElement && target.type === 'range';
  const key = event.key.toLowerCase();
  if (key === 'r') explorer.newSeed(event.timeStamp);
  else if (key === 'l') explorer.seedLocked = !explorer.seedLocked;
  else if (key === '0') explorer.resetLatent(event.timeStamp);
  else if (!onSlider && event.key === 'ArrowLeft') explorer.setLabel(explorer.label - 1, event.timeStamp);
  else if (!onSlider && event.key === 'ArrowRight') explorer.setLabel(explorer.label + 1, event.timeStamp);
  else if (MODES[key]) explorer.mode = MODES[key];
  else return;
  event.preventDefault();
}
