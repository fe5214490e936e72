/**
 * The kiosk window's lock-down, as pure decisions that main.ts wires into Electron.
 *
 * The renderer shows exactly one thing: the UI the host serves on 127.0.0.1:PORT. It may not
 * navigate anywhere else, open windows, reach the file system, or use any browser permission
 * except the camera (the live photo compared with the card centre's archive). A passer-by with a
 * USB keyboard must not be able to reload, open devtools, or close the kiosk.
 *
 * Nothing here imports electron at run time: these functions are tested without it.
 */
import type { BrowserWindowConstructorOptions, Input } from 'electron';

/** The only host the shell ever shows: the local host process on loopback. */
const LOOPBACK_HOST = '127.0.0.1';

/** `http://127.0.0.1:PORT` of the host's URL, or null when the URL is not a loopback http URL. */
export function hostOrigin(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' || parsed.hostname !== LOOPBACK_HOST) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  // URL drops the default port 80; the host always listens on an explicit one.
  if (parsed.port === '') return null;
  return parsed.origin;
}

/** The URL the window loads: the host's page with the per-start bridge token in the fragment. */
export function rendererUrl(hostUrl: string, token: string): string {
  const url = new URL(hostUrl);
  url.hash = `token=${encodeURIComponent(token)}`;
  return url.toString();
}

/**
 * Chromium switches of the kiosk (app.commandLine.appendSwitch): a touch screen with no pinch zoom
 * and no swipe-back; voice guidance may speak before the first touch (a screen that changed
 * because of a device — the ID card read, the card out — speaks with no tap). The end-to-end
 * test launches Chromium with the same switches.
 */
export const KIOSK_CHROMIUM_SWITCHES: ReadonlyArray<readonly [string, string?]> = [
  ['disable-pinch'],
  ['overscroll-history-navigation', '0'],
  ['autoplay-policy', 'no-user-gesture-required'],
];

/** The switches as command-line arguments (`--name` or `--name=value`). */
export function chromiumArgs(switches = KIOSK_CHROMIUM_SWITCHES): string[] {
  return switches.map(([name, value]) =>
    value === undefined ? `--${name}` : `--${name}=${value}`,
  );
}

export interface WindowPolicyOptions {
  production: boolean;
  /** Absolute path of the bundled preload script (dist/shell/preload.cjs). */
  preloadPath: string;
}

export function windowOptions({
  production,
  preloadPath,
}: WindowPolicyOptions): BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    autoHideMenuBar: true,
    // A resident who cannot find the window's edge cannot resize, minimise or close it either.
    resizable: !production,
    minimizable: !production,
    closable: !production,
    backgroundColor: '#ffffff',
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      experimentalFeatures: false,
      // Middle-click opens links in a new window (denied anyway); the page has no use for it.
      disableBlinkFeatures: 'Auxclick',
      // A page dialog (alert/confirm) could trap an unattended kiosk; the UI never uses one.
      safeDialogs: true,
      // Voice guidance speaks when a device changes the screen, before any tap.
      autoplayPolicy: 'no-user-gesture-required',
      devTools: !production,
      preload: preloadPath,
    },
  };
}

/**
 * Whether the window may navigate to `target`: only pages of the exact host origin (same scheme,
 * host and port). Anything else — another port on loopback, another host, file:, data:,
 * javascript:, chrome: — is refused. `origin` is null while no host is ready: nothing is allowed.
 */
export function isNavigationAllowed(target: string, origin: string | null): boolean {
  if (origin === null) return false;
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    return false;
  }
  return parsed.protocol === 'http:' && parsed.origin === origin;
}

/**
 * Whether the session may fetch `url` at all (every request, not only navigations): the host's
 * origin over http, its bridge WebSocket, and in-page data:/blob: URLs (camera frames, the
 * shell's own status pages). Devtools' own pages only in development.
 */
export function isRequestAllowed(url: string, origin: string | null, production: boolean): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  switch (parsed.protocol) {
    case 'data:':
    case 'blob:':
      return true;
    case 'http:':
      return isNavigationAllowed(url, origin);
    case 'ws:':
      return origin !== null && parsed.host === new URL(origin).host;
    case 'devtools:':
      return !production;
    default:
      return false;
  }
}

/** window.open, target=_blank, shift-click: the kiosk never opens a second window. */
export function windowOpenResponse(): { action: 'deny' } {
  return { action: 'deny' };
}

/** The details of a permission request that the decision depends on. */
export interface PermissionQuery {
  permission: string;
  /** The URL (or origin) of the frame asking. */
  requestingUrl: string;
  /** For 'media': which devices ('video', 'audio'). The kiosk needs the camera only. */
  mediaTypes?: readonly string[];
  /** Whether the main frame asks (sub-frames never get anything). */
  isMainFrame?: boolean;
}

function isHostCameraQuery(query: PermissionQuery, origin: string | null): boolean {
  return (
    query.permission === 'media' &&
    query.isMainFrame !== false &&
    isNavigationAllowed(query.requestingUrl, origin)
  );
}

/**
 * A permission request (getUserMedia, notifications, geolocation…): every one is refused, except
 * the camera for the host's own page (the live photo). A request that also asks for the
 * microphone is refused whole: the kiosk never listens.
 */
export function isPermissionRequestAllowed(query: PermissionQuery, origin: string | null): boolean {
  const types = query.mediaTypes ?? [];
  return (
    isHostCameraQuery(query, origin) && types.length > 0 && types.every((type) => type === 'video')
  );
}

