"""The kernels that execute the pages: private channels, and a head start on the imports.

conf.py installs this with `install()`. Two things made a cold build slow or fragile, and this module removes both.

Channels. A kernel talks to the build over ZeroMQ. Over TCP, jupyter_client picks "free" ports by binding port 0 and
releasing it, and the kernel binds them a moment later; two kernels starting at once (two -j workers, or two builds
on one machine) could be handed the same port, and one died with "ZMQError: Address already in use". Here every
kernel's channels are Unix sockets (ZeroMQ's "ipc" transport) in a directory made for that kernel alone, readable by
this user only: no two kernels can share an address, so kernels start in parallel, with no lock.

Imports. Most of a kernel's start-up went to importing ipykernel, IPython, numpy and matplotlib, again for every page.
On Linux, one process per build, the kernel server, does those imports once, then forks a kernel for each page: each
page still runs in a process of its own in which nothing has run but imports, with the build's environment, in the
page's folder, exactly as a kernel started from scratch, only sooner. The server starts when the first page needs a
kernel (a build served entirely from the execution cache never starts it), serves every process of that build, and
exits with the build. A launch the server cannot reproduce exactly (another kernel, another environment) starts the
usual way.
"""

import asyncio
import atexit
import contextlib
import fcntl
import gc
import json
import os
import queue
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

