"""The test suite. Imported before any test module, so before the app's config."""

import atexit
import os
import shutil
import tempfile

# The tests' build caches, sync caches and keys never land in the developer's instance/.
os.environ["MICROBLOG_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="microblog-tests-instance-")
atexit.register(shutil.rmtree, os.environ["MICROBLOG_INSTANCE_DIR"], True)
