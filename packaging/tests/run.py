"""Run the packaging tests and end with one 'N passed, N failed' line.
A skipped test counts as failed: nothing here may pass by not running.

    run.py            test_*.py: what needs only this checkout (packaging/test.sh)
    run.py release    release_*.py: the release assets, which need dist/
                      (packaging/dist.sh) and run in .ci/test's cross stage
"""

import sys
import unittest
from pathlib import Path

group = sys.argv[1] if len(sys.argv) > 1 else "test"
here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))
suite = unittest.defaultTestLoader.discover(str(here), pattern=f"{group}_*.py", top_level_dir=str(here))
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.skipped) + len(result.unexpectedSuccesses)
passed = max(result.testsRun - failed, 0)
print(f"{'packaging' if group == 'test' else group}: {passed} passed, {failed} failed")
sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)
