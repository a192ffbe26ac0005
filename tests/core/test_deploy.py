"""The production recipe in deploy/ agrees with the code (docs/deploy.md).

- every systemd unit parses (a small INI reader, and configparser with strict=False); when
  `systemd-analyze` is on the machine, `systemd-analyze verify` runs on them too (the test
  prints which checks ran: without systemd the INI checks alone run, it is not skipped);
- every ExecStart runs this project's interpreter on a real manage.py command (found by
  Django's `get_commands()`, its options parsed by the command's own parser) or a real
  module of the project (granian on `config.wsgi:application`, its options parsed by
  granian's own command line), with the arguments `manage.py serve` gives its children;
- the environment file template names every variable the settings and the process commands
  read in production, and nothing else; it holds no secret value; filled with generated
  secrets, it passes `manage.py check --deploy` (a subprocess: marked slow);
- the nginx configuration: with `nginx` on the machine, `nginx -t` on it; always, a small
  parser (balanced braces, statements ending in `;`, known directives) and the checks that
  matter here (forwarded headers, no HSTS from the proxy, upload size, /media/ from
  MEDIA_ROOT, no client address in a log format, no log of the secret paths).
"""

from __future__ import annotations

import ast
import configparser
import datetime as dt
import importlib
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

from portevoix.core.management.commands import serve

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ENV_EXAMPLE = DEPLOY / "portevoix.env.example"
NGINX_CONF = DEPLOY / "nginx" / "portevoix.conf"
# Where the units expect the checkout (docs/deploy.md).
INSTALL_DIR = "/srv/portevoix"
ENV_FILE = "/etc/portevoix/portevoix.env"
# The files whose environment reads are production configuration (config/settings_test.py
# is the tests' own; the demo loader's DEMO_PASSWORD is for `make run` only).
ENV_READERS = (
    BASE_DIR / "config" / "settings.py",
    BASE_DIR / "portevoix" / "core" / "management" / "commands" / "serve.py",
)
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_ints", "env_list"}
# Read by prefix (settings.SOCIAL_ENDPOINTS): the template mentions the pattern.
ENV_PREFIXES = ("SOCIAL_ENDPOINT_",)
VAR_REF = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


# --- systemd units -------------------------------------------------------------------------


def read_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit as {section: [(key, value), ...]}, repeated keys kept, in order."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"{path.name}:{number}: keep each setting on one line"
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"{path.name}:{number}: a setting outside any section"
        key, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", key.strip()), (
            f"{path.name}:{number}: not a `Key=value` line: {raw!r}"
        )
        current.append((key.strip(), value.strip()))
    return sections


def values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in unit.get(section, []) if k == key]


def unit_environment(unit: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in values(unit, "Service", "Environment"):
        for item in shlex.split(line):
            name, _, value = item.partition("=")
            env[name] = value
    return env


def expand(line: str, env: dict[str, str]) -> str:
    """systemd's `${NAME}` in a command line, replaced by its value."""
    return VAR_REF.sub(lambda match: env[match.group(1)], line)


def example_values() -> dict[str, str]:
    """The template's variables and their values (commented defaults included)."""
    found: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"#? ?([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def test_every_unit_parses_and_reads_the_environment_file() -> None:
    assert {path.name for path in UNITS} >= {
        "portevoix-web.service",
        "portevoix-clicks.service",
        "portevoix-worker.service",
        "portevoix-worker-extra@.service",
        "portevoix-serve.service",
        "portevoix-stream.service",
    }
    for path in UNITS:
        unit = read_unit(path)
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(path.read_text(), source=path.name)
        assert set(parser.sections()) == set(unit) == {"Unit", "Service", "Install"}, path.name
        assert values(unit, "Unit", "Description"), path.name
        assert values(unit, "Service", "Type") == ["exec"], path.name
        assert values(unit, "Service", "User") == ["portevoix"], path.name
        assert values(unit, "Service", "WorkingDirectory") == [INSTALL_DIR], path.name
        assert values(unit, "Service", "EnvironmentFile") == [ENV_FILE], path.name
        assert values(unit, "Service", "KillSignal") == ["SIGTERM"], path.name
        assert values(unit, "Service", "Restart") == ["on-failure"], path.name
        assert values(unit, "Service", "StateDirectory") == ["portevoix"], path.name
        assert len(values(unit, "Service", "ExecStart")) == 1, path.name
        assert values(unit, "Install", "WantedBy") == ["multi-user.target"], path.name


@pytest.mark.slow
def test_the_machine_tools_accept_the_units_and_the_proxy_config(tmp_path: Path) -> None:
    """`systemd-analyze verify` and `nginx -t` where they are installed (subprocesses: slow).
    Where one is missing this test says so and passes: the INI reader and the nginx parser of
    the fast tests above are then the checks that ran."""
    ran, missing = [], []
    for tool, check in (("systemd-analyze", _systemd_analyze_verify), ("nginx", _nginx_test)):
        if shutil.which(tool):
            (tmp_path / tool).mkdir()
            check(tmp_path / tool)
            ran.append(tool)
        else:
            missing.append(tool)
    print(f"deploy/: checked by {ran or 'no machine tool'}; not installed here: {missing}")


def _systemd_analyze_verify(tmp: Path) -> None:
    """`systemd-analyze verify` on copies pointing at this checkout (the ExecStart binary
    must exist); an unknown key is only a warning there: it fails here."""
    copies = []
    for path in UNITS:
        copy = tmp / path.name
        copy.write_text(path.read_text().replace(INSTALL_DIR, str(BASE_DIR)))
        copies.append(str(copy))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *copies],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Unknown" not in output and "Invalid" not in output, output


