"""A private PostgreSQL cluster (scripts/pg.sh) that a test may stop and start; never the shared one."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def postgres_bindir() -> str | None:
    """Debian's server binaries, if installed (CI installs them; elsewhere the tests skip)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


@dataclass
class Cluster:
    """One throwaway server: its data directory, port and URL."""

    dir: Path
    port: int
    url: str
    bindir: str

    @classmethod
    def start_new(cls, port: int) -> Cluster:
        bindir = postgres_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries are not installed")
        directory = Path(tempfile.mkdtemp(prefix="ledger-pgpriv."))
        done = subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "start", str(directory), str(port)],
                              capture_output=True, text=True, timeout=180, check=False)
        if done.returncode != 0:
            shutil.rmtree(directory, ignore_errors=True)
            raise RuntimeError(f"pg.sh start failed: {done.stderr}")
        return cls(directory, port, done.stdout.strip().splitlines()[-1], bindir)

    def _pg_ctl(self, *args: str, timeout: float = 90) -> None:
        command = [f"{self.bindir}/pg_ctl", "-D", str(self.dir / "data"), *args]
        if os.geteuid() == 0:  # pg_ctl refuses to run as root: as pg.sh does, run it as the data's owner
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, cwd="/", capture_output=True, text=True, timeout=timeout, check=True)

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as in a real outage or failover."""
        self._pg_ctl("-s", "-m", "fast", "-w", "-t", "60", "stop")

    def start(self) -> None:
        socket_dir = (self.dir / "socket_dir").read_text().strip()
        self._pg_ctl("-l", str(self.dir / "server.log"), "-s", "-w", "-t", "60",
                     "-o", f"-p {self.port} -k {socket_dir}", "start")

    def destroy(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg.sh"), "stop", str(self.dir)], capture_output=True,
                       timeout=120, check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
