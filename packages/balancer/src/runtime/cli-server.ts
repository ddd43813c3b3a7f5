/**
 * The runtime API's sockets (`stats socket PATH|ipv4@ADDR:PORT [mode M] [level L]`): HAProxy's text
 * protocol. A connection sends a line; its commands (separated by `;`) run in order and each answer
 * is followed by an empty line; then the connection closes — unless the client said `prompt`, which
 * keeps it open with a `> ` prompt until `quit`. `stats timeout` closes an idle connection.
 */
import { chmodSync, chownSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { giveSockets } from '@ha-lb/sd-notify';
import { idOf } from '../cli/user-ids.ts';
import { LB_ERR, LbError } from '../errors.ts';
import { fdOf } from '../listen/socket-fd.ts';
import type { MessageSink } from '../log/messages.ts';
import type { StatsSocketSpec } from '../stats/stats-config.ts';
import type { StatsRuntime } from '../stats/stats-runtime.ts';
import { type CliLevel, runCommand } from './commands.ts';

export interface CliServer {
  readonly address: string;
  close(): void;
}

/** Splits a line into commands at unescaped `;` (HAProxy's cli_parse_request). */
export function splitCommands(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      continue;
    }
    if (c === ';') {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * `_getsocks` (HAProxy's listening-socket transfer, the old process's side): on a socket with `expose-fd
 * listeners`, the listening sockets go to the asking process over this connection (SCM_RIGHTS,
 * HAProxy's format, native/xfer_native.c), then it ends, as HAProxy's; elsewhere it ends with nothing.
 */
function giveListeners(sock: net.Socket, expose: boolean, rt: StatsRuntime): void {
  const fd = fdOf(sock);
  if (expose && fd >= 0) giveSockets(fd, rt.listeningFds?.() ?? []);
  sock.end();
}

function serve(
  sock: net.Socket,
  level: CliLevel,
  rt: StatsRuntime,
  timeoutMs: number,
  exposeFd = false,
): void {
  let buf = '';
  let prompt = false;
  let lvl = level;
  sock.setTimeout(timeoutMs);
  sock.on('timeout', () => sock.destroy());
  sock.on('error', () => {});
  let queue = Promise.resolve();
  sock.on('data', (d) => {
    buf += d.toString('latin1');
    queue = queue.then(drain);
  });
  // (half-open: `echo cmd | socat - SOCKET` sends its FIN with the line; the answer may come a tick later)
  sock.on('end', () => {
    queue = queue.then(() => {
      if (!sock.writableEnded) sock.end();
    });
  });
  const drain = async () => {
    for (;;) {
      const nl = buf.indexOf('\n');
      if (nl < 0) break;
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      // nbthread: the master's counters are the workers' (workers/master.ts)
      if (rt.refresh) await rt.refresh();
      let out = '';
      let quit = false;
      for (const cmd of splitCommands(line)) {
        if (cmd === 'prompt') {
          prompt = !prompt;
          continue;
        }
        if (cmd === 'quit') {
          quit = true;
          break;
        }
        if (cmd === '_getsocks') {
          giveListeners(sock, exposeFd, rt);
          return;
        }
        if (cmd === 'operator' || cmd === 'user') {
          const want: CliLevel = cmd;
          if (rank(want) <= rank(lvl)) lvl = want;
          continue;
        }
        out += runCommand(cmd, lvl, rt);
        rt.ran?.(cmd, lvl);
      }
      if (quit || !prompt) {
        sock.end(out);
        return;
      }
      sock.write(`${out}> `);
    }
  };
}

const rank = (l: CliLevel): number => (l === 'user' ? 0 : l === 'operator' ? 1 : 2);

function removeStale(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent
  }
}

export async function startCliServers(
  specs: readonly StatsSocketSpec[],
  timeoutMs: number,
  rt: StatsRuntime,
  messages: MessageSink,
): Promise<CliServer[]> {
  const out: CliServer[] = [];
  try {
    for (const spec of specs)
      out.push(
        await listenCli(
          spec,
          'GLOBAL',
          (sock) => serve(sock, spec.level, rt, timeoutMs, spec.exposeFd === true),
          messages,
        ),
      );
  } catch (err) {
    for (const s of out) s.close();
    throw err;
  }
  return out;
}

/**
 * Listens on one CLI socket (`stats socket`, or the master CLI's `-S`) with its mode and owner; a
 * socket that cannot be bound stops start-up with HAProxy's wording, naming `frontend` (GLOBAL, MASTER).
 */
export async function listenCli(
  spec: StatsSocketSpec,
  frontend: string,
  onConnection: (sock: net.Socket) => void,
  messages: MessageSink,
): Promise<CliServer> {
  const server = net.createServer({ allowHalfOpen: true }, onConnection);
  const a = spec.address;
  const text = a.kind === 'unix' ? a.path : `${a.host}:${a.port}`;
  if (a.kind === 'unix') removeStale(a.path);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (a.kind === 'unix') server.listen(a.path, () => resolve());
      else server.listen(a.port, a.host, () => resolve());
    });
  } catch (err) {
    // HAProxy refuses to start; so do we (the operator expects the socket to be there)
    throw new LbError(
      LB_ERR.BIND,
      `Starting frontend ${frontend}: cannot bind ${a.kind === 'unix' ? 'UNIX socket' : 'socket'} (${(err as Error).message}) [${text}] (${spec.file}:${spec.line})`,
      { cause: err },
    );
  }
  if (a.kind === 'unix' && spec.mode !== null) chmodSync(a.path, spec.mode);
  if (a.kind === 'unix' && (spec.uid !== null || spec.gid !== null)) {
    const uid = spec.uid === null ? -1 : idOf(spec.uid, '/etc/passwd');
    const gid = spec.gid === null ? -1 : idOf(spec.gid, '/etc/group');
    if (uid === null || gid === null) {
      server.close();
      throw new LbError(
        LB_ERR.CONFIG,
        `stats socket '${text}': unknown ${uid === null ? `user '${spec.uid}'` : `group '${spec.gid}'`} (${spec.file}:${spec.line})`,
      );
    }
    chownSync(a.path, uid, gid);
  }
  server.on('error', (err) =>
    messages.alert(`${frontend === 'MASTER' ? 'master CLI' : 'stats socket'} [${text}]: ${err.message}`),
  );
  return {
    address: text,
    close() {
      server.close();
      if (a.kind === 'unix') removeStale(a.path);
    },
  };
}
