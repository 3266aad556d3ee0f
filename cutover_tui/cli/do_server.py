"""`cutover do`'s command server: one process of this user that has imported the full path
once and forks a child per command (as Mercurial's chg, Emacs's server and Android's zygote
do), so a command costs the client's start plus its own work, not 0.45 s of imports.

    python -I ... -m cutover_tui.cli.do_server FINGERPRINT CODE_DIGEST

Started by the client (cli/do_server_client.py) after a command it ran itself. It

- takes the lock `FINGERPRINT.lock` in the private folder (cli/do_server_place.py) or
  leaves (one server per fingerprint); under that lock, and only then, a stale socket is
  removed and the new one bound; it holds the lock until it has unbound; other
  fingerprints' locks nobody holds are removed with their sockets, each under its lock;
- imports what the full path imports and builds its validators once (cli/do_server_warm.py),
  and never opens a run file, a SQLite connection or
  the plan cache: a child must not share a connection or a POSIX lock with its parent
  (journal/sqlite_io.py);
- accepts only peers of its own uid (SO_PEERCRED), reads a request (cli/do_server_wire.py),
  forks, tells the client the child's pid, and when the child ends its wait status and
  CPU (os.wait4); the child (cli/do_server_child.py) waits for the client's go;
- exits after CUTOVER_DO_SERVER_IDLE seconds with no command (default 3600), on SIGTERM,
  or when the code on disk no longer has its digest; commands under way finish first.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import selectors
import signal
import socket
import stat
import sys
import time

from . import do_server_place as place
from .do_server_hold import Holds, send_hold
from .do_server_peer import Declined, check_peer, root, servable_request
from .do_server_warm import warm
from .do_server_wire import READY, WireError, recv_request, send_line

CODE_CHECK = 10.0  # seconds between looks at the code on disk
# A client sends its request as soon as it reads READY; one that does not is dropped, and
# soon: the loop accepts one peer at a time, and the next client gives up after the
# client's ACCEPT_TIMEOUT (3 s), marking the server stuck (hostile review, 2026-12-02).
REQUEST_TIMEOUT = 1.0
# Another wait (the test suite's, on a busy machine, where a client off the CPU for a second
# between READY and its request was dropped and ran its command itself: the same result, but
# not served). Read by the server at its start; its clients wait ACCEPT_S for it.
REQUEST_ENV = "CUTOVER_DO_SERVER_REQUEST_S"
# How long a server started for a login waits for another's lock: until it listens (the
# login's hold goes to it) or has left (a new login while the last one's server leaves).
HAND_OVER_S = 30.0


def request_timeout() -> float:
    """REQUEST_TIMEOUT, or the seconds CUTOVER_DO_SERVER_REQUEST_S says, from 0.1 to 120."""
    try:
        chosen = float(os.environ.get(REQUEST_ENV, REQUEST_TIMEOUT))
    except ValueError:
        return REQUEST_TIMEOUT
    return chosen if 0.1 <= chosen <= 120 else REQUEST_TIMEOUT


class Server:
    def __init__(
        self, folder: int, name: str, listener: socket.socket, wake: int, asked: dict
    ) -> None:
        self.folder, self.name, self.listener = folder, name, listener
        self.selector = selectors.DefaultSelector()
        self.selector.register(listener, selectors.EVENT_READ, "accept")
        self.selector.register(wake, selectors.EVENT_READ, "wake")
        self.children: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, client)
        # A served command's client that hangs up (killed, say) takes its command with it:
        # its socket is watched for the peer's close only (EPOLLRDHUP: never read, the go
        # is the child's to read), and the child is killed through its pidfd.
        self.hangups = select.epoll()
        self.selector.register(self.hangups.fileno(), selectors.EVENT_READ, "hangup")
        self.watched: dict[int, int] = {}  # client socket fd -> its child's pidfd
        self.bound = place.identity(folder, place.socket_name(name))
        self.listening = True
        self.asked = asked  # {"stop": bool}, set by a signal (wake_on_signals)
        self.request_wait = request_timeout()
        # Logins it stays for (cli/do_server_hold.py): while one lives, idle time is no end.
        self.holds = Holds(
            lambda fd: self.selector.register(fd, selectors.EVENT_READ, "held"),
            self.selector.unregister,
        )

    def loop(self, code: str, idle: float) -> None:
        last_used = checked = time.monotonic()
        if self.holds:  # started for a login: its start is no use (unused, it leaves at logout)
            last_used -= idle
        while True:
            now = time.monotonic()
            idle_left = idle - (now - last_used)
            idle_over = idle_left < 0 and not self.children and not self.holds
            if self.listening and (self.asked["stop"] or idle_over):
                self.unbind()
            if self.listening and now - checked > CODE_CHECK:
                checked = now
                if place.code_digest() != code:
                    self.unbind()  # new code: the next command starts a server of it
            if not self.listening and not self.children:
                return
            if not self.listening:
                timeout = None  # a child's end wakes it
            elif self.children or idle_left <= 0:  # idle, but held: a login's end wakes it
                timeout = CODE_CHECK
            else:
                timeout = min(CODE_CHECK, idle_left)
            for key, _ in self.selector.select(timeout):
                # No use: a login's end, nor its hold (a server only held leaves at
                # logout); a look (the war room's keeper, cli/do_server_keeper.py) is.
                if key.data not in ("held", "accept"):
                    last_used = time.monotonic()
                if key.data == "accept":
                    if self.accept():
                        last_used = time.monotonic()
                elif key.data == "hangup":
                    self.hung_up()
                elif key.data == "held":  # its login ended: idle time rules again
                    self.holds.ended(key.fd)
                elif key.data == "wake":
                    with contextlib.suppress(OSError):
                        os.read(key.fd, 64)
                else:
                    self.reap(key.fd)

    def accept(self) -> bool:
        """One connection; False if it was a login's hold (no use of the server)."""
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return True
        try:
            check_peer(conn)  # cli/do_server_peer.py: all of its credentials are ours
            conn.settimeout(self.request_wait)
            conn.sendall(READY)  # now the client may send its descriptors
            request, fds = recv_request(conn)
        except (OSError, WireError, Declined, ValueError):
            conn.close()
            return True
        if not servable_request(request):
            for fd in fds:
                place.close_quietly(fd)
            conn.close()
            return True
        if request.get("kind") == "hold":
            self.hold(conn, fds)
            return False
        self.fork(conn, request, fds)
        return True

    def hold(self, conn: socket.socket, fds: list[int]) -> None:
        """A login to stay for: its pidfd is the request's first descriptor."""
        for fd in fds[1:] if self.listening else fds:  # a server leaving holds nothing
            place.close_quietly(fd)
        held = self.listening and self.holds.add(fds[0])
        with contextlib.suppress(OSError):
            send_line(conn, {"held": held})
        conn.close()

    def hung_up(self) -> None:
        """Clients gone before their command ended: their children killed (a command is
        never recorded after its client died of a signal it could not forward)."""
        for fd, _events in self.hangups.poll(0):
            self.hangups.unregister(fd)
            pidfd = self.watched.pop(fd, None)
            if pidfd is not None:
                with contextlib.suppress(OSError):
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)

    def fork(self, conn: socket.socket, request: dict, fds: list[int]) -> None:
        try:
            pid = os.fork()
        except OSError:
            pid = -1
        if pid == 0:
            try:
                from .do_server_child import become

                self.forget(conn)
                become(conn, request, fds)
            finally:
                os._exit(70)
        for fd in fds:
            place.close_quietly(fd)
        if pid < 0:
            conn.close()  # not accepted: the client runs the command itself
            return
        try:
            pidfd = os.pidfd_open(pid)
            # conn's timeout was set before the fork: setting it again here would set
            # O_NONBLOCK on the description the child shares while it waits for the go.
            send_line(conn, {"pid": pid})
        except OSError:
            conn.close()  # no go will come: the child sees the socket close and leaves
            os.waitpid(pid, 0)
            return
        self.children[pidfd] = (pid, conn)
        self.selector.register(pidfd, selectors.EVENT_READ, "child")
        if request.get("kind") is None:  # a facts refresh outlives its starter by design
            self.watched[conn.fileno()] = pidfd
            self.hangups.register(conn.fileno(), select.EPOLLRDHUP)

    def forget(self, conn: socket.socket) -> None:
        """In a child: let go of the server's descriptors but its own client's socket."""
        for fd in (self.listener.detach(), self.folder):
            place.close_quietly(fd)
        for _pid, other in self.children.values():
            place.close_quietly(other.detach())
        for pidfd in self.children:
            place.close_quietly(pidfd)
        self.selector.close()
        self.hangups.close()

    def reap(self, pidfd: int) -> None:
        pid, conn = self.children.pop(pidfd)
        self.selector.unregister(pidfd)
        if self.watched.pop(conn.fileno(), None) is not None:
            self.hangups.unregister(conn.fileno())
        os.close(pidfd)
        _, status, usage = os.wait4(pid, 0)
        with contextlib.suppress(OSError):
            send_line(conn, {"status": status, "cpu": usage.ru_utime + usage.ru_stime})
        conn.close()

    def unbind(self) -> None:
        """No new commands: the socket's name removed (under the lock this server holds)
        if it still is this server's socket (after `rm do-server/*` a newer server may have
        bound the name), then the listener closed; a client still queued sees it closed
        and runs its own."""
        self.listening = False
        name = place.socket_name(self.name)
        if place.identity(self.folder, name) == self.bound:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=self.folder)
        self.selector.unregister(self.listener)
        self.listener.close()


