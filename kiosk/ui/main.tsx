// First: configures zod before any schema (kiosk/bridge/protocol.ts) is built.
import './zod-jitless.ts';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { BridgeClient, bridgeUrl, takeBridgeToken, type StorageLike } from './bridge-client.ts';
import './theme.css';

function sessionStorageOrNull(): StorageLike | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

const token = takeBridgeToken({
  location: window.location,
  history: window.history,
  storage: sessionStorageOrNull(),
});
if (token === null)
  console.warn('bridge: no token in the URL or session; the host will refuse the connection');

const client = new BridgeClient({
  url: bridgeUrl(window.location),
  token,
  WebSocket: window.WebSocket,
  timers: {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  },
});
client.start();

// A kiosk: no long-press menu, no drag-out of pictures.
window.addEventListener('contextmenu', (event) => event.preventDefault());
window.addEventListener('dragstart', (event) => event.preventDefault());

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root');
createRoot(rootElement).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
