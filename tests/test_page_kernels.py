"""The kernels that execute the pages (conf/page_kernels.py): a kernel forked by the kernel server runs a page exactly
as a kernel started from scratch does, kernels started all at once all run, what the server cannot reproduce still
runs, in a kernel started the usual way, and a kernel that starts fast cannot break its own launch. The server's socket
refuses a malformed request on its own, and drops a client that sends nothing."""

import asyncio
import concurrent.futures
import importlib.util
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from buildkit import ROOT
from nbclient import NotebookClient

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the kernel server forks kernels on Linux only")

_spec = importlib.util.spec_from_file_location("page_kernels", ROOT / "conf" / "page_kernels.py")
page_kernels = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(page_kernels)


def run_coroutine(coroutine):
    """Run `coroutine` to the end in a thread of its own: the browser tests' playwright session keeps an event loop
    running in this thread, where asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


PROBE = [
    # where the page runs, what it sees, what it has imported before its first line, how it is signalled
    "import os, sys\n"
    "print(os.getcwd())\n"
    "print(os.environ.get('PAGE_KERNELS_PROBE'))\n"
    "print(sorted(m for m in ('backprop', 'matplotlib_inline') if m in sys.modules))\n"
    "print(repr(sys.path[0]), __name__, sys.argv[1:2])\n"
    "print(os.getpgid(0) == os.getpid(), os.getppid() == int(os.environ['JPY_PARENT_PID']))\n"
    "print(sorted(os.environ))",
    # a figure, through the inline backend and the kernels' IPython configuration (SVG, no date)
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(figsize=(2, 1.5))\n"
    "ax.plot([0, 1], [0, 1])\n"
    "ax.set_title('$x^{[1]}$')\n"
    "plt.close(fig)\n"
    "fig",
    # a page's state is its own
    "print(globals().get('left_by_an_earlier_page'))\nleft_by_an_earlier_page = True",
]


@pytest.fixture(scope="module")
def environment():
    """The environment of a build: the kernel server's, and so the one a kernel must ask for to be forked."""
    env = {name: value for name, value in os.environ.items() if name != "PYTEST_CURRENT_TEST"}  # pytest changes it
    env.update(PAGE_KERNELS_PROBE="seen", MATPLOTLIBRC=str(ROOT / "conf" / "matplotlibrc"))
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        assert page_kernels.SERVER.can_fork, "this Linux has no pidfd_open (5.3 or newer is needed)"
        page_kernels.PageKernelManager.kernel_config = ROOT / "conf" / "ipython_kernel_config.py"
        page_kernels.SERVER.start()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield env
    page_kernels.SERVER.stop()


def run(folder, env, cells=PROBE):
    """Run `cells` as a page in `folder` with a PageKernelManager kernel: (outputs of each cell, kernel process)."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    client = NotebookClient(
        notebook, timeout=60, kernel_name="python3", kernel_manager_class=page_kernels.PageKernelManager
    )
    with client.setup_kernel(cwd=str(folder), env=env):
        process = client.km.provisioner.process
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    outputs = [
        [output.get("text") or output.get("data", {}).get("image/svg+xml") for output in cell.outputs]
        for cell in notebook.cells
    ]
    return outputs, process


def test_forked_kernel_runs_a_page_as_a_kernel_started_from_scratch(environment, tmp_path, monkeypatch):
    forked, forked_process = run(tmp_path, environment)
    with monkeypatch.context() as without_server:
        without_server.setattr(page_kernels.SERVER, "server", None)
        launched, launched_process = run(tmp_path, environment)
    assert isinstance(forked_process, page_kernels.ForkedKernel), "the server did not fork the kernel"
    assert isinstance(launched_process, subprocess.Popen)
    assert forked == launched, f"a forked kernel ran the page differently:\n{forked}\nfrom scratch:\n{launched}"
    text, figure, state = forked
    assert text[0].splitlines()[:2] == [str(tmp_path), "seen"]
    assert figure[0].lstrip().startswith("<?xml") and "<svg" in figure[0] and "dc:date" not in figure[0]
    assert state == ["None\n"]


def test_kernels_started_at_once_all_run(environment, tmp_path):
    folders = [tmp_path / f"page{i}" for i in range(6)]
    clients, processes = [], {}
    for folder in folders:
        folder.mkdir()
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import os\nprint(os.getcwd())")])
        client = NotebookClient(
            notebook,
            timeout=60,
            kernel_name="python3",
            kernel_manager_class=page_kernels.PageKernelManager,
            resources={"metadata": {"path": str(folder)}},
        )
        client.on_cell_start = lambda cell, cell_index, client=client, folder=folder: processes.update(
            {folder: client.km.provisioner.process}
        )
        clients.append(client)

    async def start_all_at_once():
        await asyncio.gather(*(client.async_execute(env=environment) for client in clients))

    run_coroutine(start_all_at_once())
    for folder, client in zip(folders, clients):
        printed = [output.get("text") for output in client.nb.cells[0].outputs]
        assert printed == [f"{folder}\n"], f"the kernel of {folder.name} printed {printed}"
        assert isinstance(processes[folder], page_kernels.ForkedKernel), f"{folder.name}'s kernel was not forked"


def test_kernel_in_another_environment_starts_the_usual_way(environment, tmp_path):
    # The server imported numpy and matplotlib in its own environment: a kernel asked for in another one must not be
    # forked from it.
    other = dict(environment, PAGE_KERNELS_PROBE="not the server's")
    outputs, process = run(tmp_path, other, ["import os\nprint(os.environ['PAGE_KERNELS_PROBE'])"])
    assert outputs == [["not the server's\n"]]
    assert isinstance(process, subprocess.Popen), "the server forked a kernel for another environment"


OPENED = []  # (path, flags) of each file this process opens, while a test records them


def _record_opens(event, args):
    if event == "open" and OPENED and isinstance(args[2], int):
        OPENED.append((str(args[0]), args[2]))


sys.addaudithook(_record_opens)  # audit hooks stay for the life of the process


def test_the_build_never_reads_back_the_connection_file_a_fast_kernel_rewrites(
    environment, tmp_path
):
    # jupyter_client reads a kernel's connection file back once it has launched the
    # kernel; a forked kernel starts so soon that it can be rewriting the file then, and
    # a half-written file is not JSON (a build of a stress test died of it). Seen from
    # outside, with Python's audit hooks: while a page runs, the build writes the file
    # and never opens it for reading.
    cell = nbformat.v4.new_code_cell("print('ran')")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    client = NotebookClient(notebook, timeout=60, kernel_name="python3",
                            kernel_manager_class=page_kernels.PageKernelManager)
    OPENED[:] = [("", 0)]  # recording
    try:
        with client.setup_kernel(cwd=str(tmp_path), env=environment):
            connection_file = client.km.connection_file
            assert isinstance(client.km.provisioner.process, page_kernels.ForkedKernel)
            client.execute_cell(cell, 0)
    finally:
        opened, OPENED[:] = OPENED[1:], []
    assert cell.outputs[0]["text"] == "ran\n"
    modes = [flags & os.O_ACCMODE for path, flags in opened if path == connection_file]
    assert modes and os.O_RDONLY not in modes, f"the build opened it {modes}"


def server_address() -> str:
    """The kernel server's address, once it listens (it appears after the imports)."""
    while not page_kernels.SERVER.address.exists():
        exited = select.select([page_kernels.SERVER.pidfd], [], [], 0.01)[0]
        assert not exited, "the kernel server exited"
    return str(page_kernels.SERVER.address)


