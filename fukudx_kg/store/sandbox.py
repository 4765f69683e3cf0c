"""No network for query processes that need none: a network namespace of their own.

The SERVICE checks (`service_policy`) decide what a query may call; this is the layer under
them. A query process of the embedded store with an empty federation allow-list enters a new
network namespace before it opens the store: it has only a loopback interface, which is down,
so any connection (to 127.0.0.1, to the LAN, to the internet) fails in the kernel, whatever a
query manages to smuggle past the checks. Python 3.11 has no `os.unshare`, hence libc.

As root `unshare(CLONE_NEWNET)` suffices; otherwise an unprivileged user namespace comes with
it (mapping our own uid, so files stay readable). Where the kernel refuses both, the process
says why, and the server reports it at start-up and in /readyz. Also here: tying a child's
lifetime to its parent's (`die_with_parent`), for query processes and web workers alike.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def _unshare(libc, flags: int) -> str | None:
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(flags) != 0:
        return os.strerror(ctypes.get_errno())
    if flags & CLONE_NEWUSER:
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"{uid} {uid} 1")
            _write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError as exc:
            return f"user namespace made but not mapped: {exc}"
    return None


def die_with_parent(parent_pid: int, sig: int) -> None:
    """Get `sig` when the parent dies, even by SIGKILL (Linux PR_SET_PDEATHSIG), so no child serves
    or computes on as an orphan; if the parent is already gone, get it now."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, sig, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux/glibc
        return
    if parent_pid and os.getppid() != parent_pid:  # the parent died before prctl took effect
        os.kill(os.getpid(), sig)


def network_reachable() -> bool:
    """True when this process can still route a packet to 127.0.0.1 (no socket is opened to anyone)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("127.0.0.1", 9))  # UDP connect sends nothing; it only asks for a route
        except OSError as exc:
            return exc.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)
    return True


def enter_network_sandbox() -> str | None:
    """Leave the host's network for an empty namespace; None on success, else why it failed.

    Must run while the process has a single thread (a user namespace requires it).
    """
    if not sys.platform.startswith("linux"):
        return f"network namespaces need Linux (this is {sys.platform})"
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:
        return f"libc not loadable: {exc}"
    reasons = []
    for flags, name in ((CLONE_NEWNET, "unshare(CLONE_NEWNET)"),
                        (CLONE_NEWUSER | CLONE_NEWNET, "unshare(CLONE_NEWUSER|CLONE_NEWNET)")):
        reason = _unshare(libc, flags)
        if reason is None:
            if network_reachable():
                return f"{name} succeeded but 127.0.0.1 is still reachable"
            return None
        reasons.append(f"{name}: {reason}")
    return "; ".join(reasons)
