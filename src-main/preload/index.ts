import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { fail } from '../api/envelope.ts';
import { isEventName, isRequestName } from '../api/contract/index.ts';
import { EVENT_CHANNEL, REQUEST_CHANNEL, type StudioBridge, type StudioEventListener } from './types.ts';

// The page gets this object and nothing else: no ipcRenderer, no Node.
const bridge: StudioBridge = {
  transport: 'electron',
  request(name, input) {
    if (!isRequestName(name)) {
      return Promise.resolve(fail('unknown-request', `There is no request named ${JSON.stringify(name)}.`));
    }
    return ipcRenderer.invoke(REQUEST_CHANNEL, name, input) as never;
  },
  subscribe(listener: StudioEventListener) {
    const relay = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (isEventName(name)) listener(name, payload as never);
    };
    ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, relay);
    };
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('studio', bridge);