def ask_server(request: bytes, timeout: float = 30) -> dict:
    """Send `request` to the kernel server, a line; its answer, or {} if it closed."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)  # a server that no longer answers fails the test
        conn.connect(server_address())
        conn.sendall(request + b"\n")
        reply = conn.makefile("rb").readline()
    return json.loads(reply) if reply else {}


MALFORMED = [b"{not json", b"[]", b'{"argv": 1, "env": {}, "cwd": "."}', b"\xff\xfe",
             b'{"argv": [], "env": {"A": 1}, "cwd": "."}', b'{"argv": [], "env": {}}']


@pytest.mark.parametrize("request_line", MALFORMED)
def test_a_malformed_request_is_refused_on_its_own(environment, tmp_path, request_line):
    cell = nbformat.v4.new_code_cell("print(6 * 7)")
    notebook = nbformat.v4.new_notebook(cells=[cell])
    client = NotebookClient(notebook, timeout=60, kernel_name="python3",
                            kernel_manager_class=page_kernels.PageKernelManager)
    with client.setup_kernel(cwd=str(tmp_path), env=environment):
        assert isinstance(client.km.provisioner.process, page_kernels.ForkedKernel)
        answer = ask_server(request_line)
        assert "malformed request" in str(answer.get("refused")), answer
        client.execute_cell(notebook.cells[0], 0)  # the kernel forked before still runs
    assert notebook.cells[0].outputs[0]["text"] == "42\n"
    outputs, process = run(tmp_path, environment, ["print('served')"])  # and the next
    assert outputs == [["served\n"]] and isinstance(process, page_kernels.ForkedKernel)


def test_a_client_that_sends_nothing_holds_up_no_one_and_is_dropped(environment):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.connect(server_address())
        # another request meanwhile is answered (another environment: refused, no fork)
        answer = ask_server(json.dumps({"argv": [], "env": {}, "cwd": "."}).encode())
        assert "refused" in answer and "malformed" not in str(answer["refused"])
        silent.settimeout(4 * page_kernels.REQUEST_TIMEOUT)
        assert silent.recv(1) == b"", "the server kept a silent connection open"


# A build that runs a page's kernel, prints the kernel's key, and waits to be killed;
# or, with "exit", one that only sets its kernels up, and exits.
BUILD = """
import sys
from pathlib import Path

sys.path.insert(0, sys.argv[1])
import nbformat
import page_kernels
from nbclient import NotebookClient

page_kernels.install(Path(sys.argv[1]) / "ipython_kernel_config.py", start_server=True)
if sys.argv[2] == "exit":
    sys.exit()
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
client = NotebookClient(notebook, timeout=60, kernel_name="python3")
with client.setup_kernel():
    client.execute_cell(notebook.cells[0], 0)
    print(client.km.session.key.decode(), flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def temp():
    """An empty temporary folder, a short path (a socket path has at most 107 bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def test_a_killed_build_leaves_no_key_outside_a_private_folder_and_the_next_cleans_up(
    temp, tmp_path
):
    env = dict(os.environ, TMPDIR=str(temp))
    command = [sys.executable, "-c", BUILD, str(ROOT / "conf")]
    with subprocess.Popen([*command, "run"], env=env, cwd=tmp_path, text=True,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as build:
        key = build.stdout.readline().strip()  # once the kernel runs
        build.kill()  # SIGKILL: no exit handler runs
    assert key, "the build did not start its kernel"
    with_key = [path for path in temp.rglob("*")
                if path.is_file() and key.encode() in path.read_bytes()]
    assert with_key, "no file holds the kernel's key: the test would prove nothing"
    private = temp / f"backprop-derived-{os.getuid()}"
    assert all(private in path.parents for path in with_key), with_key
    assert private.stat().st_mode & 0o777 == 0o700

    subprocess.run([*command, "exit"], env=env, cwd=tmp_path, check=True)
    assert sorted(temp.rglob("*")) == [private], "the killed build's files are left"