def take_lock(folder: int, name: str) -> int | None:
    """The lock file `name` in `folder` (a regular file of this user, no link), locked;
    None when another server holds it, or when the file locked is no longer the one at the
    name (a prune removed it between the open and the flock: the lock is worth nothing)."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(name, flags, 0o600, dir_fd=folder)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
        os.close(fd)
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    if place.identity(folder, name) != (info.st_dev, info.st_ino):
        os.close(fd)
        return None
    return fd


def lock_or_hand_over(folder: int, name: str, hold: int | None) -> int | None:
    """The fingerprint's lock (`take_lock`); None when another server of it has it. A start
    for a login (`hold`, a pidfd) does not drop the login's hold there: it hands it to that
    server once it listens, or takes the lock once it is free (a server leaving holds it
    until its last command ends), for up to HAND_OVER_S."""
    deadline = time.monotonic() + (HAND_OVER_S if hold is not None else 0.0)
    while True:
        for _attempt in range(3):  # a lock file pruned under us is taken again by its name
            lock = take_lock(folder, place.lock_name(name))
            if lock is not None:
                return lock
        if hold is None or time.monotonic() > deadline or send_hold(name, hold, 1.0):
            return None
        time.sleep(0.1)  # in the background, for a login: never a test's wait


def prune(folder: int, keep: str) -> None:
    """Other fingerprints' leftovers (older code, another locale): a lock nobody holds and
    its socket are removed, each under that lock, as a server of theirs would do. One who
    opened that lock file meanwhile finds, once it has the flock, that the file is no longer
    at the name (take_lock) and does not count it as held."""
    for entry in os.listdir(folder):
        name, dot, kind = entry.rpartition(".")
        if kind != "lock" or not dot or name == keep:
            continue
        lock = take_lock(folder, entry)
        if lock is None:
            continue  # its server lives
        try:
            markers = [f"{name}.{kind}" for kind, _ in (place.STUCK, place.STARTING)]
            for leftover in (place.socket_name(name), *markers, entry):
                with contextlib.suppress(OSError):
                    os.unlink(leftover, dir_fd=folder)
        finally:
            os.close(lock)


def bind(folder: int, name: str) -> socket.socket:
    """The listening socket at `name` in `folder`, a stale one removed first (the caller
    holds the lock, so no live server owns it)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=folder)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    os.umask(0o077)
    listener.bind(place.in_folder(folder, name))
    listener.listen(64)
    return listener


