/**
 * Preload of the kiosk window (sandboxed, context-isolated). It gives the page nothing but a
 * way to know it runs inside the kiosk shell, and which version: all the UI needs from the host
 * goes over the bridge, and the bridge token travels in the URL fragment.
 */
import { contextBridge } from 'electron';

/** Replaced by the package version at build time (scripts/build.mjs). */
declare const MASHANG_VERSION: string;

contextBridge.exposeInMainWorld('mashangShell', Object.freeze({ version: MASHANG_VERSION }));
