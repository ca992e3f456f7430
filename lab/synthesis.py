"""Synthesize the CDK app into a CloudFormation template, once per change.

``python -m cdk_app`` runs in a subprocess: the CDK's jsii runtime starts a Node
process and keeps it for the life of the Python process, which would leave a
Node child in every notebook kernel. The template is cached under
``.lab/cache/<key>/`` where the key hashes everything the template depends on
(every file in ``cdk_app/``, ``cdk.json``, ``cdk.context.json``, the stack name,
the region and the CDK library versions), so the second notebook that needs the
template, or a re-run, reads it from disk in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from lab.config import LabConfig, load_config
from lab.errors import LabError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(".lab") / "cache"
APP_PACKAGE = "cdk_app"
# Files outside cdk_app/ that change what the app synthesizes.
APP_INPUT_FILES = ("cdk.json", "cdk.context.json")
# Versions of the libraries that turn the app into a template.
APP_LIBRARIES = ("aws-cdk-lib", "constructs")
# Bump when the cache layout or the key's recipe changes.
_CACHE_FORMAT = "1"
# A cold synth takes tens of seconds on a small machine; anything near this is stuck.
SYNTH_TIMEOUT_SECONDS = 900
# Every edit of cdk_app/ adds an entry; keep the newest few (a few dozen KB each).
CACHE_ENTRIES_KEPT = 10


def template_file_name(stack_name: str) -> str:
    """The name CDK gives the stack's template: ``<stack>.template.json``."""
    return f"{stack_name}.template.json"


def _app_files(root: Path) -> list[Path]:
    """Every source file of the CDK app, in a stable order (bytecode excluded)."""
    app_dir = root / APP_PACKAGE
    if not app_dir.is_dir():
        raise LabError(
            f"There is no {APP_PACKAGE}/ directory in {root}; run the lab from the project's "
            "checkout (the folder with cdk.json)."
        )
    files = [
        path
        for path in app_dir.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in (".pyc", ".pyo")
        and not path.name.startswith(".")
    ]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def cache_key(cfg: LabConfig | None = None, *, project_root: Path | None = None,
              variant: str | None = None) -> str:
    """The hash that names the cached template for this app, config, variant and CDK version."""
    cfg = cfg or load_config()
    root = Path(project_root or PROJECT_ROOT)
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        # Length-prefixed fields, so no two different inputs hash alike.
        for part in (label.encode(), data):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)

    add("format", _CACHE_FORMAT.encode())
    for path in _app_files(root):
        add(path.relative_to(root).as_posix(), path.read_bytes())
    for name in APP_INPUT_FILES:
        path = root / name
        add(name, path.read_bytes() if path.is_file() else b"<absent>")
    add("stack_name", cfg.stack_name.encode())
    add("region", cfg.region.encode())
    add("connection_kms_key", str(cfg.connection_kms_key).encode())
    if variant:  # the lab stack's key stays what it was
        add("variant", variant.encode())
    for library in APP_LIBRARIES:
        add(library, _library_version(library).encode())
    return digest.hexdigest()[:24]


def _last_line(*texts: str) -> str:
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:
            return lines[-1]
    return "no output"


