// The backend each run was started with, as asked for in this browser ('auto' or a name).
// A run's summary does not say which backend its trainer picked (see the Train view's
// report), so the view remembers what it asked for; 'auto' shows the studio's detected one.
const KEY = 'cgan-studio.train.backends';

function read(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function rememberBackend(runId: string, backend: string): void {
  localStorage.setItem(KEY, JSON.stringify({ ...read(), [runId]: backend }));
}

export function requestedBackend(runId: string): string | null {
  return read()[runId] ?? null;
}
