import type { RequestOutput } from '../../../src-main/api/contract/index.ts';
import { studio } from '../lib/api/client.ts';

type Info = RequestOutput<'app-info'>;

/** The studio's facts for the status bar: version, transport, compute backend, connection. */
class AppInfo {
  info = $state<Info | null>(null);
  connected = $state(false);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    const result = await studio.request('app-info', {});
    if (result.ok) {
      this.info = result.value;
      this.error = null;
    } else {
      this.error = result.error.message;
    }
  }

  /** Tracks the connection and reloads the facts on every reconnect. Returns the unsubscribe function. */
  watch(): () => void {
    return studio.transport.onStatus((connected) => {
      this.connected = connected;
      if (connected) void this.load();
    });
  }
}

export const appInfo = new AppInfo();
