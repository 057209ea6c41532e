import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { fail } from '../api/envelope.ts';
import type { Studio } from '../api/studio.ts';
import { clientMessage, type ServerMessage } from '../api/wire.ts';

/** One browser tab: requests in, responses and pushed events out. Bad messages get a typed error. */
export function attachSocket(ws: WebSocket, studio: Studio): void {
  const clientId = randomUUID();
  const sendMessage = (message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = studio.events.subscribe((name, payload) => sendMessage({ type: 'event', name, payload }));
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
  sendMessage({ type: 'hello', clientId });

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      return sendMessage({
        type: 'response',
        id: null,
        result: fail('invalid-message', 'Binary messages are not part of the protocol.'),
      });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data.toString());
    } catch {
      return sendMessage({
        type: 'response',
        id: null,
        result: fail('invalid-message', 'The message is not valid JSON.'),
      });
    }
    const parsed = clientMessage.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : null;
      return sendMessage({
        type: 'response',
        id,
        result: fail('invalid-message', 'Expected {"type":"request","id":<number>,"name":<string>,"input":{...}}.'),
      });
    }
    const { id, name, input } = parsed.data;
    void studio.registry
      .dispatch(name, input, { transport: 'web', clientId })
      .then((result) => sendMessage({ type: 'response', id, result }));
  });
}
