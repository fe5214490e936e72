import { describe, expect, it } from 'vitest';
import {
  chromiumArgs,
  contentSecurityPolicy,
  hostOrigin,
  isNavigationAllowed,
  isPermissionCheckAllowed,
  isPermissionRequestAllowed,
  isRequestAllowed,
  rendererUrl,
  shouldSwallowInput,
  windowOpenResponse,
  windowOptions,
  withContentSecurityPolicy,
  type KeyInput,
} from './policy.ts';
import { statusPageHtml, statusPageUrl } from './status-page.ts';

const ORIGIN = 'http://127.0.0.1:43117';

describe('the host origin', () => {
  it('is the loopback http origin of the URL the host announced', () => {
    expect(hostOrigin('http://127.0.0.1:43117/')).toBe(ORIGIN);
    expect(hostOrigin('http://127.0.0.1:43117/index.html?x=1#y')).toBe(ORIGIN);
  });

  it('is refused for anything that is not plain http on 127.0.0.1 with a port', () => {
    for (const url of [
      'https://127.0.0.1:43117/',
      'http://localhost:43117/',
      'http://0.0.0.0:43117/',
      'http://192.168.1.20:43117/',
      'http://127.0.0.1/',
      'http://user:pw@127.0.0.1:43117/',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(hostOrigin(url), url).toBeNull();
    }
  });
});

describe('navigation', () => {
  it('is allowed within the host origin', () => {
    expect(isNavigationAllowed(`${ORIGIN}/`, ORIGIN)).toBe(true);
    expect(isNavigationAllowed(`${ORIGIN}/staff?x=1#token=abc`, ORIGIN)).toBe(true);
  });

  it('is refused to another site, another port, another scheme or a look-alike host', () => {
    for (const url of [
      'http://evil.example/',
      'https://evil.example/phish',
      'http://127.0.0.1:43118/',
      'http://127.0.0.1/',
      'https://127.0.0.1:43117/',
      'http://localhost:43117/',
      'http://127.0.0.1.evil.example:43117/',
      'file:///etc/passwd',
      'file:///work/main/dist/ui/index.html',
      'data:text/html,<h1>hi</h1>',
      'javascript:alert(1)',
      'chrome://settings',
      'devtools://devtools/bundled/inspector.html',
      '',
    ]) {
      expect(isNavigationAllowed(url, ORIGIN), url).toBe(false);
    }
  });

  it('is refused everywhere while no host is ready', () => {
    expect(isNavigationAllowed(`${ORIGIN}/`, null)).toBe(false);
  });

  it('never opens a new window', () => {
    expect(windowOpenResponse()).toEqual({ action: 'deny' });
  });
});

describe('requests', () => {
  it('reach only the host, its bridge WebSocket, and in-page data', () => {
    expect(isRequestAllowed(`${ORIGIN}/assets/index.js`, ORIGIN, true)).toBe(true);
    expect(isRequestAllowed('ws://127.0.0.1:43117/bridge', ORIGIN, true)).toBe(true);
    expect(isRequestAllowed('data:image/png;base64,AAAA', ORIGIN, true)).toBe(true);
    expect(isRequestAllowed(`blob:${ORIGIN}/3f1c`, ORIGIN, true)).toBe(true);
    expect(isRequestAllowed('ws://127.0.0.1:9/bridge', ORIGIN, true)).toBe(false);
    expect(isRequestAllowed('wss://evil.example/', ORIGIN, true)).toBe(false);
    expect(isRequestAllowed('https://fonts.example/a.woff2', ORIGIN, true)).toBe(false);
    expect(isRequestAllowed('file:///etc/shadow', ORIGIN, true)).toBe(false);
    expect(isRequestAllowed(`${ORIGIN}/`, null, true)).toBe(false);
  });

  it('reach devtools pages in development only', () => {
    const devtools = 'devtools://devtools/bundled/devtools_app.html';
    expect(isRequestAllowed(devtools, ORIGIN, true)).toBe(false);
    expect(isRequestAllowed(devtools, ORIGIN, false)).toBe(true);
  });
});

describe('the window', () => {
  it('is a locked-down kiosk in production', () => {
    const options = windowOptions({ production: true, preloadPath: '/opt/mashang/preload.cjs' });
    expect(options).toMatchObject({
      kiosk: true,
      fullscreen: true,
      frame: false,
      autoHideMenuBar: true,
      closable: false,
    });
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
      disableBlinkFeatures: 'Auxclick',
      autoplayPolicy: 'no-user-gesture-required',
      preload: '/opt/mashang/preload.cjs',
    });
  });

  it('runs Chromium with the kiosk switches: no pinch, no swipe-back, speech without a tap', () => {
    expect(chromiumArgs()).toEqual([
      '--disable-pinch',
      '--overscroll-history-navigation=0',
      '--autoplay-policy=no-user-gesture-required',
    ]);
  });

  it('keeps the sandbox but allows devtools in development', () => {
    const options = windowOptions({ production: false, preloadPath: '/p.cjs' });
    expect(options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      devTools: true,
    });
  });

  it('loads the host page with the bridge token in the fragment (never sent to a server)', () => {
    const url = rendererUrl('http://127.0.0.1:43117/', 'ab'.repeat(32));
    expect(url).toBe(`http://127.0.0.1:43117/#token=${'ab'.repeat(32)}`);
    expect(rendererUrl('http://127.0.0.1:43117/#old', 'x')).toBe('http://127.0.0.1:43117/#token=x');
  });
});

