#!/usr/bin/env python3
"""Builds the function image FROM scratch with podman and checks it by running function containers.

    python3 runtime/image.py binary   # only the release build
    python3 runtime/image.py build    # release build, then the image (tag: localhost/ticketing:scratch)
    python3 runtime/image.py check    # build, then run containers and call them over HTTP; prints figures
    python3 runtime/image.py check --configuration debug   # the same from the debug build (scripts/test)

This is the path for a machine with no registry (no base images): podman and buildah from Debian with runc
and vfs storage. The image holds the binary, the shared libraries `ldd` lists for it, CA certificates, and
functions.yaml with events/; libcurl, which the binary loads only when it first sends an HTTP request (the
live Stripe client, Lambda mode, a gateway in front of function containers), is added with the libraries
it needs. The release binary (the default) is built with --static-swift-stdlib in its
own scratch path; the debug binary is the one `swift build` made for the tests, so checking its image costs
no second compile, and `ldd` brings Swift's runtime libraries along to the paths its RUNPATH names. With a
registry, runtime/Dockerfile is the documented path.
"""
import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRATCH = ROOT / ".build-image"
IMAGE = os.environ.get("TICKETING_IMAGE", "localhost/ticketing:scratch")
PODMAN = ["podman", "--storage-driver", "vfs", "--runtime", "runc"]
# runc on this kind of machine needs limits it can set inside the sandbox.
RUN_LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
JWT_KEY = "image-check-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789"
USER_ID = 10001


def say(line):
    print(f"image: {line}", flush=True)


def run(command, **options):
    return subprocess.run(command, check=True, text=True, **options)


def release_flags():
    """The release build's flags, from runtime/release-flags (shared with scripts/bench)."""
    text = (ROOT / "runtime" / "release-flags").read_text()
    return [word for line in text.splitlines() for word in line.split("#", 1)[0].split()]


def release_binary():
    build = ["swift", "build", *release_flags(), "--scratch-path", str(SCRATCH)]
    run(build + ["--product", "ticketing", "--quiet"], cwd=ROOT)
    bin_path = run(build + ["--show-bin-path"], cwd=ROOT, stdout=subprocess.PIPE).stdout.strip()
    return pathlib.Path(bin_path) / "ticketing"


def debug_binary():
    """The debug build's binary in the package's usual build directory (a no-op build after the tests')."""
    run(["swift", "build", "--product", "ticketing", "--quiet"], cwd=ROOT)
    bin_path = run(["swift", "build", "--show-bin-path"], cwd=ROOT, stdout=subprocess.PIPE).stdout.strip()
    return pathlib.Path(bin_path) / "ticketing"


BINARIES = {"release": release_binary, "debug": debug_binary}


def shared_libraries(binary):
    """The files the dynamic loader opens for `binary`, from `ldd` (the loader itself included)."""
    listed = run(["ldd", str(binary)], stdout=subprocess.PIPE).stdout
    libraries = []
    for line in listed.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            libraries.append(parts[2])
        elif parts and parts[0].startswith("/"):
            libraries.append(parts[0])
        elif "not found" in line:
            sys.exit(f"image: ldd cannot find {parts[0]} for {binary}")
    return libraries


def libcurl():
    """libcurl.so.4 as the dynamic loader finds it (the binary loads it with dlopen, so ldd does not list it)."""
    architecture = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(os.uname().machine, os.uname().machine)
    for line in run(["ldconfig", "-p"], stdout=subprocess.PIPE).stdout.splitlines():
        name, _, path = line.partition("=>")
        if name.split() and name.split()[0] == "libcurl.so.4" and architecture in name:
            return path.strip()
    sys.exit("image: libcurl.so.4 not found (install libcurl4)")


def place(source, root):
    """Copies `source` into `root` at the same path, following symbolic links."""
    target = root / source.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(os.path.realpath(source), target)


