#!/usr/bin/env python3
"""What systemd does for balancer.socket + balancer.service, for the integration tests: it binds the
ListenStream= sockets once and keeps them (so connections queue in their backlog while the service is
down), runs the command with them as fds 3, 4, ... and LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES set as
sd_listen_fds(3) describes, and restarts it as Restart=on-failure does (a non-zero exit or a kill by a
signal other than SIGHUP/SIGINT/SIGTERM/SIGPIPE), RestartSec later. SIGTERM stops the service and then
the supervisor. Python, because a Node process holding a listening socket would accept on it.

One JSON line on stdout per event: {"event":"start"|"exit","pid":N,"at":EPOCH_MS[,"status":…]}.

    socket-supervisor.py --listen ADDR:PORT [--listen …] [--restart-sec S] -- COMMAND ARGS…
"""
import json, os, signal, socket, sys, time

CLEAN_SIGNALS = {signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE}


def emit(**kw):
    kw["at"] = time.time() * 1000
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main(argv):
    listen, restart_sec = [], 0.1
    i = 0
    while i < len(argv) and argv[i] != "--":
        if argv[i] == "--listen":
            listen.append(argv[i + 1]); i += 2
        elif argv[i] == "--restart-sec":
            restart_sec = float(argv[i + 1]); i += 2
        else:
            sys.exit(f"socket-supervisor: unknown option {argv[i]}")
    command = argv[i + 1:]
    if not listen or not command:
        sys.exit(__doc__)
    socks = []
    for addr in listen:
        host, port = addr.rsplit(":", 1)
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host.strip("[]"), int(port)))
        s.listen(5000)
        socks.append(s)
    emit(event="listening", addresses=listen)
    child = None
    stopping = False

    def on_term(signum, _frame):
        nonlocal stopping
        stopping = True
        if child:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    while not stopping:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            high = [os.dup(s.fileno()) for s in socks]
            for n, fd in enumerate(high):
                os.dup2(fd, 3 + n, inheritable=True)
            env = dict(os.environ, LISTEN_FDS=str(len(socks)), LISTEN_PID=str(os.getpid()),
                       LISTEN_FDNAMES=":".join(["balancer.socket"] * len(socks)))
            os.execvpe(command[0], command, env)
        child = pid
        emit(event="start", pid=pid)
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                break
            except ChildProcessError:
                status = 0
                break
            except InterruptedError:
                continue
        child = None
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            emit(event="exit", pid=pid, status=f"signal {signal.Signals(sig).name}")
            failed = sig not in CLEAN_SIGNALS
        else:
            code = os.WEXITSTATUS(status)
            emit(event="exit", pid=pid, status=f"code {code}")
            failed = code != 0
        if not failed or stopping:
            break
        time.sleep(restart_sec)
    emit(event="stopped")


if __name__ == "__main__":
    main(sys.argv[1:])
