/**
 * Packaging recipe for a Linux kiosk: an AppImage (try it on any machine) and a .deb (install on a
 * kiosk: /opt, a system user, a systemd unit that starts the kiosk full screen under the `cage`
 * Wayland kiosk compositor at boot — no desktop behind it to escape to).
 *
 * NOT RUN ON OUR MACHINES: electron-builder downloads Electron and its packaging tools, and our
 * machines cannot. It is checked instead (types: electron-builder-types.ts; electron-builder's own
 * schema: kiosk/shell/packaging.test.ts). On a packaging machine with internet, Debian 12, Node 20:
 *
 *   npm ci && npm run build
 *   npx --yes electron-builder@26.17.0 --config packaging/electron-builder.config.ts --linux
 *
 * How the pieces run in the package:
 *   - the shell (dist/shell/main.cjs) is the app's main; the UI ships built (dist/ui, with its voice
 *     clips), the host ships as its TypeScript sources run through tsx, as in development;
 *   - the host runs on Electron's own Node in a utility process (main.ts, `app.isPackaged`), so the
 *     kiosk needs no system Node, and the native modules (better-sqlite3, serialport, node-hid,
 *     pcsclite) are rebuilt for Electron's ABI here (npmRebuild, from source);
 *   - /etc/mashang/kiosk.config.json is the site's configuration (mode "production"); the unit
 *     passes it as MASHANG_CONFIG.
 */
import type { Configuration } from './electron-builder-types.ts';

const config: Configuration = {
  appId: 'cn.mashang.kiosk',
  // Also the install folder: /opt/mashang-kiosk (the .deb's after-install script relies on it).
  productName: 'mashang-kiosk',
  executableName: 'mashang-kiosk',
  copyright: 'Mashang 马上办',
  directories: { output: 'dist/packages', buildResources: 'packaging/linux' },
  // The repository's package.json has no "main": the shell is a build output.
  extraMetadata: { main: 'dist/shell/main.cjs' },
  files: [
    'package.json',
    'dist/shell/**',
    'dist/ui/**',
    'kiosk.config.schema.json',
    // The host and what it imports, as sources (tsx compiles them at start, as in development).
    'kiosk/**/*.{ts,mjs,json}',
    'drivers/**/*.ts',
    'flows/**/*.ts',
    'printer-templates/**/*.{ts,json,ttf,otf,png}',
    '!kiosk/ui/**',
    '!**/*.test.{ts,tsx}',
    '!**/*.map',
  ],
  // The systemd unit and udev rules, for the .deb's after-install script to put in place.
  extraResources: [{ from: 'packaging/linux', to: 'linux', filter: ['*.service', '*.rules'] }],
  // No asar: the host is a separate process that reads its sources and native addons from disk;
  // on Linux asar adds no integrity check. The .deb installs under /opt, owned by root and
  // read-only to the kiosk user, which is what protects the code.
  asar: false,
  npmRebuild: true,
  buildDependenciesFromSource: true,
  electronLanguages: ['zh-CN', 'en-US'],
  electronFuses: {
    // The host runs in a utility process, so nothing needs ELECTRON_RUN_AS_NODE: a local attacker
    // cannot turn the kiosk binary into a plain Node.
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
    loadBrowserProcessSpecificV8Snapshot: false,
    // Meaningful only with asar (see above).
    onlyLoadAppFromAsar: false,
    enableEmbeddedAsarIntegrityValidation: false,
  },
  linux: {
    target: [
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64', 'arm64'] },
    ],
    executableName: 'mashang-kiosk',
    category: 'Office',
    synopsis: 'Social-security card self-service kiosk (社保卡自助补办)',
    description: 'Reissues lost social-security cards at an unattended village service kiosk.',
    maintainer: 'Mashang <kiosk@mashang.invalid>',
    vendor: 'Mashang',
    // Wayland under cage; the kiosk window is full screen by itself.
    executableArgs: ['--ozone-platform=wayland'],
    desktop: { entry: { Name: 'Mashang 马上办', NoDisplay: 'true' } },
  },
  deb: {
    // cage: the kiosk compositor; pcscd: the chip encoder and staff card reader; CJK fonts for
    // the UI and printing; the libraries the native addons load.
    depends: [
      'cage',
      'pcscd',
      'libpcsclite1',
      'libusb-1.0-0',
      'libudev1',
      'fonts-noto-cjk',
      'adduser',
      'systemd',
    ],
    packageCategory: 'misc',
    priority: 'optional',
    afterInstall: 'packaging/linux/after-install.sh',
    afterRemove: 'packaging/linux/after-remove.sh',
  },
  appImage: { artifactName: '${productName}-${version}-${arch}.${ext}' },
  // Kiosks are updated by the province's own channel, never by the app phoning home.
  publish: null,
};

export default config;
