// Preloaded by bin/balancer (`node --import`): zod's entry points re-export all of its ~50 locales
// (`export * as locales from "../locales/index.js"`, in zod/v4/classic and zod/v4/core), so every
// start-up loaded and evaluated them — about a fifth of the balancer's modules and ~20–40 ms of CPU
// before the first accepted connection (bench/startup.ts). Nothing here uses another locale than
// English, which zod's schemas import directly (`../locales/en.js`), so the index is loaded as just that
// one. A load hook (module.registerHooks, synchronous and in-thread), not a patched copy of zod: the
// package stays as installed, and a caller that starts src/cli.ts without this preload gets zod whole.
import { registerHooks } from 'node:module';

const INDEX = '/zod/v4/locales/index.js';

registerHooks({
  load(url, context, nextLoad) {
    if (url.endsWith(INDEX) && url.includes('/node_modules/'))
      return { format: 'module', source: 'export { default as en } from "./en.js";\n', shortCircuit: true };
    return nextLoad(url, context);
  },
});
