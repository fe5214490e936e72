/**
 * Must be the first import of main.tsx: zod 4 probes `new Function('')` when the first object
 * schema is built (to compile fast parsers). Under the page's CSP (no 'unsafe-eval') the probe
 * fails and Chromium logs a CSP error on every load. Jitless mode skips the probe; parsing a few
 * small messages a second does not need the compiled fast path.
 */
import { z } from 'zod';

z.config({ jitless: true });
