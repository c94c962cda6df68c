"""The kernels that execute the pages (conf/page_kernels.py): a kernel forked by the kernel server runs a page exactly
as a kernel started from scratch does, kernels started all at once all run, what the server cannot reproduce still
runs, in a kernel started the usual way, and a kernel that starts fast cannot break its own launch. The server's socket
refuses a malformed request on its own, and drops a client that sends nothing.

The kernels here start as the build starts them: nbclient's defaults, the `python3`
kernel spec that `page_kernels.install` puts on JUPYTER_PATH, and the provisioner it
names, found by its entry point. What has no supported hook fails loudly when the
dependency changes it."""

import asyncio
import concurrent.futures
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
from importlib.metadata import EntryPoint
from pathlib import Path

import nbformat
import pytest
from buildkit import ROOT
from nbclient import NotebookClient

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the kernel server forks kernels on Linux only")

sys.path.insert(0, str(ROOT / "conf"))
# As the build imports it (conf/ on sys.path), and so as jupyter_client loads the
# provisioner's entry point: one module.
import page_kernels  # noqa: E402


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
    """The environment of a build once `page_kernels.install` has set the kernels up:
    the kernel server's, and so the one a kernel must ask for to be forked. The tests'
    process keeps the kernels' spec on JUPYTER_PATH."""
    assert page_kernels.SERVER.can_fork, "this Linux has no pidfd_open (5.3 or newer)"
    saved = dict(os.environ)
    os.environ.pop("PYTEST_CURRENT_TEST", None)  # pytest changes it
    os.environ.update(PAGE_KERNELS_PROBE="seen",
                      MATPLOTLIBRC=str(ROOT / "conf" / "matplotlibrc"))
    try:
        config = ROOT / "conf" / "ipython_kernel_config.py"
        page_kernels.install(config, start_server=True)
        env = dict(os.environ)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    page_kernels.use_page_kernelspec(os.environ)
    yield env
    page_kernels.SERVER.stop()
    os.environ.clear()
    os.environ.update(saved)


def new_client(notebook, **options):
    """A client of `notebook`'s kernel, as myst-nb makes one: nbclient's defaults."""
    return NotebookClient(notebook, timeout=60, kernel_name="python3", **options)


def run(folder, env, cells=PROBE):
    """Run `cells` as a page in `folder`: (outputs of each cell, kernel process)."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    client = new_client(notebook)
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
        client = new_client(notebook, resources={"metadata": {"path": str(folder)}})
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


def test_the_build_never_reads_the_connection_file_a_fast_kernel_rewrites(
    environment, tmp_path
):
    # jupyter_client reads a kernel's connection file back once it has launched the
    # kernel, and ipykernel rewrites the file it is given as it starts; a forked kernel
    # starts so soon that the two can meet, and a half-written file is not JSON (a build
    # of a stress test died of it). Seen from outside, with Python's audit hooks: while
    # a page runs, the build never opens the file the kernel was given for reading.
    cell = nbformat.v4.new_code_cell(
        "from ipykernel.connect import get_connection_file\n"
        "print(get_connection_file())"
    )
    notebook = nbformat.v4.new_notebook(cells=[cell])
    client = new_client(notebook)
    OPENED[:] = [("", 0)]  # recording
    try:
        with client.setup_kernel(cwd=str(tmp_path), env=environment):
            folder = Path(client.km.connection_file).parent
            assert isinstance(client.km.provisioner.process, page_kernels.ForkedKernel)
            client.execute_cell(cell, 0)
    finally:
        opened, OPENED[:] = OPENED[1:], []
    kernels_file = os.path.realpath(cell.outputs[0]["text"].strip())
    builds_file = str(folder.resolve() / "connection.json")
    opened = [(os.path.realpath(path), flags & os.O_ACCMODE) for path, flags in opened]
    assert builds_file in dict(opened), "the build opened no connection file"
    read = [path for path, mode in opened if mode == os.O_RDONLY]
    assert kernels_file not in read, f"the build read {kernels_file}: the kernel's"
    assert Path(kernels_file).parent == folder.resolve(), "the keys left the folder"


def test_a_kernels_channels_are_unix_sockets_in_its_private_folder(
    environment, tmp_path
):
    # Seen from the kernel: its channels' transport and addresses, and its folder.
    cell = nbformat.v4.new_code_cell(
        "import os, stat\n"
        "from ipykernel.kernelapp import IPKernelApp\n"
        "app = IPKernelApp.instance()\n"
        "print(app.transport, app.ip)\n"
        "folder = os.stat(os.path.dirname(app.ip))\n"
        "print(folder.st_uid == os.getuid(), oct(stat.S_IMODE(folder.st_mode) & 0o777))"
    )
    notebook = nbformat.v4.new_notebook(cells=[cell])
    client = new_client(notebook)
    with client.setup_kernel(cwd=str(tmp_path), env=environment):
        folder = Path(client.km.connection_file).parent
        client.execute_cell(cell, 0)
    assert not folder.exists(), "the kernel's folder outlived it"
    channels, private = cell.outputs[0]["text"].splitlines()
    assert channels == f"ipc {folder / 'kernel'}"
    assert private == "True 0o700"
    assert folder.parent.parent.name == f"backprop-derived-{os.getuid()}"


def test_a_forked_kernel_that_exits_runs_its_exit_handlers(environment, tmp_path):
    # A kernel that ends by itself (a page's exit(), a shutdown it completes) exits as a
    # Python process does: the handlers a page or ipykernel registered run (ipykernel's
    # close its sockets, flushing the last messages).
    notebook = nbformat.v4.new_notebook()
    client = new_client(notebook)
    mark = tmp_path / "exit-handlers-ran"
    with client.setup_kernel(cwd=str(tmp_path), env=environment):
        process = client.km.provisioner.process
        assert isinstance(process, page_kernels.ForkedKernel)
        handler = f"import atexit\natexit.register(open, {str(mark)!r}, 'w')"
        client.kc.execute(f"{handler}\nexit()")
        assert process.wait(timeout=60) is not None  # raises if it does not exit
    assert mark.exists(), "the kernel exited without running its exit handlers"


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
    client = new_client(notebook)
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


def test_what_has_no_supported_hook_is_as_the_pinned_versions_have_it():
    page_kernels.check_dependencies()  # the installed jupyter_client and entry point


def test_a_jupyter_client_that_waits_otherwise_fails_naming_the_replacement():
    async def wait_for_ready(self, timeout=None):  # an upgrade that waits otherwise
        await self.is_alive()

    named = r"conf/page_kernels\.py: jupyter_client's .*wait_for_ready"
    with pytest.raises(RuntimeError, match=named):
        page_kernels.check_dependencies(wait_for_ready=wait_for_ready)


def test_an_environment_without_the_provisioner_fails_naming_make_env():
    named = r"conf/page_kernels\.py: .* not installed.*make env"
    with pytest.raises(RuntimeError, match=named):
        page_kernels.check_dependencies(registered=[])
    group = page_kernels.PROVISIONERS
    elsewhere = EntryPoint(page_kernels.PROVISIONER, "elsewhere:Provisioner", group)
    with pytest.raises(RuntimeError, match=r"elsewhere:Provisioner.*make env"):
        page_kernels.check_dependencies(registered=[elsewhere])
