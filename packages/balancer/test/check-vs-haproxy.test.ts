import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCheck } from '../src/cli/check.ts';
import { CHECK_CASES, type CheckCase, DIRS, normalize } from './check-cases.ts';
import { type Recorded, readRecording } from './check-record.ts';

/**
 * `balancer -c` against the real `haproxy -c` (2.6), recorded by check-record.ts in check-haproxy.json:
 * for every configuration of check-cases.ts, what the configuration language finds (the balancer's
 * "not applied yet" / fail-closed report left out: LoadOptions.inEffect false) must print as HAProxy
 * prints it:
 * - each HAProxy message (a `[TAG]  (PID) : …` line with its continuation lines), in HAProxy's order,
 *   byte for byte; ours may go on after HAProxy's text (a hint, a did-you-mean), never change it;
 * - no other message, the same exit status, the same stdout;
 * except where DELIBERATE says, with the reason. The `[NOTICE]` lines name the balancer, not HAProxy.
 */

interface Deviation {
  /** A message of ours that HAProxy does not print (a substring of it). */
  ours?: string;
  /** A message of HAProxy's that we do not print (a substring of it). */
  theirs?: string;
  /** Our exit status when it differs. */
  exit?: number;
  why: string;
}

const LEGACY =
  "the legacy 'frontend NAME ADDR' form is a warning with the bind line to write (the seed uses it); HAProxy 2.x refuses it";
const legacyBind = (file: string): Deviation[] => [
  { theirs: "please use the 'bind' keyword for listening addresses.", why: LEGACY },
  { theirs: "'listen' or 'defaults' expected.", why: LEGACY },
  { theirs: `Error(s) found in configuration file : ${file}`, why: LEGACY },
  { theirs: 'Fatal errors found in configuration.', why: LEGACY },
  { ours: 'are a legacy form that HAProxy 2.x rejects', exit: 0, why: LEGACY },
];
/** Made in shared-config's parser.ts, which another branch is splitting into modules: align after it. */
const PARSER_TS =
  "this message is written in parser.ts (being split): HAProxy's words first, after the split";

const DELIBERATE: Record<string, readonly Deviation[]> = {
  'corpus/12-global-full.cfg': [
    { theirs: "unknown keyword 'health-socket'", why: 'health-socket is our keyword' },
    { theirs: 'Error(s) found in configuration file', why: 'health-socket is our keyword' },
    { theirs: 'Fatal errors found', exit: 0, why: 'health-socket is our keyword' },
  ],
  'corpus/14-legacy-listen.cfg': legacyBind('14-legacy-listen.cfg'),
  'seed/haproxy.cfg': legacyBind('haproxy.cfg'),
  'corpus/16-conditional-blocks.cfg': [
    {
      theirs: "but got 'lua.something'",
      why: ".if feature(LUA) is false here (HAProxy's Debian build has Lua)",
    },
    { theirs: 'Error(s) found in configuration file', exit: 0, why: '.if feature(LUA) is false here' },
  ],
  'corpus/18-err-values.cfg': [
    {
      ours: "'maxconn' expects an integer argument, got 'many'",
      why: "HAProxy reads 'maxconn many' as 0 (atol) without a word; a value that is not a number is refused",
    },
  ],
  'corpus/20-err-wrong-section.cfg': [
    { theirs: "unknown keyword 'timeout' in 'global' section", why: PARSER_TS },
    { ours: "'timeout' is not allowed in the 'global' section", why: PARSER_TS },
    { theirs: "unknown keyword 'daemon' in 'defaults' section", why: PARSER_TS },
    { ours: "'daemon' is a 'global' keyword", why: PARSER_TS },
    { theirs: "'acl' not allowed in anonymous 'defaults' section.", why: PARSER_TS },
    { ours: "'acl' is only allowed in named 'defaults' sections", why: PARSER_TS },
    { theirs: "parsing [20-err-wrong-section.cfg:15] : 'server' not allowed because", why: PARSER_TS },
    { ours: "'server' not allowed because frontend 'www' has no backend capability (put it", why: PARSER_TS },
  ],
  'corpus/21-err-removed.cfg': [
    {
      theirs: "directive is not supported anymore since HAProxy 2.1. Use 'timeout ",
      why: 'contimeout/clitimeout/srvtimeout are applied with a warning giving the timeout line to write',
    },
    { ours: 'is a legacy directive that HAProxy 2.1+ rejects', why: 'the same' },
  ],
  'corpus/23-resolvers-peers.cfg': [
    {
      theirs: "could not resolve address 'app.example.com', disabling server.",
      why: 'server names are resolved when the balancer connects, not while it reads the configuration',
    },
  ],
  'cases/startup-bind-nonlocal.cfg': [
    {
      ours: 'is not an address of this host, so listening on it would fail',
      why: "-c says what start-up would fail on (HAProxy's -c does not look; its start-up fails)",
    },
  ],
  'cases/startup-portless.cfg': [
    {
      ours: "server 'a' has no port or a port offset (+N/-N), which is not supported yet",
      why: "servers that follow the client's destination port are not built: fail closed",
    },
    { ours: 'Fatal errors found in configuration.', exit: 1, why: 'the same' },
  ],
  'cases/startup-any-address.cfg': [
    {
      ours: "server 'a' has the address '*' (the client's destination), which is not supported yet",
      why: "servers that connect to the client's destination address are not built: fail closed",
    },
    { ours: 'Fatal errors found in configuration.', exit: 1, why: 'the same' },
  ],
  'cases/zero-default-server.cfg': [
    {
      theirs: "unexpected character '-' in 'agent-inter' argument of server a..",
      why: "HAProxy 2.6 names 'agent-inter' for a bad character in any check interval; we name the keyword written",
    },
    { ours: "unexpected character '-' in 'inter'", why: 'the same' },
  ],
};

