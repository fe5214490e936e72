#!/usr/bin/env node
// The `mashang` command. The sources are TypeScript run through tsx's loader, so a fresh clone
// needs no compile step before it starts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