def test_every_exec_start_runs_a_real_command_of_the_project() -> None:
    commands = get_commands()
    example = example_values()
    seen = set()
    for path in UNITS:
        unit = read_unit(path)
        env = {**unit_environment(unit), **{k: v for k, v in example.items() if v}}
        (line,) = values(unit, "Service", "ExecStart")
        for name in VAR_REF.findall(line):
            assert name in env, f"{path.name}: ${{{name}}} has no value in the unit or template"
            assert name in example, f"{path.name}: ${{{name}}} is missing from the env template"
        argv = shlex.split(expand(line, env))
        assert argv[0] == f"{INSTALL_DIR}/.venv/bin/python", path.name
        if argv[1] == "-m":
            assert argv[2] == "granian", f"{path.name}: unexpected module {argv[2]}"
            # The checkout stands in for INSTALL_DIR (granian wants its working dir to exist).
            _check_granian([a.replace(INSTALL_DIR, str(BASE_DIR)) for a in argv[3:]], path.name)
            expected = serve.granian_args(
                env["HOST"], int(env["PORT"]), int(env["WEB_CONCURRENCY"]),
                int(env["WEB_THREADS"]), INSTALL_DIR,
            )  # fmt: skip
            assert argv[3:] == expected, f"{path.name}: not the web command of `serve`"
            seen.add("granian")
            continue
        assert argv[1] == f"{INSTALL_DIR}/manage.py", path.name
        name, args = argv[2], argv[3:]
        assert name in commands, f"{path.name}: `manage.py {name}` is no command"
        command = load_command_class(commands[name], name)
        options = command.create_parser("manage.py", name).parse_args(args)
        seen.add(name)
        # The same arguments as `manage.py serve` gives its children.
        same_as_serve = {
            "run_huey": serve.worker_args(int(env["HUEY_WORKERS"])),
            "ingest_clicks": serve.CLICKS_ARGS,
            "listening_stream": serve.STREAM_ARGS,
            "serve": ["serve"],
        }[name]
        assert [a for a in argv[2:] if a != "--no-periodic"] == same_as_serve, path.name
        if name == "run_huey":
            periodic = "@" not in path.name
            # run_huey: --no-periodic stores False, its absence None (the settings decide: on).
            assert (options.periodic is not False) is periodic, f"{path.name}: periodic?"
            assert options.graceful_signal.upper() in {"TERM", "SIGTERM"}, path.name
    # `make run` / `manage.py serve` start these four: so do the units (or serve itself,
    # portevoix-serve.service, on one machine).
    assert seen == {"granian", "run_huey", "ingest_clicks", "listening_stream", "serve"}


def _check_granian(args: list[str], unit: str) -> None:
    from granian.cli import cli

    context = cli.make_context("granian", list(args))
    target = context.params["app"]
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attribute)), f"{unit}: {target} is not callable"
    assert str(context.params["interface"]).lower().endswith("wsgi"), unit
    assert Path(context.params["working_dir"]) == BASE_DIR, unit
    assert "--access-log" not in args, f"{unit}: an access log would hold client addresses"


# --- the environment file template -----------------------------------------------------------


def variables_read_in_production() -> set[str]:
    names: set[str] = set()
    for path in ENV_READERS:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = node.args[0]
            reads_env = called in ENV_HELPERS or (
                called in {"get", "getenv"} and "environ" in ast.unparse(func) + called
            )
            if not reads_env:
                continue
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
            else:  # f"{network.upper()}_CLIENT_ID": settings.SOCIAL_APPS has the networks
                text = ast.unparse(first)
                assert "_CLIENT_" in text, f"{path.name}: an env read by a computed name: {text}"
    for network in settings.SOCIAL_APPS:
        names |= {f"{network.upper()}_CLIENT_ID", f"{network.upper()}_CLIENT_SECRET"}
    return names


