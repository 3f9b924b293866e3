"""Two pytest runs' outcomes, file by file (issue 13|14, stop 71, eager71).

    python bench/junit_outcomes.py A.xml B.xml

A and B are ``--junitxml`` files (bench/readme_halves.sh writes one a half).  Prints each
run's totals (passed, failed, error, skipped, and the seconds its tests took) and every
test file whose count of failed, errored or skipped tests differs between them, or that
has a failure in either; a file whose tests all passed in both, in whatever number (the
second half runs fewer of them), is not listed.  Prints only."""

import collections
import sys
import xml.etree.ElementTree as ET


def outcomes(path):
    """``{file: Counter(outcome)}`` and ``{file: seconds}`` of one junit file."""
    files, seconds = collections.defaultdict(collections.Counter), collections.Counter()
    for case in ET.parse(path).getroot().iter("testcase"):
        file = case.get("file") or case.get("classname", "").replace(".", "/") + ".py"
        kinds = {child.tag for child in case}
        got = "failed" if "failure" in kinds else "error" if "error" in kinds else \
            "skipped" if "skipped" in kinds else "passed"
        files[file][got] += 1
        seconds[file] += float(case.get("time") or 0.0)
    return files, seconds


def main(a, b):
    runs = [outcomes(a), outcomes(b)]
    for name, (files, seconds) in zip((a, b), runs):
        total = sum(files.values(), collections.Counter())
        print(f"{name}: {dict(total)}, tests' time {sum(seconds.values()):.1f} s, "
              f"{len(files)} files")
    bad = ("failed", "error", "skipped")
    for file in sorted(set(runs[0][0]) | set(runs[1][0])):
        one, two = runs[0][0].get(file, {}), runs[1][0].get(file, {})
        if any(one.get(k, 0) != two.get(k, 0) for k in bad) or \
                any(one.get(k, 0) or two.get(k, 0) for k in ("failed", "error")):
            print(f"  {file}: {dict(one)} -> {dict(two)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
