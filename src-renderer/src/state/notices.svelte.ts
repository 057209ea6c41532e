export type NoticeLevel = 'info' | 'success' | 'warning' | 'error';

export interface Notice {
  id: number;
  level: NoticeLevel;
  message: string;
}

/** Toasts: background results and errors the person should see without hunting for them. */
class Notices {
  items = $state<Notice[]>([]);
  #next = 1;

  push(level: NoticeLevel, message: string, timeoutMs = level === 'error' ? 10_000 : 4_000): number {
    const id = this.#next++;
    this.items.push({ id, level, message });
    if (timeoutMs > 0) setTimeout(() => this.dismiss(id), timeoutMs);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((notice) => notice.id !== id);
  }

  /** Shows an error from a failed call with its message (which names the file or run and the fix). */
  error(error: unknown): void {
    this.push('error', error instanceof Error ? error.message : String(error));
  }
}

export const notices = new Notices();