def assemble(binary, context):
    root = context / "root"
    (root / "usr/local/bin").mkdir(parents=True)
    shutil.copy2(binary, root / "usr/local/bin/ticketing")
    run(["strip", str(root / "usr/local/bin/ticketing")])
    say(f"binary: {binary.stat().st_size / 1e6:.1f} MB, {(root / 'usr/local/bin/ticketing').stat().st_size / 1e6:.1f} MB "
        "stripped")
    # Package resources (the web pages' templates and assets) sit beside the binary, where Bundle.module
    # looks for them.
    for bundle in binary.parent.glob("*.resources"):
        shutil.copytree(bundle, root / "usr/local/bin" / bundle.name)
    libraries = shared_libraries(binary)
    curl = libcurl()
    libraries += [curl] + [library for library in shared_libraries(curl) if library not in libraries]
    for library in libraries:
        place(library, root)
    certificates = "/etc/ssl/certs/ca-certificates.crt"
    if os.path.exists(certificates):
        place(certificates, root)
    etc = root / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "passwd").write_text(
        f"root:x:0:0:root:/root:/sbin/nologin\nticketing:x:{USER_ID}:{USER_ID}::/var/lib/ticketing:/sbin/nologin\n")
    (etc / "group").write_text(f"root:x:0:\nticketing:x:{USER_ID}:\n")
    (etc / "nsswitch.conf").write_text("hosts: files dns\n")
    (root / "tmp").mkdir()
    (root / "tmp").chmod(0o1777)
    app = root / "app"
    app.mkdir()
    shutil.copy2(ROOT / "functions.yaml", app / "functions.yaml")
    shutil.copytree(ROOT / "events", app / "events")
    (context / "data").mkdir()
    shutil.copy2(ROOT / "runtime/Containerfile.scratch", context / "Containerfile")
    return libraries


def build(configuration="release"):
    binary = BINARIES[configuration]()
    with tempfile.TemporaryDirectory(prefix="ticketing-image-") as directory:
        context = pathlib.Path(directory)
        libraries = assemble(binary, context)
        say("shared libraries: " + " ".join(os.path.basename(library) for library in libraries))
        run(PODMAN + ["build", "--quiet", "-t", IMAGE, "-f", str(context / "Containerfile"), str(context)],
            stdout=subprocess.DEVNULL)
    # The image this tag named before, now untagged, would otherwise stay in storage after every build.
    run(PODMAN + ["image", "prune", "--force"], stdout=subprocess.DEVNULL)
    size = int(run(PODMAN + ["image", "inspect", "--format", "{{.Size}}", IMAGE], stdout=subprocess.PIPE)
               .stdout.strip())
    say(f"built {IMAGE} from the {configuration} binary: {size / 1e6:.1f} MB")
    return binary, size


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(url, method="GET", body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def first_ok(url, started, deadline=30):
    """Polls `url` until it answers 200; returns the milliseconds since `started`."""
    while time.monotonic() - started < deadline:
        try:
            status, _ = call(url)
            if status == 200:
                return (time.monotonic() - started) * 1000
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.005)
    raise SystemExit(f"image: no 200 from {url} within {deadline} s")