/**
 * A permission check (navigator.permissions.query, device labels in enumerateDevices): the same
 * rule, except that Chromium may not say which device it checks ('unknown'); only an explicit
 * microphone check is refused. Checks grant nothing by themselves: capture still needs a request.
 */
export function isPermissionCheckAllowed(query: PermissionQuery, origin: string | null): boolean {
  const types = query.mediaTypes ?? [];
  return isHostCameraQuery(query, origin) && !types.includes('audio');
}

/**
 * The Content-Security-Policy header the shell adds to every response from the host: scripts,
 * styles, fonts and voice clips from the host only (no inline script or style, no eval), the
 * bridge WebSocket to the host's port only, camera frames as blob:/data: images, no plugins, no
 * <base>, no forms, no framing.
 *
 * 'self' is the host on 127.0.0.1 at this start's port: it serves only the built UI bundle and
 * its voice clips — no JSONP endpoint, no uploaded files — so 'self' for scripts is as narrow as a
 * hash list would be (csp-evaluator's "'self' can be problematic" does not apply; the
 * Electronegativity test evaluates this very string).
 */
export function contentSecurityPolicy(origin: string): string {
  const { host } = new URL(origin);
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ws://${host}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Response headers with the shell's CSP added (any CSP the host sent stays: the browser enforces
 * both, so the result is at least as strict as either).
 */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
  origin: string,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  let existing: string[] = [];
  for (const [name, values] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') existing = existing.concat(values);
    else result[name] = values;
  }
  // electronegativity CSP_GLOBAL_CHECK: "failed to parse" because the policy is computed (it
  // names this start's bridge port), not a literal; the Electronegativity test runs the same CSP
  // evaluator on contentSecurityPolicy()'s output, and the end-to-end tests run under it.
  result['Content-Security-Policy'] = [...existing, contentSecurityPolicy(origin)];
  return result;
}

/** A key combination to swallow; `mod` is Ctrl (Linux/Windows) or Cmd (macOS). */
interface Shortcut {
  /** KeyboardEvent.code of the physical key, so the rule holds under any layout or IME. */
  code: string;
  mod?: boolean;
  shift?: boolean;
  alt?: boolean;
  why: string;
}

/**
 * Shortcuts that would reload the page, open devtools, leave the page or close the kiosk.
 * The application menu is removed, so most have no handler anyway: this is the second lock.
 * Modifiers not listed are "don't care" (Ctrl+R and Ctrl+Shift+R are both swallowed by one rule).
 */
const SWALLOWED_SHORTCUTS: readonly Shortcut[] = [
  { code: 'F5', why: 'reload' },
  { code: 'KeyR', mod: true, why: 'reload / hard reload' },
  { code: 'BrowserRefresh', why: 'reload (media keyboard)' },
  { code: 'F12', why: 'devtools' },
  { code: 'KeyI', mod: true, shift: true, why: 'devtools' },
  { code: 'KeyJ', mod: true, shift: true, why: 'devtools console' },
  { code: 'KeyC', mod: true, shift: true, why: 'devtools inspector' },
  { code: 'KeyI', mod: true, alt: true, why: 'devtools (macOS)' },
  { code: 'KeyU', mod: true, why: 'view source' },
  { code: 'KeyW', mod: true, why: 'close window' },
  { code: 'KeyQ', mod: true, why: 'quit' },
  { code: 'F4', alt: true, why: 'close window' },
  { code: 'F4', mod: true, why: 'close tab' },
  { code: 'F11', why: 'leave full screen' },
  { code: 'KeyF', mod: true, shift: true, why: 'full screen toggle' },
  { code: 'KeyN', mod: true, why: 'new window' },
  { code: 'KeyT', mod: true, why: 'new tab' },
  { code: 'KeyO', mod: true, why: 'open file' },
  { code: 'KeyS', mod: true, why: 'save page' },
  { code: 'KeyP', mod: true, why: 'print dialog' },
  { code: 'KeyM', mod: true, why: 'minimise' },
  { code: 'KeyH', mod: true, why: 'hide (macOS)' },
  { code: 'ArrowLeft', alt: true, why: 'back' },
  { code: 'ArrowRight', alt: true, why: 'forward' },
  { code: 'BrowserBack', why: 'back (media keyboard)' },
  { code: 'BrowserForward', why: 'forward (media keyboard)' },
  { code: 'Equal', mod: true, why: 'zoom in (the UI sizes its own type)' },
  { code: 'NumpadAdd', mod: true, why: 'zoom in' },
  { code: 'Minus', mod: true, why: 'zoom out' },
  { code: 'NumpadSubtract', mod: true, why: 'zoom out' },
  { code: 'Digit0', mod: true, why: 'reset zoom' },
  { code: 'Numpad0', mod: true, why: 'reset zoom' },
];

export type KeyInput = Pick<Input, 'code' | 'control' | 'meta' | 'alt' | 'shift'>;

/** Whether a key event must be swallowed before the page or Chromium sees it. */
export function shouldSwallowInput(input: KeyInput, production: boolean): boolean {
  if (!production) return false;
  const mod = input.control || input.meta;
  return SWALLOWED_SHORTCUTS.some(
    (shortcut) =>
      shortcut.code === input.code &&
      (shortcut.mod === undefined || shortcut.mod === mod) &&
      (shortcut.shift === undefined || shortcut.shift === input.shift) &&
      (shortcut.alt === undefined || shortcut.alt === input.alt),
  );
}