# What every kernel imports before it runs a cell, and what the pages import or use first: the server imports these
# once. `backprop` is not among them: a page must import the package as it is on disk.
PRELOAD = [
    # ipykernel, and what it imports only once it runs: the debugger (debugpy), the history database, pdb
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
# The kernel command the server stands in for: `python -m ipykernel_launcher -f {connection_file} ...`.
LAUNCHER = [sys.executable, "-m", "ipykernel_launcher"]
# Variables that differ between a kernel and the process that launched it, and that the kernel reads after start-up.
PER_KERNEL_VARIABLES = {"JPY_PARENT_PID", "JPY_SESSION_NAME"}


# -- The build's side ---------------------------------------------------------------------------------------------


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
            self._exited()
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None and not select.select([self.pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(["kernel"], timeout)
        self.poll()
        return self.returncode

    async def exited(self):
        """Return as soon as the kernel has exited (jupyter_client would poll every 0.1 s)."""
        if self.poll() is not None:
            return
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        loop.add_reader(self.pidfd, lambda: done.done() or done.set_result(None))
        try:
            await done
        finally:
            loop.remove_reader(self.pidfd)
        self.poll()

    def send_signal(self, signum):
        if self.returncode is None:
            signal.pidfd_send_signal(self.pidfd, signum)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def _exited(self):
        self.returncode = 0  # unknown; jupyter_client only needs to know that the kernel is gone
        os.close(self.pidfd)


class KernelServer:
    """The build's kernel server, as seen from the processes of the build (the main one and its -j workers).

    Created when conf.py is read, in the main process; the -j workers are forked from it and share its folder, where
    the first process that needs a kernel starts the server under a lock.
    """

    def __init__(self):
        self.owner = os.getpid()
        self.folder = Path(tempfile.mkdtemp(prefix="backprop-kernels-"))
        self.address = self.folder / "server"
        atexit.register(self.stop)

    def fork_kernel(self, cmd, kwargs):
        """Have the server fork the kernel `cmd` would start; None when it cannot stand in for that launch."""
        if cmd[:3] != LAUNCHER or any(kwargs.get(k) is not None for k in ("stdin", "stdout", "stderr")):
            return None
        if not self._running():
            return None
        request = {"argv": cmd[3:], "env": kwargs.get("env", dict(os.environ)), "cwd": str(kwargs.get("cwd", "."))}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(str(self.address))
            conn.sendall(json.dumps(request).encode() + b"\n")
            reply, fds, _, _ = socket.recv_fds(conn, 1 << 16, 1)
        answer = json.loads(reply)
        if "pid" not in answer:
            return None  # the server said why on the build's stderr
        return ForkedKernel(answer["pid"], fds[0])

    def _running(self) -> bool:
        if self.address.exists():
            return True
        with open(self.folder / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.address.exists():
                return True
            if (self.folder / "failed").exists():
                return False
            server = subprocess.Popen(
                [sys.executable, __file__, str(self.address), str(self.owner)],
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C of the build is for the build; the server follows it out
            )
            (self.folder / "pid").write_text(str(server.pid))
            while not self.address.exists():
                if server.poll() is not None:
                    (self.folder / "failed").touch()
                    return False
                time.sleep(0.005)
            return True

    def stop(self):
        if os.getpid() != self.owner:
            return
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(int((self.folder / "pid").read_text()), signal.SIGTERM)
        shutil.rmtree(self.folder, ignore_errors=True)


def install(kernel_config: Path):
    """Make every kernel that nbclient starts (every page myst-nb executes) use ipc channels, the server, and the
    IPython configuration file `kernel_config`."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner
    from nbclient import NotebookClient

    server = KernelServer() if sys.platform == "linux" else None

    class ServerProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            kernel = server.fork_kernel(cmd, kwargs) if server else None
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

            jupyter_client ends its wait by reading the kernel's broadcasts (IOPub) until none has come for 0.2 s, so
            that the kernel's start-up messages are not taken for the first cell's output. Here the wait ends at the
            message that pause waits for: the kernel saying it is idle after our request. If IOPub was not connected
            in time to hear it, ask again, as jupyter_client does.
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

    class PageKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.client_factory = PageKernelClient
            self.transport = "ipc"
            # The kernel's sockets are <folder>/kernel-<n>; the folder is this kernel's alone (mode 0700).
            self.ip = str(Path(tempfile.mkdtemp(prefix="backprop-kernel-")) / "kernel")

        async def _async_pre_start_kernel(self, **kwargs):
            kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), f"--IPKernelApp.extra_config_file={kernel_config}"]
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kwargs.pop("kernel_id", None) or str(__import__("uuid").uuid4())
                self.provisioner = ServerProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kwargs)

        async def _async_wait(self, pollinterval=0.1):
            if self.has_kernel and isinstance(self.provisioner.process, ForkedKernel):
                await self.provisioner.process.exited()
            else:
                await super()._async_wait(pollinterval)

        async def _async_cleanup_resources(self, restart=False):
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(Path(self.ip).parent, ignore_errors=True)

    create_kernel_manager = NotebookClient.create_kernel_manager

    def create_page_kernel_manager(self):
        self.kernel_manager_class = PageKernelManager
        return create_kernel_manager(self)

    NotebookClient.create_kernel_manager = create_page_kernel_manager


# -- The server's side --------------------------------------------------------------------------------------------


def serve(address: Path, owner: int):
    """Import what every kernel imports, then fork a kernel per request until the build (`owner`) exits."""
    start_env = dict(os.environ)
    # ipykernel chooses the inline backend this way when it starts (IPKernelApp.init_gui_pylab); matplotlib reads it
    # once, when it is imported.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # debugpy, when imported, warns on stderr that Python's frozen modules may hide breakpoints; a kernel says so to
    # its own captured stderr, where nobody reads it, but the server would say it into the build log.
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    for module in PRELOAD:
        __import__(module)
    import ipykernel_launcher

    _warm_up_matplotlib()
    if "matplotlib_inline" in sys.modules:
        sys.exit("kernel server: matplotlib_inline was imported before a kernel existed; figures would print as text")
    gc.freeze()  # the kernels share the imported objects with the server, untouched, instead of copying them
    build = os.pidfd_open(owner)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(address) + ".new")
    listener.listen(16)
    os.rename(str(address) + ".new", address)  # the address appears once the server accepts connections
    kernels = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            ready, _, _ = select.select([listener, build], [], [], 1.0)
            _reap(kernels)
            if build in ready:
                return
            if listener in ready:
                conn, _ = listener.accept()
                with conn:
                    request = json.loads(conn.makefile().readline())
                    env = {k: v for k, v in request["env"].items() if k not in PER_KERNEL_VARIABLES}
                    if env != {k: v for k, v in start_env.items() if k not in PER_KERNEL_VARIABLES}:
                        conn.sendall(b'{"refused": "environment"}\n')
                        continue
                    pid = _fork_kernel(request, ipykernel_launcher.__file__, [listener, conn], build)
                    pidfd = os.pidfd_open(pid)
                    socket.send_fds(conn, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
                    os.close(pidfd)
                    kernels.append(pid)
    finally:
        for pid in kernels:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def _warm_up_matplotlib():
    """Load what the first figure of every page would load: the default font, and the mathtext parser.

    Both are caches that every figure of a kernel shares anyway; filling them here saves each page doing it.
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


def _fork_kernel(request, launcher_path, sockets, build) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    with warnings.catch_warnings():
        # Python 3.12+ warns about fork() in a process with threads: OpenBLAS's idle pool, which it re-creates in
        # the child (it registers fork handlers for that).
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid:
        return pid
    # The kernel: a new session, the page's folder and environment, and the arguments of `python -m ipykernel_launcher`.
    code = 1
    try:
        for s in sockets:
            s.close()
        os.close(build)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setsid()
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # ipykernel read JPY_PARENT_PID when the server imported it: name the parent on the command line instead.
        # The kernel exits if the server does.
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sys.argv = [launcher_path] + request["argv"] + [f"--IPKernelApp.parent_handle={os.getppid()}"]
        del sys.path[0]  # this file's folder; ipykernel_launcher removes the working directory the same way
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
            import atexit as _atexit

            _atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[2]))
