import type { RunStatusName } from '../../../../src-main/api/contract/runs.ts';

/** 75 → "1:15", 3725 → "1:02:05". */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** A duration in words for lists: "48 s", "12 min", "2 h 05 min". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function ago(at: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  return new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

export function steps(n: number): string {
  return n.toLocaleString();
}

export function fixed(value: number | null | undefined, digits = 3): string {
  return value == null || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

export function percent(value: number | null | undefined, digits = 0): string {
  return value == null || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(digits)}%`;
}

export const STATUS_LABELS: Record<RunStatusName, string> = {
  starting: 'Starting',
  training: 'Training',
  paused: 'Paused',
  stopped: 'Stopped',
  done: 'Finished',
  interrupted: 'Interrupted',
  failed: 'Failed',
};

export const BACKEND_LABELS: Record<string, string> = {
  auto: 'Automatic',
  tensorflow: 'TensorFlow (native)',
  wasm: 'WebAssembly (CPU)',
  cpu: 'JavaScript (CPU)',
};

/** Single-key shortcuts must not fire while the person types or a dialog is open. */
export function isTypingTarget(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  if (target.closest('dialog[open], [role="menu"]')) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}