def wake_on_signals(asked: dict) -> int:
    """SIGTERM, SIGINT and SIGHUP ask the loop to stop listening (the wake-up descriptor
    interrupts its wait); asked before the loop runs, it stops at once."""
    read, write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.set_wakeup_fd(write, warn_on_full_buffer=False)

    def stop(_signum: int, _frame) -> None:
        asked["stop"] = True

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    return read


def main(argv: list[str]) -> int:
    name, code, *held = argv  # held: the descriptor of a login's pidfd (do_server_hold)
    if root():
        return 0  # root is never served (cli/do_server_peer.py)
    if place.code_digest() != code:
        return 0  # the code changed since the client looked: a server of it would lie
    folder = place.open_folder(create=True)
    if folder is None:
        return 0
    hold = int(held[0]) if held and held[0].isdigit() else None
    lock = lock_or_hand_over(folder, name, hold)
    if lock is None:
        return 0  # another server of this fingerprint runs (or is starting)
    prune(folder, name)
    asked = {"stop": False}
    wake = wake_on_signals(asked)
    warm()  # cli/do_server_warm.py: what no served command should pay for again
    server = Server(folder, name, bind(folder, place.socket_name(name)), wake, asked)
    if hold is not None:
        server.holds.add(hold)
    with contextlib.suppress(OSError):  # listening: the next start need not wait for this one
        os.unlink(f"{name}.{place.STARTING[0]}", dir_fd=folder)
    server.loop(code, place.idle_seconds())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
