#!/usr/bin/env node
// A .js entry so the bin works through node_modules/.bin; the sources are TypeScript run by Node 24.
import '../src/cli.ts';
