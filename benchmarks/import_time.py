"""``import ls_notebook`` against ``import pandas, pyarrow``: best of N fresh interpreters each.

Target (issue 17): ``import ls_notebook`` at most 0.6 s more than ``import pandas, pyarrow``.
Also prints the first-use cost of the modules the import no longer loads (the first config
validation, the first ``start``/``attach``, the first ``agreement``), each in a fresh interpreter.
Run: ``python benchmarks/import_time.py [--repeat 5]``; ``python -X importtime -c "import ls_notebook"``
shows where the time goes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def fresh(code: str) -> float:
    """Wall time of ``python -c code`` in a fresh interpreter, interpreter start included."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - t0


def best(code: str, repeat: int) -> float:
    return min(fresh(code) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min)")
    print(f"python {sys.version.split()[0]}, best of {args.repeat} fresh interpreters each")
    bare = best("pass", args.repeat)
    baseline = best("import pandas, pyarrow", args.repeat)
    ours = best("import ls_notebook", args.repeat)
    print(f"  python -c pass                 {bare:6.3f} s")
    print(f"  import pandas, pyarrow         {baseline:6.3f} s")
    print(f"  import ls_notebook             {ours:6.3f} s")
    diff = ours - baseline
    verdict = "meets" if diff <= 0.6 else "misses"
    print(f"  difference {diff:+.3f} s, ratio {ours / baseline:.2f}x ({verdict} the target: at most +0.6 s)")
    print("first use (moved out of the import), same interpreter each:")
    for label, code in [
        ("lsn.configs.validate(...)", "import ls_notebook as l; l.configs.validate(l.configs.ner(['A']))"),
        ("lsn.start / lsn.attach (module)", "import ls_notebook as l; l.start"),
        ("lsn.agreement (module)", "import ls_notebook as l; l.agreement"),
        ("import label_studio_sdk.label_interface", "import label_studio_sdk.label_interface"),
    ]:
        print(f"  {label:38s} {best(code, max(1, args.repeat // 2)):6.3f} s")


if __name__ == "__main__":
    main()
