"""The kernels that execute the pages: private channels, and a head start on the imports.

conf/execution_cache.py calls `install()`. Two things made a cold build slow or fragile, and this module removes both.

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
"""

import asyncio
import atexit
import contextlib
import gc
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
import uuid
import warnings
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
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


def install(kernel_config: Path, start_server: bool) -> None:
    """Make every kernel that nbclient starts (every page myst-nb executes) a `PageKernelManager` kernel.

    `kernel_config` is the kernels' IPython configuration file. With `start_server`, the kernel server starts now,
    so that its imports overlap the rest of Sphinx's start-up.
    """
    from nbclient import NotebookClient

    PageKernelManager.kernel_config = kernel_config
    RUNTIME.build_folder()  # here, before Sphinx forks its workers, which share it
    if start_server and SERVER.can_fork:
        SERVER.start()
    create_kernel_manager = NotebookClient.create_kernel_manager

    def create_page_kernel_manager(self):
        self.kernel_manager_class = PageKernelManager
        return create_kernel_manager(self)

    NotebookClient.create_kernel_manager = create_page_kernel_manager


# -- The build's side ---------------------------------------------------------------------------------------------


class PageKernelManager(AsyncKernelManager):
    """A kernel with ipc channels in a private folder, the kernels' IPython configuration, forked by the server.

    (The methods below override private ones of jupyter_client 8, pinned in the lock: a new version is checked by the
    tests in tests/test_page_kernels.py.)
    """

    kernel_config = None
    folder = None  # this kernel's, for its sockets: <folder>/kernel-<n>

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.client_factory = PageKernelClient
        self.transport_encryption = "auto"
        self.transport = "ipc"

    async def _async_pre_start_kernel(self, **kwargs):
        if self.folder is None:
            build = RUNTIME.build_folder()
            self.folder = Path(tempfile.mkdtemp(prefix="kernel-", dir=build))
            self.ip = str(self.folder / "kernel")
            # The keys too: jupyter_client would write them to a file in /tmp.
            if not self.connection_file:
                self.connection_file = str(self.folder / "connection.json")
        config = f"--IPKernelApp.extra_config_file={self.kernel_config}"
        kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), config]
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kwargs.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = ServerProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kwargs)

    def _reconcile_connection_info(self, info):
        """Take the connection file as this manager wrote it, without reading it back while the kernel rewrites it.

        After a launch, jupyter_client reads the connection file back to check it against what the provisioner
        returns. A forked kernel starts so soon that it can be rewriting that file at the same moment (ipykernel
        rewrites it, with the same contents), and a half-written file is not JSON: one build in a stress test died
        of it. The provisioner returns exactly what this manager wrote to the file before the launch.
        """
        if not (self._connection_file_written and self._equal_connections(info, self.get_connection_info())):
            super()._reconcile_connection_info(info)

    async def _async_shutdown_kernel(self, now=False, restart=False):
        # When nbclient shuts a page's kernel down, the page is done and every output is in: asking the kernel to
        # exit, then waiting while it does, gains nothing over stopping it (the files it would remove, this manager
        # removes).
        await super()._async_shutdown_kernel(now=True, restart=restart)

    shutdown_kernel = _async_shutdown_kernel  # AsyncKernelManager binds the public names to KernelManager's methods

    async def _async_wait(self, pollinterval=0.1):
        if self.has_kernel and isinstance(self.provisioner.process, ForkedKernel):
            await self.provisioner.process.exited()  # at once, not at the next 0.1 s poll
        else:
            await super()._async_wait(pollinterval)

    async def _async_cleanup_resources(self, restart=False):
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if not restart and self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources


class ServerProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, except that the kernel server forks the kernel when it can."""

    async def launch_kernel(self, cmd, **kwargs):
        kernel = SERVER.fork_kernel(cmd, kwargs)
        if kernel is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = kernel
        self.pid = self.pgid = kernel.pid  # the kernel leads a session of its own, as a launched one does
        self.cwd = kwargs.get("cwd", os.getcwd())
        return self.connection_info

    async def wait(self):
        if isinstance(self.process, ForkedKernel):
            await self.process.exited()
            self.process = None
            return 0
        return await super().wait()


class PageKernelClient(AsyncKernelClient):
    async def wait_for_ready(self, timeout=None):
        """Return once the kernel answers, as jupyter_client's wait does, without its fixed 0.2 s pause.

        jupyter_client ends its wait by reading the kernel's broadcasts (IOPub) until none has come for 0.2 s, so that
        the kernel's start-up messages are not taken for the first cell's output. Here the wait ends at the message
        that pause waits for: the kernel saying it is idle after our request. If IOPub was not connected in time to
        hear it, ask again, as jupyter_client does.
        """
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except queue.Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply" and await self._idle_after(request):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
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
        for pid in kernels:  # none, unless the build was interrupted
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
    # The kernel: a session of its own, the page's folder and environment, `python -m ipykernel_launcher`'s arguments.
    code = 1
    try:
        for handle in inherited:
            handle.close() if isinstance(handle, socket.socket) else os.close(handle)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        # ipykernel read JPY_PARENT_PID when the server imported it, so the parent is also named on the command line:
        # the kernel exits if the server does.
        sys.argv = [launcher_path, *request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        del sys.path[0]  # this file's folder (ipykernel_launcher removes its working directory from sys.path)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()  # what a kernel does at exit: close its sockets, flushing the last messages
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
