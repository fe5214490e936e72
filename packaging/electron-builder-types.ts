/**
 * The part of electron-builder 26's `Configuration` (app-builder-lib) this recipe uses, with the
 * same names and types. electron-builder is not a dependency of the repository: installing it is
 * heavy, and running it downloads Electron and packaging tools, which our machines cannot. So the
 * recipe is checked twice without it: against these types by `npm run typecheck`, and against
 * electron-builder's own JSON schema (vendor/, copied from app-builder-lib 26.17.0) by
 * kiosk/shell/packaging.test.ts.
 *
 * On the packaging machine, `import type { Configuration } from 'electron-builder'` can replace
 * this import in electron-builder.config.ts unchanged.
 */

export type LinuxTarget = 'AppImage' | 'deb' | 'rpm' | 'snap' | 'flatpak' | 'tar.gz' | 'dir';

export interface FuseOptionsV1 {
  runAsNode?: boolean;
  enableCookieEncryption?: boolean;
  enableNodeOptionsEnvironmentVariable?: boolean;
  enableNodeCliInspectArguments?: boolean;
  enableEmbeddedAsarIntegrityValidation?: boolean;
  onlyLoadAppFromAsar?: boolean;
  loadBrowserProcessSpecificV8Snapshot?: boolean;
  grantFileProtocolExtraPrivileges?: boolean;
}

export interface FileSet {
  from?: string;
  to?: string;
  filter?: string | string[];
}

export interface LinuxConfiguration {
  target?:
    LinuxTarget | Array<LinuxTarget | { target: LinuxTarget; arch?: Array<'x64' | 'arm64'> }>;
  executableName?: string;
  category?: string;
  synopsis?: string;
  description?: string;
  maintainer?: string;
  vendor?: string;
  icon?: string;
  /** Arguments for the executable in the .desktop entry. */
  executableArgs?: string[];
  desktop?: { entry?: Record<string, string> };
}

export interface DebOptions {
  depends?: string[];
  recommends?: string[];
  packageCategory?: string;
  priority?: string;
  afterInstall?: string;
  afterRemove?: string;
  fpm?: string[];
}

export interface AppImageOptions {
  artifactName?: string;
}

export interface Configuration {
  appId?: string;
  productName?: string;
  executableName?: string;
  copyright?: string;
  directories?: { output?: string; buildResources?: string; app?: string };
  files?: Array<string | FileSet>;
  extraResources?: Array<string | FileSet>;
  extraFiles?: Array<string | FileSet>;
  extraMetadata?: Record<string, unknown>;
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  buildDependenciesFromSource?: boolean;
  nodeGypRebuild?: boolean;
  electronVersion?: string;
  electronLanguages?: string[];
  electronFuses?: FuseOptionsV1;
  includePdb?: boolean;
  linux?: LinuxConfiguration;
  deb?: DebOptions;
  appImage?: AppImageOptions;
  publish?: null;
}
