"""The kernels that execute the pages: private channels, and a head start on the imports.

conf/execution_cache.py calls `install()`. Two things made a cold build slow or fragile,
and this module removes both, on jupyter_client's supported plugin point for launching
kernels, a kernel provisioner: `PageKernelProvisioner`, registered under the
`jupyter_client.kernel_provisioners` entry point in pyproject.toml (which `make env`
installs) and named by the pages' kernel spec, conf/jupyter/kernels/python3/kernel.json,
that `install()` puts first on JUPYTER_PATH. nbclient, myst-nb and jupyter_client's
kernel manager are used as they come.

Channels. A kernel talks to the build over ZeroMQ. Over TCP, jupyter_client picks "free" ports by binding port 0 and
releasing it, and the kernel binds them a moment later; two kernels starting at once (two -j workers, or two builds
on one machine) could be handed the same port, and one died with "ZMQError: Address already in use". Here every
kernel's channels are Unix sockets (ZeroMQ's "ipc" transport) in a folder made for that kernel alone, open to this user
only: no two kernels can share an address, so kernels start in parallel, with no lock. (They are also encrypted with
CurveZMQ, which ipykernel's kernel spec supports.) One TCP socket remains, and it cannot race: ipykernel's pipe for the
output of processes a page starts listens on 127.0.0.1, on a port it binds itself (ZeroMQ's bind_to_random_port), and
takes only messages that carry its random 16-byte token. The kernels' folders, and their connection files (which hold
their keys), are in the build's folder in a folder of this user's, open to it only (`Runtime`); the next build removes
what a killed build left there.

Imports. Most of a kernel's start-up went to importing ipykernel, IPython, numpy and matplotlib, again for every page.
On Linux, one process per build, the kernel server, does those imports once, then forks a kernel for each page: each
page still runs in a process of its own in which nothing has run but imports, with the build's environment and in the
page's folder, as in a kernel started from scratch, only sooner. conf/execution_cache.py starts the server when the
build will execute pages (a build served from the execution cache does without), the server exits with the build,
and a launch it cannot reproduce (another kernel, another environment) starts the usual way.

One thing has no supported hook: `PageKernelClient.wait_for_ready` replaces
jupyter_client's. `check_dependencies` (run by `install()` and by
tests/test_page_kernels.py) fails if jupyter_client's changes.
"""

import asyncio
import atexit
import contextlib
import gc
import hashlib
import inspect
import json
import os
import queue
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from importlib.metadata import entry_points
from pathlib import Path

from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.provisioning import LocalProvisioner

# What every kernel imports before it runs a cell, and what the pages import or use first: the server imports these
# once. `backprop` is not among them: a page imports the package as it is on disk when the page runs.
PRELOAD = [
    # ipykernel, and what it imports only once it runs: the debugger (debugpy), magics, the history database, pdb
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.magics",
    "IPython.core.oinspect",
    "IPython.core.pylabtools",
    "IPython.display",
    "IPython.extensions.storemagic",
    "pygments.formatters",
    "sqlite3",
    "tornado.platform.asyncio",
    # the pages' libraries, and what the inline backend needs to draw the first figure; not the inline backend
    # (matplotlib_inline) itself: importing it is what hooks it into the kernel's IPython, which does not exist yet
    "numpy",
    "numpy.random",
    "numpy.testing",
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "myst_nb.ext.glue",
]
# How long the server waits for a request once a client connects, and a client for the
# server's answer (seconds): neither blocks for ever on the other.
REQUEST_TIMEOUT = 5
ANSWER_TIMEOUT = 30
# The kernel command the server stands in for: `python -m ipykernel_launcher -f {connection_file} ...`.
LAUNCHER = [sys.executable, "-m", "ipykernel_launcher"]
# Variables that differ between a kernel and the process that launched it, and that the kernel reads after start-up.
PER_KERNEL_VARIABLES = {"JPY_PARENT_PID", "JPY_SESSION_NAME"}
# The provisioner's entry point (pyproject.toml); the folder put on JUPYTER_PATH, whose
# kernels/python3/kernel.json names it: the `python3` kernel the pages ask for.
PROVISIONER = "backprop-page-kernels"
PROVISIONERS = "jupyter_client.kernel_provisioners"
JUPYTER_PATH = Path(__file__).resolve().parent / "jupyter"


