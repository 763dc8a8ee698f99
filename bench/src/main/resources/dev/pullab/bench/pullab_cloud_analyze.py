"""Runs pullab_cloud's benchmark analyzer on a run in a local directory, as one whole process.

Used by bench/run cli-start: python3 pullab_cloud_analyze.py RUN_DIR, with pullab_cloud's src/ on PYTHONPATH
(kernel_ci_cloud_labs.core.benchmark_analyzer and logging_config). The analyzer reads S3 through a boto3 client;
here a read-only stand-in serves list_objects_v2 pages and get_object bodies from the directory's parent, so the
keys are <run>/test_<name>/output/<instance_id>/benchmark-*.csv as in the results bucket. boto3 itself is not
imported: the figure is Python start-up, the analyzer module and its work, not the SDK's import time.
"""

import logging
import os
import sys

from kernel_ci_cloud_labs.core.benchmark_analyzer import BenchmarkAnalyzer, log_benchmark_summary
from kernel_ci_cloud_labs.core.logging_config import setup_logging

PAGE = 1000


class DirectoryPages:
    """list_objects_v2 pages of the files under root/prefix, keys relative to root, sorted as S3 lists them."""

    def __init__(self, root):
        self.root = root

    def paginate(self, Bucket, Prefix):  # pylint: disable=invalid-name,unused-argument
        keys = []
        for folder, _, files in os.walk(os.path.join(self.root, Prefix)):
            for name in files:
                keys.append(os.path.relpath(os.path.join(folder, name), self.root).replace(os.sep, "/"))
        keys.sort()
        for start in range(0, max(len(keys), 1), PAGE):
            yield {"Contents": [{"Key": key} for key in keys[start:start + PAGE]]}


class DirectoryObjects:
    """The two S3 calls the analyzer makes, answered from a directory."""

    def __init__(self, root):
        self.root = root

    def get_paginator(self, operation):
        if operation != "list_objects_v2":
            raise ValueError(operation)
        return DirectoryPages(self.root)

    def get_object(self, Bucket, Key):  # pylint: disable=invalid-name,unused-argument
        return {"Body": open(os.path.join(self.root, Key), "rb")}  # pylint: disable=consider-using-with


def main(run_dir):
    run_dir = os.path.abspath(run_dir)
    setup_logging(level=logging.INFO, log_to_file=False)
    tests = sorted(name[len("test_"):] for name in os.listdir(run_dir)
                   if name.startswith("test_") and os.path.isdir(os.path.join(run_dir, name)))
    analyzer = BenchmarkAnalyzer(DirectoryObjects(os.path.dirname(run_dir)), "local", os.path.basename(run_dir))
    summary = analyzer.analyze(tests)
    log_benchmark_summary(summary)
    return 0 if summary.test_results else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: pullab_cloud_analyze.py RUN_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