def _run_app(cfg: LabConfig, root: Path, out_dir: Path, variant: str | None = None) -> None:
    """Run ``python -m cdk_app --out out_dir [--variant v]`` in a fresh interpreter."""
    env = dict(os.environ)
    env.update(
        LAB_STACK_NAME=cfg.stack_name,
        LAB_REGION=cfg.region,
        LAB_CONNECTION_KMS_KEY="true" if cfg.connection_kms_key else "false",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
        JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION="1",
    )
    command = [sys.executable, "-m", APP_PACKAGE, "--out", str(out_dir),
               *(["--variant", variant] if variant else [])]
    try:
        done = subprocess.run(
            command,
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=SYNTH_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LabError(
            f"Synthesizing the CDK app took longer than {SYNTH_TIMEOUT_SECONDS} s and was "
            f"stopped; run `python -m {APP_PACKAGE} --out cdk.out` to see where it hangs."
        ) from None
    if done.returncode != 0:
        raise LabError(
            f"Synthesizing the CDK app failed: {_last_line(done.stderr, done.stdout)}; run "
            f"`python -m {APP_PACKAGE} --out cdk.out` to see the whole output."
        )


def _stack_name(cfg: LabConfig, variant: str | None) -> str:
    """The name of the stack the app builds for ``variant``."""
    from cdk_app.names import proxy_stack_name

    return proxy_stack_name(cfg.stack_name) if variant == "lambda_proxy" else cfg.stack_name


def _synth_into_cache(cfg: LabConfig, root: Path, entry: Path, variant: str | None = None
                      ) -> None:
    """Synthesize and publish the template at ``entry`` atomically.

    Two kernels may synthesize at once; each works in its own temporary
    directory and the first rename wins, so nobody ever reads half a file.
    """
    entry.parent.mkdir(parents=True, exist_ok=True)
    name = template_file_name(_stack_name(cfg, variant))
    with tempfile.TemporaryDirectory(prefix="synth-", dir=entry.parent) as work:
        assembly = Path(work) / "assembly"
        started = time.perf_counter()
        _run_app(cfg, root, assembly, variant)
        seconds = time.perf_counter() - started
        produced = assembly / name
        if not produced.is_file():
            raise LabError(
                f"`python -m {APP_PACKAGE}` finished without writing {name}; check that "
                f"LAB_STACK_NAME={cfg.stack_name} matches the stack the app defines."
            )
        staged = Path(work) / "entry"
        staged.mkdir()
        shutil.copyfile(produced, staged / name)
        info = {
            "stack_name": cfg.stack_name,
            "region": cfg.region,
            "synth_seconds": round(seconds, 2),
            **{library: _library_version(library) for library in APP_LIBRARIES},
        }
        (staged / "synth.json").write_text(json.dumps(info, indent=1) + "\n")
        try:
            staged.rename(entry)
        except OSError:
            if not (entry / name).is_file():  # not a lost race: a real failure
                raise
    _prune(entry.parent, keep=entry)


def _prune(cache_root: Path, keep: Path) -> None:
    """Remove all but the newest CACHE_ENTRIES_KEPT entries (never ``keep``)."""
    entries = [
        path
        for path in cache_root.iterdir()
        if path.is_dir() and not path.name.startswith("synth-") and path != keep
    ]
    entries.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in entries[CACHE_ENTRIES_KEPT - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)


def synth(
    out_dir: str | os.PathLike | None = None,
    *,
    cfg: LabConfig | None = None,
    project_root: str | os.PathLike | None = None,
    variant: str | None = None,
) -> Path:
    """Synthesize the lab's stack and return the template's path.

    Runs ``python -m cdk_app`` in a subprocess the first time for a given app,
    config and CDK version, then answers from ``.lab/cache/``. With ``out_dir``,
    copies the template to ``out_dir/<stack>.template.json`` and returns that
    path. Raises :class:`LabError` with the app's last error line if synthesis
    fails. ``variant="lambda_proxy"``: the "before" stack ``<stack>-LambdaProxy``.
    """
    cfg = cfg or load_config()
    root = Path(project_root or PROJECT_ROOT)
    entry = root / CACHE_DIR / cache_key(cfg, project_root=root, variant=variant)
    name = template_file_name(_stack_name(cfg, variant))
    cached = entry / name
    if not cached.is_file():
        _synth_into_cache(cfg, root, entry, variant)
    if out_dir is None:
        return cached
    target = Path(out_dir) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    return target


def template(*, cfg: LabConfig | None = None, variant: str | None = None) -> dict:
    """The synthesized template as a dict (cached like :func:`synth`)."""
    return json.loads(synth(cfg=cfg, variant=variant).read_text())