describe('permissions', () => {
  const camera = {
    permission: 'media',
    requestingUrl: `${ORIGIN}/`,
    mediaTypes: ['video'],
    isMainFrame: true,
  };

  it('grant the camera to the host page for the live photo', () => {
    expect(isPermissionRequestAllowed(camera, ORIGIN)).toBe(true);
  });

  it('refuse the microphone, even together with the camera', () => {
    expect(isPermissionRequestAllowed({ ...camera, mediaTypes: ['audio'] }, ORIGIN)).toBe(false);
    expect(isPermissionRequestAllowed({ ...camera, mediaTypes: ['video', 'audio'] }, ORIGIN)).toBe(
      false,
    );
    expect(isPermissionRequestAllowed({ ...camera, mediaTypes: [] }, ORIGIN)).toBe(false);
  });

  it('refuse the camera to any other origin, to sub-frames, and while no host is ready', () => {
    expect(
      isPermissionRequestAllowed({ ...camera, requestingUrl: 'http://evil.example/' }, ORIGIN),
    ).toBe(false);
    expect(
      isPermissionRequestAllowed({ ...camera, requestingUrl: 'http://127.0.0.1:1/' }, ORIGIN),
    ).toBe(false);
    expect(isPermissionRequestAllowed({ ...camera, isMainFrame: false }, ORIGIN)).toBe(false);
    expect(isPermissionRequestAllowed(camera, null)).toBe(false);
  });

  it('refuse everything else, even to the host page', () => {
    for (const permission of [
      'notifications',
      'geolocation',
      'display-capture',
      'clipboard-read',
      'fullscreen',
      'pointerLock',
      'keyboardLock',
      'openExternal',
      'fileSystem',
      'midiSysex',
      'hid',
      'serial',
      'usb',
      'unknown',
    ]) {
      expect(isPermissionRequestAllowed({ ...camera, permission }, ORIGIN), permission).toBe(false);
      expect(isPermissionCheckAllowed({ ...camera, permission }, ORIGIN), permission).toBe(false);
    }
  });

  it('answer checks for the camera, tolerating an unnamed device but not the microphone', () => {
    const check = { permission: 'media', requestingUrl: ORIGIN, isMainFrame: true };
    expect(isPermissionCheckAllowed({ ...check, mediaTypes: ['video'] }, ORIGIN)).toBe(true);
    expect(isPermissionCheckAllowed({ ...check, mediaTypes: ['unknown'] }, ORIGIN)).toBe(true);
    expect(isPermissionCheckAllowed(check, ORIGIN)).toBe(true);
    expect(isPermissionCheckAllowed({ ...check, mediaTypes: ['audio'] }, ORIGIN)).toBe(false);
    expect(
      isPermissionCheckAllowed({ ...check, requestingUrl: 'http://evil.example' }, ORIGIN),
    ).toBe(false);
  });
});

