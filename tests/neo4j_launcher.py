"""Throw-away Neo4j 5 Community server for the test suite (pure stdlib).

The server is the small Java launcher in ``tests/neo4j_server`` (embedded Neo4j from Maven
Central, Bolt on 127.0.0.1, auth and TLS off). This module builds it with Maven and runs it.

Library use (pytest conftest)::

    from neo4j_launcher import start
    server = start()            # builds if needed, waits for the READY line
    server.url                  # "bolt://127.0.0.1:<port>"
    server.stop()               # SIGTERM to the process group, SIGKILL after 30 s

Connect with ``neo4j.GraphDatabase.driver(server.url, auth=None)``: auth is disabled on the
server, so no credentials are needed (any basic auth is accepted too).

CLI (used by ``.ci/run``)::

    python tests/neo4j_launcher.py build                      # prints the java command line
    python tests/neo4j_launcher.py start --pidfile F --urlfile F   # detached; prints the url
    python tests/neo4j_launcher.py stop --pidfile F
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVER_DIR = HERE / "neo4j_server"
POM = SERVER_DIR / "pom.xml"
SRC_DIR = SERVER_DIR / "src" / "main" / "java"
TARGET = SERVER_DIR / "target"
CLASSES = TARGET / "classes"
MAIN_CLASS = "dev.tanlian.testserver.Neo4jTestServer"
MAIN_CLASS_FILE = CLASSES / "dev" / "tanlian" / "testserver" / "Neo4jTestServer.class"
CLASSPATH_FILE = TARGET / "classpath.txt"

READY_RE = re.compile(r"NEO4J_READY (bolt://[^\s]+)")

# JVM flags. The --add-opens / netty flags are what Neo4j's own neo4j.conf passes; without
# java.nio the page cache logs "Reflection access to java.nio.DirectByteBuffer is not
# available, using fallback mode", and without sun.nio.ch/java.io the transaction-log native
# accessor logs "Incorrect file descriptor" warnings.
JVM_FLAGS = [
    "-Xms256m",
    f"-Xmx{os.environ.get('TANLIAN_TEST_NEO4J_HEAP', '1g')}",
    "-XX:+ExitOnOutOfMemoryError",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dlog4j2.disable.jmx=true",
]


class Neo4jLauncherError(RuntimeError):
    pass


# --------------------------------------------------------------------------------------- build


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if not java:
        raise Neo4jLauncherError(
            "java not found: install a JDK 17 (Debian: apt-get install -y openjdk-17-jdk-headless)"
        )
    return java


def _mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jLauncherError("mvn not found: install Maven (Debian: apt-get install -y maven)")
    return mvn


def _is_built() -> bool:
    """True when target/ is newer than the pom and every source, and all jars are present."""
    try:
        built = min(MAIN_CLASS_FILE.stat().st_mtime, CLASSPATH_FILE.stat().st_mtime)
    except FileNotFoundError:
        return False
    inputs = [POM, *SRC_DIR.rglob("*.java")]
    if any(p.stat().st_mtime > built for p in inputs):
        return False
    entries = [e for e in CLASSPATH_FILE.read_text().strip().split(os.pathsep) if e]
    return bool(entries) and all(os.path.exists(e) for e in entries)


def build(force: bool = False, quiet: bool = True) -> list[str]:
    """Build the launcher with Maven (skipped when up to date); return the java command line."""
    if force or not _is_built():
        cmd = [
            _mvn(),
            "-B",
            *(["-q"] if quiet else []),
            "-f",
            str(POM),
            "-DskipTests",
            "package",
            "dependency:build-classpath",
            f"-Dmdep.outputFile={CLASSPATH_FILE}",
        ]
        proc = subprocess.run(
            cmd,
            cwd=str(SERVER_DIR),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=1800,
        )
        if proc.returncode == 0:
            # Maven leaves outputs untouched when it finds nothing to do (the classpath file is
            # not rewritten when unchanged), so mark them fresh for the next up-to-date check.
            for out in (MAIN_CLASS_FILE, CLASSPATH_FILE):
                if out.exists():
                    os.utime(out)
        if proc.returncode != 0 or not _is_built():
            raise Neo4jLauncherError(
                f"Maven build of the Neo4j test server failed (exit {proc.returncode}):\n"
                f"$ {shlex.join(cmd)}\n{proc.stdout[-20000:]}"
            )
    classpath = os.pathsep.join([str(CLASSES), CLASSPATH_FILE.read_text().strip()])
    return [_java(), *JVM_FLAGS, "-cp", classpath, MAIN_CLASS]


# --------------------------------------------------------------------------------------- run


class Neo4jServer:
    """A running launcher process. ``url`` is the Bolt URL; ``stop()`` ends it."""

    def __init__(self, url: str, process: subprocess.Popen, log_path: Path):
        self.url = url
        self.process = process
        self.log_path = log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM to the process group, wait up to ``timeout`` s, then SIGKILL."""
        if self.process.stdin:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        if self.process.poll() is not None:
            return
        _signal_group(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Neo4jServer(url={self.url!r}, pid={self.process.pid}, log={str(self.log_path)!r})"


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # the launcher leads its own process group (start_new_session)
    except ProcessLookupError:
        pass
    except PermissionError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _new_log_path() -> Path:
    TARGET.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"neo4j-server-{stamp}-", suffix=".log", dir=TARGET)
    os.close(fd)
    return Path(name)


