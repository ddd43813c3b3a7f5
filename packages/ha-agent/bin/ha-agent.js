#!/usr/bin/env node
// A .js entry so the bin works through node_modules/.bin; the sources are TypeScript run by Node 24.
// No static import: the signal holders go in before anything else loads, so a SIGUSR1 (Node's default:
// open the inspector) or a SIGQUIT (default: die) that arrives during start-up finds them.
const { holdSignalsEarly } = await import('../src/signals.ts');
holdSignalsEarly();
await import('../src/cli.ts');