describe('the content security policy', () => {
  it('allows the host itself, its bridge port, camera frames, and nothing else', () => {
    expect(contentSecurityPolicy(ORIGIN)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; " +
        "connect-src 'self' ws://127.0.0.1:43117; img-src 'self' data: blob:; " +
        "media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; " +
        "frame-ancestors 'none'",
    );
    expect(contentSecurityPolicy(ORIGIN)).not.toContain('unsafe');
  });

  it('is added to responses, keeping any policy the host sent (both are enforced)', () => {
    const headers = withContentSecurityPolicy(
      { 'content-type': ['text/html'], 'content-security-policy': ["script-src 'self'"] },
      ORIGIN,
    );
    expect(headers['content-type']).toEqual(['text/html']);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers['Content-Security-Policy']).toEqual([
      "script-src 'self'",
      contentSecurityPolicy(ORIGIN),
    ]);
    expect(withContentSecurityPolicy(undefined, ORIGIN)).toEqual({
      'Content-Security-Policy': [contentSecurityPolicy(ORIGIN)],
    });
  });
});

describe('keyboard shortcuts', () => {
  const key = (code: string, mods: Partial<KeyInput> = {}): KeyInput => ({
    code,
    control: false,
    meta: false,
    alt: false,
    shift: false,
    ...mods,
  });

  it('that reload, open devtools, navigate, zoom or close are swallowed in production', () => {
    for (const [name, input] of [
      ['F5', key('F5')],
      ['Ctrl+R', key('KeyR', { control: true })],
      ['Ctrl+Shift+R', key('KeyR', { control: true, shift: true })],
      ['Cmd+R', key('KeyR', { meta: true })],
      ['F12', key('F12')],
      ['Ctrl+Shift+I', key('KeyI', { control: true, shift: true })],
      ['Cmd+Alt+I', key('KeyI', { meta: true, alt: true })],
      ['Ctrl+Shift+J', key('KeyJ', { control: true, shift: true })],
      ['Ctrl+W', key('KeyW', { control: true })],
      ['Ctrl+Q', key('KeyQ', { control: true })],
      ['Cmd+Q', key('KeyQ', { meta: true })],
      ['Alt+F4', key('F4', { alt: true })],
      ['F11', key('F11')],
      ['Alt+Left', key('ArrowLeft', { alt: true })],
      ['Ctrl+P', key('KeyP', { control: true })],
      ['Ctrl+=', key('Equal', { control: true })],
      ['Ctrl+0', key('Digit0', { control: true })],
    ] as const) {
      expect(shouldSwallowInput(input, true), name).toBe(true);
    }
  });

  it('that a resident may type pass through', () => {
    for (const [name, input] of [
      ['r', key('KeyR')],
      ['Shift+R', key('KeyR', { shift: true })],
      ['Enter', key('Enter')],
      ['0', key('Digit0')],
      ['Backspace', key('Backspace')],
      ['Ctrl+C', key('KeyC', { control: true })],
      ['Left', key('ArrowLeft')],
    ] as const) {
      expect(shouldSwallowInput(input, true), name).toBe(false);
    }
  });

  it('are all left alone in development', () => {
    expect(shouldSwallowInput(key('F12'), false)).toBe(false);
    expect(shouldSwallowInput(key('KeyR', { control: true }), false)).toBe(false);
  });
});

describe('the status pages', () => {
  it('say "out of service" in Chinese first, then English, and run no script', () => {
    const html = statusPageHtml('outOfService');
    expect(html.indexOf('暂停服务')).toBeGreaterThan(-1);
    expect(html.indexOf('暂停服务')).toBeLessThan(html.indexOf('Out of service'));
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain('unsafe-inline');
    expect(decodeURIComponent(statusPageUrl('starting'))).toContain('正在启动');
  });

  it('say "please wait" calmly while a crashed host restarts: no error, nothing to press', () => {
    const html = statusPageHtml('pleaseWait');
    expect(html).toContain('请稍候');
    expect(html).toContain('Please wait');
    expect(html).not.toMatch(/错误|失败|error|fail|crash/i);
    expect(html).not.toMatch(/<(script|button|a)\b/i);
  });
});