def _tail(path: Path, max_chars: int = 20000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"(could not read {path}: {e})"
    return text[-max_chars:]


def start(
    timeout: float = 180,
    *,
    data_dir: str | os.PathLike | None = None,
    port: int = 0,
    log_path: str | os.PathLike | None = None,
    exit_with_parent: bool = True,
) -> Neo4jServer:
    """Build if needed, start the server, and wait for its READY line.

    ``data_dir``: kept on exit; default a fresh temp dir the launcher deletes on exit.
    ``port``: 0 lets the OS pick a free port. Output (stdout and stderr, including Neo4j's user
    log and, on a failed start, the tail of debug.log) goes to ``log_path`` (default a new file
    under tests/neo4j_server/target/). With ``exit_with_parent`` the server gets a stdin pipe and
    exits when it closes, i.e. also when this process dies without calling ``stop()``.
    """
    cmd = build()
    if data_dir is not None:
        cmd += ["--dir", str(data_dir)]
    cmd += ["--port", str(port)]
    if exit_with_parent:
        cmd.append("--exit-on-stdin-eof")
    log = Path(log_path) if log_path else _new_log_path()
    log.parent.mkdir(parents=True, exist_ok=True)

    with open(log, "ab", buffering=0) as out:
        process = subprocess.Popen(
            cmd,
            cwd=str(SERVER_DIR),
            stdin=subprocess.PIPE if exit_with_parent else subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            start_new_session=True,  # own session => own process group; no terminal signals
            close_fds=True,
        )
    server = Neo4jServer("", process, log)

    deadline = time.monotonic() + timeout
    pos = 0
    buf = ""
    try:
        with open(log, errors="replace") as f:
            while True:
                f.seek(pos)
                chunk = f.read()
                pos = f.tell()
                buf = (buf + chunk)[-4096:] if chunk else buf
                m = READY_RE.search(buf)
                if m:
                    server.url = m.group(1)
                    return server
                if process.poll() is not None:
                    raise Neo4jLauncherError(
                        f"Neo4j test server exited with {process.returncode} before it was ready.\n"
                        f"$ {shlex.join(cmd)}\nlog {log}:\n{_tail(log)}"
                    )
                if time.monotonic() > deadline:
                    raise Neo4jLauncherError(
                        f"Neo4j test server was not ready after {timeout:.0f} s.\n"
                        f"$ {shlex.join(cmd)}\nlog {log}:\n{_tail(log)}"
                    )
                time.sleep(0.1)
    except BaseException:
        server.stop(timeout=10)
        raise


# --------------------------------------------------------------------------------------- CLI


def _proc_state(pid: int) -> str | None:
    """The /proc state letter of ``pid`` ('Z' for a zombie), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except OSError:
        return "?"
    return stat.rsplit(")", 1)[1].split()[0]


def _alive(pid: int) -> bool:
    state = _proc_state(pid)
    if state is None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not Path("/proc").is_dir()
    return state not in ("Z", "X")


def _is_our_server(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return not Path("/proc").is_dir()  # cannot check without /proc: trust the pidfile
    return MAIN_CLASS.encode() in cmdline


def stop_pid(pid: int, timeout: float = 30.0) -> bool:
    """Stop a detached launcher by pid (its process group). Returns False if it was not running."""
    if not _alive(pid) or not _is_our_server(pid):
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        _signal_group(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    return True


def _cmd_build(args: argparse.Namespace) -> int:
    print(shlex.join(build(force=args.force, quiet=not args.verbose)))
    return 0


def _cmd_start(args: argparse.Namespace) -> int:
    try:
        server = start(
            timeout=args.timeout,
            data_dir=args.dir,
            port=args.port,
            log_path=args.log,
            exit_with_parent=False,  # detached: keeps running after this script exits
        )
    except Neo4jLauncherError as e:
        print(str(e), file=sys.stderr)
        return 1
    if args.pidfile:
        Path(args.pidfile).write_text(f"{server.pid}\n")
    if args.urlfile:
        Path(args.urlfile).write_text(f"{server.url}\n")
    print(server.url, flush=True)
    # Don't let Popen's finaliser complain about a still-running child: it is meant to outlive us.
    server.process.returncode = 0
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    pidfile = Path(args.pidfile)
    try:
        pid = int(pidfile.read_text().strip())
    except FileNotFoundError:
        print(f"no pidfile {pidfile}: nothing to stop", file=sys.stderr)
        return 0
    except ValueError:
        print(f"bad pidfile {pidfile}", file=sys.stderr)
        return 1
    if stop_pid(pid, timeout=args.timeout):
        print(f"stopped Neo4j test server (pid {pid})")
    else:
        print(f"Neo4j test server (pid {pid}) was not running", file=sys.stderr)
    pidfile.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Throw-away Neo4j 5 test server")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="build the launcher (if needed) and print the java command")
    b.add_argument("--force", action="store_true")
    b.add_argument("--verbose", action="store_true", help="don't pass -q to Maven")
    b.set_defaults(func=_cmd_build)

    s = sub.add_parser("start", help="start a detached server and print its bolt url")
    s.add_argument("--pidfile")
    s.add_argument("--urlfile")
    s.add_argument("--log", help="log file (default: a new file under tests/neo4j_server/target/)")
    s.add_argument("--dir", help="data dir, kept on exit (default: temp dir, deleted on exit)")
    s.add_argument("--port", type=int, default=0, help="Bolt port (default 0: a free one)")
    s.add_argument("--timeout", type=float, default=180)
    s.set_defaults(func=_cmd_start)

    t = sub.add_parser("stop", help="stop the server named by a pidfile")
    t.add_argument("--pidfile", required=True)
    t.add_argument("--timeout", type=float, default=30)
    t.set_defaults(func=_cmd_stop)

    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