class Container:
    """One function container from the image, on a free loopback port."""

    def __init__(self, function):
        self.name = f"ticketing-check-{function}-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        self.started = time.monotonic()
        run(PODMAN + ["run", "--detach", "--name", self.name, *RUN_LIMITS,
                      "--publish", f"127.0.0.1:{self.port}:8080", "--env", f"FUNCTION={function}",
                      "--env", f"JWT_KEY={JWT_KEY}", IMAGE], stdout=subprocess.DEVNULL)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        """SIGTERM, then the exit status once it has drained."""
        run(PODMAN + ["stop", "--time", "10", self.name], stdout=subprocess.DEVNULL)
        return int(run(PODMAN + ["inspect", "--format", "{{.State.ExitCode}}", self.name],
                       stdout=subprocess.PIPE).stdout.strip())

    def remove(self):
        subprocess.run(PODMAN + ["rm", "--force", self.name], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def logs(self):
        return subprocess.run(PODMAN + ["logs", self.name], text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT).stdout


def expect(condition, message, container=None):
    if not condition:
        if container:
            print(container.logs(), file=sys.stderr)
        raise SystemExit(f"image: check failed: {message}")


def check_http_function():
    container = Container("tickets-list")
    try:
        cold = first_ok(container.url("/health"), container.started)
        status, body = call(container.url("/api/tickets"))
        expect(status == 200 and json.loads(body) == [], f"GET /api/tickets → {status} {body}", container)
        status, _ = call(container.url("/api/orders"))
        expect(status == 404, f"another function's route → {status}, not 404", container)
        code = container.stop()
        expect(code == 0, f"SIGTERM ended tickets-list with {code}", container)
        say(f"tickets-list: GET /api/tickets 200 []; first 200 {cold:.0f} ms after podman run; SIGTERM exit 0")
        return cold
    finally:
        container.remove()


def check_page():
    container = Container("web-home")
    try:
        first_ok(container.url("/health"), container.started)
        status, body = call(container.url("/"))
        expect(status == 200 and "Tickets for sale" in body, f"GET / → {status} {body[:300]}", container)
        expect(container.stop() == 0, "SIGTERM ended web-home with a failure", container)
        say("web-home: GET / 200, the page rendered from the image's templates; SIGTERM exit 0")
    finally:
        container.remove()


def check_event_function():
    container = Container("orders-on-ticket-created")
    try:
        first_ok(container.url("/health"), container.started)
        data = {"id": "t-1", "version": 0, "title": "Eras Tour", "price": 149.99, "userId": "u-1"}
        binary = {"content-type": "application/json", "ce-specversion": "1.0", "ce-id": "image-1",
                  "ce-source": "/ticketing/tickets", "ce-type": "ticket:created"}
        status, body = call(container.url("/"), "POST", json.dumps(data).encode(), binary)
        expect(200 <= status < 300, f"binary-mode CloudEvent → {status} {body}", container)
        status, body = call(container.url("/"), "POST", json.dumps(data).encode(), binary)
        expect(200 <= status < 300 and "duplicate" in body, f"the same event again → {status} {body}", container)
        structured = {"specversion": "1.0", "id": "image-2", "source": "/ticketing/tickets",
                      "type": "ticket:created", "datacontenttype": "application/json",
                      "data": dict(data, id="t-2")}
        status, body = call(container.url("/"), "POST", json.dumps(structured).encode(),
                            {"content-type": "application/cloudevents+json"})
        expect(200 <= status < 300, f"structured-mode CloudEvent → {status} {body}", container)
        status, body = call(container.url("/"), "POST", b"{}", {"content-type": "application/json"})
        expect(status == 400, f"a request that is no CloudEvent → {status} {body}", container)
        code = container.stop()
        expect(code == 0, f"SIGTERM ended orders-on-ticket-created with {code}", container)
        say("orders-on-ticket-created: binary 2xx, duplicate 2xx, structured 2xx, malformed 400; SIGTERM exit 0")
    finally:
        container.remove()


def process_cold_start(binary, runs=5):
    """Milliseconds from starting the binary in container mode to its first 200, median of `runs`."""
    samples = []
    for _ in range(runs):
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="ticketing-cold-") as data:
            environment = {"PATH": os.environ.get("PATH", ""), "FUNCTION": "tickets-list", "PORT": str(port),
                           "JWT_KEY": JWT_KEY, "TICKETING_DATA_DIR": data, "LOG_LEVEL": "error"}
            started = time.monotonic()
            process = subprocess.Popen([str(binary), "function"], cwd=ROOT, env=environment | {"HOME": data},
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                samples.append(first_ok(f"http://127.0.0.1:{port}/api/tickets", started))
            finally:
                process.terminate()
                process.wait(timeout=10)
    return samples


def check(configuration="release"):
    for tool in ("podman", "runc", "ldd", "strip"):
        if shutil.which(tool) is None:
            sys.exit(f"image: {tool} not found (scripts/setup installs podman, buildah and runc)")
    binary, size = build(configuration)
    cold = [check_http_function() for _ in range(3)]
    check_event_function()
    check_page()
    samples = process_cold_start(binary)
    say(f"image size: {size / 1e6:.1f} MB")
    say(f"cold start, podman run → first 200: median {statistics.median(cold):.0f} ms "
        f"(min {min(cold):.0f}, max {max(cold):.0f}, n={len(cold)})")
    say(f"cold start, {configuration} binary in container mode → first 200: median {statistics.median(samples):.0f} ms "
        f"(min {min(samples):.0f}, max {max(samples):.0f}, n={len(samples)})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Builds and checks the function image FROM scratch.")
    parser.add_argument("command", choices=["binary", "build", "check"])
    parser.add_argument("--configuration", choices=sorted(BINARIES), default="release",
                        help="which build the image carries (default: release)")
    arguments = parser.parse_args()
    if arguments.command == "binary":
        BINARIES[arguments.configuration]()
    else:
        {"build": build, "check": check}[arguments.command](arguments.configuration)