def test_the_env_template_names_every_variable_read_in_production_and_no_other() -> None:
    read = variables_read_in_production()
    assert {"SECRET_KEY", "DATABASE_URL", "PORT", "TRUSTED_PROXY_HOPS"} <= read  # the scan works
    listed = set(example_values())
    assert read - listed == set(), "read by the code, missing from deploy/portevoix.env.example"
    assert listed - read == set(), "in deploy/portevoix.env.example, read by no code"
    text = ENV_EXAMPLE.read_text()
    for prefix in ENV_PREFIXES:
        assert prefix in text


def test_the_env_template_holds_no_secret_and_says_what_production_needs() -> None:
    example = example_values()
    for name, value in example.items():
        if re.search(r"(SECRET|PASSWORD|KEY)$", name):
            assert value == "", f"{name} has a value in the template"
    assert "CHANGE-ME" in example["DATABASE_URL"]
    uncommented = {
        m.group(1) for m in re.finditer(r"^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M)
    }
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS", "SITE_URL"} <= uncommented
    assert example["DEBUG"] == "0" and example["HTTPS"] == "1"
    assert example["SERVE_MEDIA"] == "0" and example["TRUSTED_PROXY_HOPS"] == "1"
    # Units write under their StateDirectory only (ProtectSystem=strict).
    for name in ("PORTEVOIX_VAR_DIR", "MEDIA_ROOT", "PRIVATE_ROOT"):
        assert example[name].startswith("/var/lib/portevoix"), name


# Django's deployment checks that the recipe answers on purpose: subdomains and preload are
# the owner's choice (docs/deploy.md), and nginx redirects HTTP to HTTPS before Django.
ACCEPTED_DEPLOY_WARNINGS = {"security.W005", "security.W008", "security.W021"}


@pytest.mark.slow
def test_the_filled_template_passes_djangos_deployment_checks(tmp_path: Path) -> None:
    """The uncommented lines of the template, read the way systemd reads an EnvironmentFile,
    with generated secrets and the paths in a temporary folder: production settings load and
    `manage.py check --deploy` finds nothing but the accepted warnings."""
    env = {"PATH": os.environ.get("PATH", "")}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            env[match.group(1)] = match.group(2).strip().strip('"')
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(50),
        "PORTEVOIX_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_ROOT": str(tmp_path / "private"),
    }
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert set(re.findall(r"\((\w+\.[EW]\d+)\)", output)) <= ACCEPTED_DEPLOY_WARNINGS, output


# --- the reverse proxy (nginx) ---------------------------------------------------------------

# The directives the configuration may use (a typo is an unknown directive).
NGINX_DIRECTIVES = {
    "log_format", "upstream", "server", "keepalive", "listen", "server_name", "access_log",
    "error_log", "return", "ssl_certificate", "ssl_certificate_key", "ssl_protocols",
    "ssl_prefer_server_ciphers", "ssl_session_cache", "ssl_session_timeout",
    "client_max_body_size", "proxy_http_version", "proxy_set_header", "proxy_read_timeout",
    "proxy_redirect", "location", "proxy_pass", "alias", "expires", "add_header",
}  # fmt: skip
BLOCKS = {"upstream", "server", "location"}
# In a log format, these would write a client address, or a query string with its secrets.
PRIVATE_LOG_VARIABLES = (
    "$remote_addr", "$http_x_forwarded_for", "$proxy_add_x_forwarded_for", "$realip_",
    "$binary_remote_addr", "$request_uri", "$args", "$query_string", "$request ", "$request'",
)  # fmt: skip
SECRET_PATHS = ("/l/", "/invitations/", "/password/reset/", "/calendar/ical/")

Directive = tuple[str, list[str], list["Directive"] | None]


def nginx_tokens(text: str) -> list[str]:
    """Words, quoted strings (quotes kept off), `{`, `}` and `;`; comments dropped."""
    pattern = re.compile(
        r"""#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)"""
    )
    tokens = []
    for match in pattern.finditer(text):
        if match.group(0).startswith("#"):
            continue
        tokens.append(next(g for g in match.groups() if g is not None))
    return tokens