/** stderr split into messages: a line starting with `[` and the lines that continue it. */
function messages(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('[') || out.length === 0) out.push(line);
    else out[out.length - 1] += `\n${line}`;
  }
  return out.filter((m) => !m.startsWith('[NOTICE]'));
}

/** Ours says HAProxy's message when it is the same text, or that text followed by more of ours. */
function says(ours: string, theirs: string): boolean {
  if (!ours.startsWith(theirs)) return false;
  return ours.length === theirs.length || /[\s;(.]/.test(ours[theirs.length]);
}

async function ours(c: CheckCase): Promise<Recorded> {
  let stdout = '';
  let stderr = '';
  const files = c.args.filter((_, i) => c.args[i - 1] === '-f');
  const exit = await runCheck(files, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: DIRS[c.dir],
    zeroWarning: c.args.includes('-dW'),
    inEffect: false,
    executable: 'BALANCER',
  });
  return { exit, stdout: normalize(stdout), stderr: normalize(stderr) };
}

/** The differences that remain after the deliberate ones (empty when the case passes). */
function compare(id: string, theirs: Recorded, mine: Recorded): string[] {
  const problems: string[] = [];
  const deviations = DELIBERATE[id] ?? [];
  const used = new Set<Deviation>();
  const claim = (text: string, side: 'ours' | 'theirs') => {
    const d = deviations.find((x) => x[side] !== undefined && text.includes(x[side] ?? ''));
    if (d) used.add(d);
    return d !== undefined;
  };
  const a = messages(theirs.stderr);
  const b = messages(mine.stderr);
  let j = 0;
  for (const h of a) {
    const k = b.findIndex((m, i) => i >= j && says(m, h));
    if (k < 0) {
      if (!claim(h, 'theirs')) problems.push(`HAProxy says, we do not:\n  ${h}`);
      continue;
    }
    for (; j < k; j++) if (!claim(b[j], 'ours')) problems.push(`we say, HAProxy does not:\n  ${b[j]}`);
    j = k + 1;
  }
  for (; j < b.length; j++) if (!claim(b[j], 'ours')) problems.push(`we say, HAProxy does not:\n  ${b[j]}`);
  const exit = deviations.find((d) => d.exit !== undefined);
  if (exit) used.add(exit);
  const expectedExit = exit?.exit ?? theirs.exit;
  if (mine.exit !== expectedExit) problems.push(`exit ${mine.exit}, expected ${expectedExit}`);
  else if (mine.exit === theirs.exit) {
    // "Warnings were found." follows from the warnings each prints; the rest must be equal
    const verdict = (r: Recorded) => r.stdout.replace('Warnings were found.\n', '');
    if (verdict(mine) !== verdict(theirs)) problems.push(`stdout ${JSON.stringify(mine.stdout)}`);
    const warned = b.some((m) => m.startsWith('[WARNING]'));
    if (mine.exit !== 1 && mine.stdout.includes('Warnings were found.') !== warned)
      problems.push(`stdout ${JSON.stringify(mine.stdout)} with ${warned ? '' : 'no '}warnings`);
  }
  for (const d of deviations) if (!used.has(d)) problems.push(`stale deviation: ${JSON.stringify(d)}`);
  return problems;
}

describe('balancer -c prints what haproxy -c prints', () => {
  const recording = readRecording();
  test('the recording covers every case', () => {
    assert.deepEqual(Object.keys(recording.cases).sort(), CHECK_CASES.map((c) => c.id).sort());
  });
  for (const c of CHECK_CASES) {
    test(c.id, async () => {
      const theirs = recording.cases[c.id];
      assert.ok(theirs, `${c.id} is not recorded: node packages/balancer/test/check-record.ts`);
      const mine = await ours(c);
      const problems = compare(c.id, theirs, mine);
      assert.deepEqual(
        problems,
        [],
        `${c.id}:\n${problems.join('\n')}\n--- ours:\n${mine.stderr}${mine.stdout}`,
      );
    });
  }
});
