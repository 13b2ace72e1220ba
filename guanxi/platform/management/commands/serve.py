"""`guanxi serve`: gunicorn (web) and a Huey consumer (jobs) as two child processes.

Host and port come from GUANXI_HOST / GUANXI_PORT (default 127.0.0.1:8000), web
workers from GUANXI_WEB_WORKERS (default 2, 4 threads each). SIGINT/SIGTERM are
passed on to both children; when either child exits the other is stopped too,
so a process supervisor (systemd, Docker) sees the failure and restarts us.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

STOP_TIMEOUT_SECONDS = 20


class Command(BaseCommand):
    help = "Serve the web app (gunicorn) and run the job worker (Huey) together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("GUANXI_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GUANXI_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("GUANXI_WEB_WORKERS", "2"))
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--no-worker", action="store_true", help="web only, no Huey consumer")

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        environment = {**os.environ}
        environment.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
        web_command = [
            sys.executable, "-m", "gunicorn", "guanxi.wsgi:application",
            "--bind", bind,
            "--workers", str(options["workers"]),
            "--threads", str(options["threads"]),
            "--worker-class", "gthread",
            "--access-logfile", "-",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        children: dict[str, subprocess.Popen[bytes]] = {
            "web": subprocess.Popen(web_command, env=environment)
        }
        if not options["no_worker"]:
            worker_command = [sys.executable, "-m", "guanxi.cli", "run_huey"]
            children["worker"] = subprocess.Popen(worker_command, env=environment)
        self.stdout.write(f"Guanxi 关系 → http://{bind}/  (Ctrl+C 停止 / to stop)")
        self.stdout.flush()

        stop_signal: list[int] = []

        def forward(signum: int, _frame: FrameType | None) -> None:
            stop_signal.append(signum)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            exit_code = self._supervise(children, stop_signal)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if exit_code:
            sys.exit(exit_code)

    def _supervise(
        self, children: dict[str, subprocess.Popen[bytes]], stop_signal: list[int]
    ) -> int:
        """Wait until a signal arrives or a child dies; then stop all; return an exit code."""
        exit_code = 0
        while not stop_signal:
            dead = [(name, child) for name, child in children.items() if child.poll() is not None]
            if dead:
                name, child = dead[0]
                self.stderr.write(f"{name} exited with code {child.returncode}: stopping.")
                exit_code = child.returncode or 1
                break
            time.sleep(0.2)
        sent = stop_signal[0] if stop_signal else signal.SIGTERM
        # gunicorn and huey both shut down gracefully on SIGTERM (SIGINT: quick).
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM if sent == signal.SIGTERM else signal.SIGINT)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        return exit_code