def install(kernel_config: Path, start_server: bool) -> None:
    """Make every `python3` kernel of this build (each page executed) a page kernel.

    `kernel_config` is the kernels' IPython configuration file. With `start_server`, the
    kernel server starts now, so that its imports overlap the rest of Sphinx's start-up.
    """
    check_dependencies()
    PageKernelProvisioner.kernel_config = kernel_config
    use_page_kernelspec(os.environ)  # before the server starts: it is the kernels' env
    RUNTIME.build_folder()  # here, before Sphinx forks its workers, which share it
    if start_server and SERVER.can_fork:
        SERVER.start()


def use_page_kernelspec(environ) -> None:
    """Put JUPYTER_PATH first on `environ`'s JUPYTER_PATH (once)."""
    paths = [p for p in environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    if paths[:1] != [str(JUPYTER_PATH)]:
        environ["JUPYTER_PATH"] = os.pathsep.join([str(JUPYTER_PATH), *paths])


# -- What has no supported hook, checked ------------------------------------------
# `PageKernelClient.wait_for_ready` stands in for this function of jupyter_client
# (AsyncKernelClient.wait_for_ready) as the pinned version writes it: the hash of its
# source (indentation, blank lines and comment lines aside; the same under any Python).
# Another version may wait otherwise, or no longer pause: read it, carry over what
# changed, and update the hash.
REPLACED_WAIT_FOR_READY = "8ca036c8435787fe"


def source_hash(function) -> str:
    lines = (line.strip() for line in inspect.getsource(function).splitlines())
    code = "\n".join(line for line in lines if line and not line.startswith("#"))
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def check_dependencies(wait_for_ready=None, registered=None) -> None:
    """Fail, naming this file, unless the page kernels stand on what they were made for.

    - The provisioner's entry point is installed (pyproject.toml, by `make env`) and is
      `PageKernelProvisioner`: else no page could start its kernel.
    - jupyter_client's `wait_for_ready` is the one `PageKernelClient` replaces: else the
      page kernels would silently wait as an older jupyter_client did.

    `wait_for_ready` and `registered` (entry points) stand in for the installed ones.
    """
    if registered is None:
        registered = entry_points(group=PROVISIONERS, name=PROVISIONER)
    values = sorted({entry.value for entry in registered})
    expected = f"{__name__}:PageKernelProvisioner"
    if values != [expected]:
        raise RuntimeError(
            f"conf/page_kernels.py: the kernel provisioner {PROVISIONER!r} "
            f"({PROVISIONERS} entry point) is {values or 'not installed'}, expected "
            f"{[expected]} (pyproject.toml; run `make env`)"
        )
    if wait_for_ready is None:  # the function that AsyncKernelClient's public name binds
        wait_for_ready = AsyncKernelClient.wait_for_ready
    found = source_hash(wait_for_ready)
    if found != REPLACED_WAIT_FOR_READY:
        raise RuntimeError(
            f"conf/page_kernels.py: jupyter_client's {wait_for_ready.__qualname__} "
            "is not the one PageKernelClient.wait_for_ready replaces (source hash "
            f"{found}, expected {REPLACED_WAIT_FOR_READY}): check it against the new "
            "version"
        )


# -- The build's side -------------------------------------------------------------


class PageKernelProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with a kernel's channels and keys in a
    private folder, forked by the kernel server when it can.

    What it sets on the kernel manager are public, configurable traits, as
    LocalProvisioner's `pre_launch` sets the manager's ports and keys.
    """

    kernel_config = None  # the kernels' IPython configuration (install)
    folder = None  # the kernel's sockets and connection files: <build>/kernel-<random>

    async def pre_launch(self, **kwargs):
        km = self.parent
        if self.folder is None:
            build = RUNTIME.build_folder()
            self.folder = Path(tempfile.mkdtemp(prefix="kernel-", dir=build))
        km.transport = "ipc"
        km.ip = str(self.folder / "kernel")
        km.cache_ports = False  # ports are TCP's
        km.transport_encryption = "auto"
        if not km.connection_file:  # the keys: jupyter_client would write them in /tmp
            km.connection_file = str(self.folder / "connection.json")
        if km.client_factory is AsyncKernelClient:  # nbclient's, not one configured
            km.client_factory = PageKernelClient
        if self.kernel_config is not None:
            config = f"--IPKernelApp.extra_config_file={self.kernel_config}"
            kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), config]
        kwargs = await super().pre_launch(**kwargs)
        kwargs["cmd"] = self._own_connection_file(kwargs["cmd"], km.connection_file)
        return kwargs

    def _own_connection_file(self, cmd: list[str], connection_file: str) -> list[str]:
        """`cmd`, naming a copy of `connection_file` that is the kernel's alone.

        Once it has launched a kernel, jupyter_client reads its connection file back,
        to check it. ipykernel rewrites the file it is given as it starts (the same
        contents; CurveZMQ keys of another type), and a forked kernel starts so soon
        that it can be rewriting it then: a half-written file is not JSON, and one
        build of a stress test died of it. The kernel rewrites its own copy instead.
        """
        kernel_file = self.folder / "kernel.json"
        shutil.copy(connection_file, kernel_file)  # mode 0600, in the private folder
        given = os.path.realpath(connection_file)  # as the kernel command names it
        if given not in cmd:
            raise RuntimeError(
                "page_kernels.PageKernelProvisioner: the kernel command must name the "
                f"connection file {given} (as {JUPYTER_PATH}'s kernel spec does); "
                f"got {cmd}"
            )
        return [str(kernel_file) if arg == given else arg for arg in cmd]

    async def launch_kernel(self, cmd, **kwargs):
        kernel = SERVER.fork_kernel(cmd, kwargs)
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = kernel
        # the kernel leads a session of its own, as a launched one does
        self.pid = self.pgid = kernel.pid
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info

    async def shutdown_requested(self, restart=False):
        # nbclient shuts a page's kernel down once the page is done and every output
        # is in: waiting while the kernel exits by itself gains nothing over stopping
        # it (the files it would remove, `cleanup` removes).
        await self.kill(restart=restart)

    async def kill(self, restart=False):
        await super().kill(restart=restart)
        if isinstance(self.process, ForkedKernel):
            await self.process.exited()  # jupyter_client's next poll finds it gone

    async def wait(self):
        if isinstance(self.process, ForkedKernel):
            await self.process.exited()  # at once, not at the next 0.1 s poll
            self.process = None
            return 0
        return await super().wait()

    async def cleanup(self, restart=False):
        try:
            await super().cleanup(restart=restart)
        finally:
            if not restart and self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None


class PageKernelClient(AsyncKernelClient):
    async def wait_for_ready(self, timeout=None):
        """Return once the kernel answers, as jupyter_client's wait does, without its
        0.2 s pause.

        jupyter_client ends its wait by reading one of the kernel's broadcasts (IOPub),
        for up to 0.2 s, so that the kernel's start-up messages are not taken for the
        first cell's output; when IOPub was not connected yet as the kernel answered,
        that is 0.2 s for nothing, then a new request. Here the wait ends at the message
        that pause waits for: the kernel saying it is idle after our request. If IOPub
        was not connected in time to hear it, ask again, as jupyter_client does. (No
        supported hook exists for this: `check_dependencies`.)
        """
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except queue.Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply" and await self._idle_after(request):
                version = int(reply["content"]["protocol_version"].split(".")[0])
                if version != protocol_version_info[0]:  # as jupyter_client adapts
                    self.session.adapt_version = version
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_after(self, request):
        while True:
            try:
                message = await self.iopub_channel.get_msg(timeout=0.2)
            except queue.Empty:
                return False
            if (
                message["msg_type"] == "status"
                and message["content"]["execution_state"] == "idle"
                and message["parent_header"].get("msg_id") == request
            ):
                return True


class ForkedKernel:
    """What jupyter_client uses of a kernel's `subprocess.Popen`, for a kernel that the server forked.

    The kernel is the server's child, not ours, so there is no exit status to collect: a pidfd (a handle on that very
    process, immune to pid reuse) says whether it has exited, and delivers signals.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int):
        self.pid = pid
        self.pidfd = pidfd
        self.returncode = None

    def poll(self):
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            self.returncode = 0  # unknown, and not needed: jupyter_client only asks whether the kernel is gone
            os.close(self.pidfd)
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None and not select.select([self.pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired("kernel", timeout)
        return self.poll()

    async def exited(self):
        if self.poll() is not None:
            return
        loop = asyncio.get_running_loop()
        gone = loop.create_future()
        loop.add_reader(self.pidfd, lambda: gone.done() or gone.set_result(None))
        try:
            await gone
        finally:
            loop.remove_reader(self.pidfd)
        self.poll()

    def send_signal(self, signum):
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it has just exited: as subprocess.Popen does
                signal.pidfd_send_signal(self.pidfd, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


class KernelServer:
    """The build's kernel server, as the processes of the build (the main one and its -j workers) see it.

    The main process starts it, before Sphinx forks its workers, and stops it when it exits; every process of the
    build then asks it for kernels. Without a server (not started, or exited), kernels start the usual way.
    """

    def __init__(self):
        self.owner = os.getpid()
        self.server = None
        self.can_fork = sys.platform == "linux" and _pidfds_work()

    def start(self):
        """Start the server; it does its imports while Sphinx loads its extensions and its environment."""
        if self.server is not None:
            return
        self.folder = RUNTIME.build_folder()
        self.address = self.folder / "server"
        self.server = subprocess.Popen(
            [sys.executable, __file__, str(self.address), str(self.owner)],
            # os.environ, which jupyter_client gives the kernels, and not the C library's environment, which a
            # library may have changed under it (curses sets LINES and COLUMNS)
            env=dict(os.environ),
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C of the build is for the build; the server follows the build out
        )
        self.pidfd = os.pidfd_open(self.server.pid)  # the workers inherit it: is the server still there?
        atexit.register(self.stop)

    def fork_kernel(self, cmd, kwargs):
        """Have the server fork the kernel that `cmd` would start; None when it cannot stand in for that launch."""
        if self.server is None or cmd[:3] != LAUNCHER:
            return None
        if any(kwargs.get(stream) is not None for stream in ("stdin", "stdout", "stderr")):
            return None
        give_up = time.monotonic() + 60
        while not self.address.exists():  # the server is still importing
            if select.select([self.pidfd], [], [], 0.005)[0] or time.monotonic() > give_up:
                return None  # it exited (its error, if any, is in the build's log), or it hangs
        request = {"argv": cmd[3:], "env": kwargs.get("env", dict(os.environ)), "cwd": str(kwargs.get("cwd", "."))}
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(ANSWER_TIMEOUT)  # a server that hangs: the usual launch
                conn.connect(str(self.address))
                conn.sendall(json.dumps(request).encode() + b"\n")
                reply, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
        except OSError:
            return None  # the server is gone
        answer = json.loads(reply or b"{}")
        if "pid" not in answer:
            return None  # a launch it cannot reproduce: another environment
        return ForkedKernel(answer["pid"], fds[0])

    def stop(self):
        if os.getpid() == self.owner and self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.server.kill()
            self.address.unlink(missing_ok=True)  # the folder is the build's (Runtime)
            self.server = None


class Runtime:
    """The build's private folder: the kernels' sockets and connection files (keys).

    Every build of this user has a folder in one folder of the user's own, open to the
    user only (mode 0700): <temp>/backprop-derived-<uid>/build-<random>. A build holds a
    lock on its folder's `lock` file while it runs, and removes the folder as it exits;
    the lock goes with the process however it ends, so the folder of a build that was
    killed (SIGKILL) is unlocked, and the next build removes it.
    """

    def __init__(self):
        self.folder = None
        self.lock = None

    @staticmethod
    def private_folder() -> Path:
        """<temp>/backprop-derived-<uid>, made if missing; refused unless mine, 0700."""
        folder = Path(tempfile.gettempdir()) / f"backprop-derived-{os.getuid()}"
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        info = folder.lstat()
        mine = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
        if not mine or info.st_mode & 0o077:
            raise RuntimeError(
                f"page_kernels.Runtime.private_folder: {folder} must be a folder of "
                f"user {os.getuid()} with mode 0700 (it holds the kernels' keys), not "
                f"owner {info.st_uid}, mode {stat.filemode(info.st_mode)}"
            )
        return folder

    def build_folder(self) -> Path:
        """This build's folder, made (and the folders of killed builds removed) once."""
        if self.folder is None:
            import fcntl

            private = self.private_folder()
            self.remove_stale(private)
            # Locked before it has the name the cleaners look for: never seen as stale.
            new = Path(tempfile.mkdtemp(prefix="new-", dir=private))
            self.lock = open(new / "lock", "w")  # noqa: SIM115 - held as the build runs
            fcntl.flock(self.lock, fcntl.LOCK_EX)
            self.folder = new.rename(private / f"build-{new.name[len('new-'):]}")
            atexit.register(self.remove, os.getpid())
        return self.folder

    @staticmethod
    def remove_stale(private: Path) -> None:
        import fcntl

        for folder in private.glob("build-*"):
            try:
                with open(folder / "lock") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    shutil.rmtree(folder, ignore_errors=True)  # its build is gone
            except (BlockingIOError, FileNotFoundError, NotADirectoryError):
                continue  # a build that runs, or a folder another build is removing

    def remove(self, owner: int) -> None:
        if os.getpid() == owner:  # not a -j worker, which inherits the exit handler
            shutil.rmtree(self.folder, ignore_errors=True)
            self.lock.close()
            self.folder = self.lock = None


RUNTIME = Runtime()


def _pidfds_work() -> bool:
    try:
        os.close(os.pidfd_open(os.getpid()))  # Linux 5.3 or newer
    except (AttributeError, OSError):
        return False
    return True


SERVER = KernelServer()


# -- The server's side --------------------------------------------------------------------------------------------


def serve(address: Path, build: int):
    """Import what every kernel imports, then fork a kernel per request until the build (process `build`) exits.

    Each request is answered on its own: a malformed one is refused (the server and its kernels carry on), and a
    client that sends no request within REQUEST_TIMEOUT is dropped, without holding up the others.
    """
    start_env = {k: v for k, v in os.environ.items() if k not in PER_KERNEL_VARIABLES}
    # ipykernel chooses the inline backend this way when it starts (IPKernelApp.init_gui_pylab); matplotlib reads the
    # variable once, when it is imported.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # debugpy, when imported, warns on stderr that Python's frozen modules may hide breakpoints; a kernel says so to
    # its own captured stderr, where nobody reads it, but the server would say it into the build's log.
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    for module in PRELOAD:
        __import__(module)
    _warm_up_matplotlib()
    # What the imports themselves put in the environment (debugpy sets PYDEVD_USE_FRAME_EVAL), a kernel has too.
    set_by_imports = {
        name: value
        for name, value in os.environ.items()
        if start_env.get(name) != value and name not in ("MPLBACKEND", "PYDEVD_DISABLE_FILE_VALIDATION")
    }
    if "matplotlib_inline" in sys.modules:
        sys.exit("kernel server: matplotlib_inline was imported before a kernel existed; figures would print as text")
    import ipykernel_launcher

    gc.freeze()  # the kernels share the imported objects with the server, untouched, instead of copying them
    build_pidfd = os.pidfd_open(build)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(f"{address}.new")
    listener.listen(16)
    os.rename(f"{address}.new", address)  # the address appears once the server accepts connections
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = os.getpid()
    kernels = []
    waiting = {}  # connections whose request is not all in: (bytes so far, deadline)
    try:
        while True:
            ready, _, _ = select.select([listener, build_pidfd, *waiting], [], [], 1.0)
            _reap(kernels)
            if build_pidfd in ready:
                return
            now = time.monotonic()
            if listener in ready:
                conn, _ = listener.accept()
                conn.setblocking(False)
                waiting[conn] = (b"", now + REQUEST_TIMEOUT)
            for conn, (received, deadline) in list(waiting.items()):
                if conn in ready:
                    chunk = _receive(conn)
                    received += chunk
                    if chunk and b"\n" not in received and len(received) < MAX_REQUEST:
                        waiting[conn] = (received, deadline)
                        continue
                    del waiting[conn]
                    with conn:
                        if chunk:
                            line = received.split(b"\n", 1)[0]
                            inherited = [listener, build_pidfd, *waiting]
                            with contextlib.suppress(OSError):  # the client left
                                conn.setblocking(True)
                                conn.settimeout(REQUEST_TIMEOUT)
                                pid = _answer(conn, line, start_env, set_by_imports,
                                              ipykernel_launcher.__file__, inherited)
                                if pid:
                                    kernels.append(pid)
                elif deadline < now:  # a client that never sends its request
                    del waiting[conn]
                    conn.close()
    finally:
        # none, unless the build was interrupted; and not in a kernel just forked
        # (KernelForked), whose sisters they are
        for pid in kernels if os.getpid() == server else []:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


MAX_REQUEST = 1 << 20  # bytes: a request is a command line and an environment


def _receive(conn) -> bytes:
    try:
        return conn.recv(1 << 16)
    except OSError:
        return b""


def _parse_request(line: bytes) -> dict:
    """The request in `line`, or ValueError saying what is wrong with it."""
    request = json.loads(line)  # ValueError too for bytes that are not UTF-8
    if not isinstance(request, dict):
        raise ValueError(f"expected a JSON object, got {type(request).__name__}")
    argv, env, cwd = request.get("argv"), request.get("env"), request.get("cwd")
    if not (isinstance(argv, list) and all(isinstance(arg, str) for arg in argv)):
        raise ValueError(f"argv: expected a list of strings, got {argv!r}")
    if not (isinstance(env, dict) and all(isinstance(v, str) for v in env.values())):
        raise ValueError("env: expected an object of strings")
    if not isinstance(cwd, str):
        raise ValueError(f"cwd: expected a string, got {cwd!r}")
    return request


def _answer(conn, line, start_env, set_by_imports, launcher, inherited) -> int | None:
    """Answer one request: fork its kernel and send its pid and pidfd, or refuse it.

    A malformed request is refused on its own: the server, and every kernel it forked,
    carry on. Returns the forked kernel's pid, if any.
    """
    try:
        request = _parse_request(line)
    except ValueError as error:
        message = f"malformed request: {error}"
        conn.sendall(json.dumps({"refused": message}).encode() + b"\n")
        return None
    env = {k: v for k, v in request["env"].items() if k not in PER_KERNEL_VARIABLES}
    if env != start_env:
        differ = sorted(k for k in env.keys() | start_env.keys()
                        if env.get(k) != start_env.get(k))
        conn.sendall(json.dumps({"refused": differ}).encode() + b"\n")
        return None
    request["env"].update(set_by_imports)
    pid = _fork_kernel(request, launcher, [conn, *inherited])
    kernel_pidfd = os.pidfd_open(pid)
    try:
        answer = json.dumps({"pid": pid}).encode() + b"\n"
        socket.send_fds(conn, [answer], [kernel_pidfd])
    except OSError:  # the client left: nobody will use this kernel
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(kernel_pidfd)
    return pid


def _warm_up_matplotlib():
    """Load what the first figure of every page would load: the default font, and the mathtext parser.

    Both are caches that all figures of a kernel share anyway; filling them here saves each page doing it.
    """
    from matplotlib import font_manager
    from matplotlib.mathtext import MathTextParser

    font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    MathTextParser("path").parse("$x$")


def _reap(kernels):
    for pid in list(kernels):
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0]:
                kernels.remove(pid)


class KernelForked(BaseException):  # not an error: a kernel starts
    """Raised in a kernel the server has just forked, with its request.

    The server's loop unwinds (without stopping the server's kernels, `serve`), and the
    kernel runs at the top of the process (`main`), which then exits as a Python process
    does, running its exit handlers (close its sockets, flushing the last messages).
    """

    def __init__(self, request, launcher_path):
        super().__init__()
        self.request, self.launcher_path = request, launcher_path


def _fork_kernel(request, launcher_path, inherited) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads: OpenBLAS's idle pool, which it re-creates in
        # the child (it registers fork handlers for that).
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid:
        return pid
    for handle in inherited:
        handle.close() if isinstance(handle, socket.socket) else os.close(handle)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise KernelForked(request, launcher_path)


def run_kernel(request, launcher_path) -> None:
    """In a forked kernel: a session of its own, the page's folder and environment,
    `python -m ipykernel_launcher`'s arguments, then what ipykernel_launcher runs."""
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    # ipykernel read JPY_PARENT_PID when the server imported it, so the parent is also
    # named on the command line: the kernel exits if the server does.
    parent = f"--IPKernelApp.parent_handle={os.getppid()}"
    sys.argv = [launcher_path, *request["argv"], parent]
    # this file's folder (ipykernel_launcher removes its working folder from sys.path)
    del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def main(argv) -> None:
    try:
        serve(Path(argv[1]), int(argv[2]))
    except KernelForked as forked:
        run_kernel(forked.request, forked.launcher_path)


if __name__ == "__main__":
    main(sys.argv)