def parse_nginx(text: str) -> list[Directive]:
    tokens = nginx_tokens(text)
    position = 0

    def block(depth: int) -> list[Directive]:
        nonlocal position
        directives: list[Directive] = []
        words: list[str] = []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                assert words, "an empty statement"
                directives.append((words[0], words[1:], None))
                words = []
            elif token == "{":
                assert words and words[0] in BLOCKS, f"a block without a known name: {words}"
                directives.append((words[0], words[1:], block(depth + 1)))
                words = []
            elif token == "}":
                assert depth > 0, "a `}` closes nothing"
                assert not words, f"a statement without `;` before `}}`: {words}"
                return directives
            else:
                words.append(token)
        assert depth == 0, "a `{` is never closed"
        assert not words, f"a statement without `;` at the end: {words}"
        return directives

    return block(0)


def walk(directives: list[Directive]) -> list[Directive]:
    found = []
    for directive in directives:
        found.append(directive)
        if directive[2] is not None:
            found += walk(directive[2])
    return found


def find(directives: list[Directive], name: str, *args: str) -> list[Directive]:
    return [d for d in directives if d[0] == name and tuple(d[1][: len(args)]) == args]


def test_the_proxy_config_parses_and_forwards_what_the_app_expects() -> None:
    config = parse_nginx(NGINX_CONF.read_text())
    everything = walk(config)
    unknown = {d[0] for d in everything} - NGINX_DIRECTIVES
    assert not unknown, f"unknown directives: {unknown}"
    merged = [d for d in everything if set(d[1]) & (NGINX_DIRECTIVES - {"server", "off"})]
    assert not merged, f"a `;` is missing: {merged}"
    (upstream,) = find(config, "upstream")
    assert upstream[2] and find(upstream[2], "server")
    servers = find(config, "server")
    (tls,) = [s for s in servers if s[2] and find(s[2], "listen", "443")]
    (plain,) = [s for s in servers if s[2] and find(s[2], "listen", "80")]
    assert plain[2] is not None and find(plain[2], "return", "301")
    body = tls[2] or []
    assert find(body, "ssl_certificate") and find(body, "ssl_certificate_key")
    # Django sends Strict-Transport-Security (HTTPS=1, SECURE_HSTS_SECONDS): not the proxy.
    assert not any(
        d[0] == "add_header" and "strict-transport" in d[1][0].lower() for d in everything
    )
    # What the app reads: X-Forwarded-For with one hop appended (TRUSTED_PROXY_HOPS=1), the
    # scheme (SECURE_PROXY_SSL_HEADER) and the host (ALLOWED_HOSTS).
    assert find(body, "proxy_set_header", "X-Forwarded-For", "$proxy_add_x_forwarded_for")
    assert find(body, "proxy_set_header", "X-Forwarded-Proto", "$scheme")
    assert find(body, "proxy_set_header", "Host", "$host")
    assert settings.SECURE_PROXY_SSL_HEADER if settings.HTTPS else True
    # Uploads: above Django's own limits, so that Django answers, not the proxy.
    (size,) = find(body, "client_max_body_size")
    megabytes = int(size[1][0].rstrip("mM"))
    assert megabytes * 1024 * 1024 >= max(
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.MAX_IMAGE_BYTES
    )
    locations = {d[1][0]: d[2] or [] for d in find(body, "location")}
    upstream_url = f"http://{upstream[1][0]}"
    for path in ("/", "/static/", *SECRET_PATHS):
        assert find(locations[path], "proxy_pass", upstream_url), path
    for path in SECRET_PATHS:
        assert find(locations[path], "access_log", "off"), f"{path} must not be logged"
    (alias,) = find(locations["/media/"], "alias")
    assert alias[1][0].rstrip("/") == example_values()["MEDIA_ROOT"].rstrip("/")
    formats = {d[1][0]: " ".join(d[1][1:]) for d in find(config, "log_format")}
    for log in find(everything, "access_log"):
        if log[1][0] != "off":
            assert len(log[1]) == 2 and log[1][1] in formats, "an access log in nginx's format"
    for name, fmt in formats.items():
        for variable in PRIVATE_LOG_VARIABLES:
            assert variable not in fmt + "'", f"log_format {name} writes {variable.strip()}"


def _nginx_test(tmp: Path) -> None:
    """`nginx -t` on the configuration inside a minimal main file, with a throwaway
    certificate and the log files in a temporary folder."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "advocacy.example.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    text = NGINX_CONF.read_text()
    text = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {tmp}/cert.pem;", text)
    text = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {tmp}/key.pem;", text)
    text = text.replace("/var/log/nginx/", f"{tmp}/")
    (tmp / "portevoix.conf").write_text(text)
    (tmp / "nginx.conf").write_text(
        f"pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp}/access.log;\n  client_body_temp_path {tmp};\n"
        f"  proxy_temp_path {tmp};\n  include {tmp}/portevoix.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-q", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
