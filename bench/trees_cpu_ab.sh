#!/usr/bin/env bash
# One pytest process on some test files of one tree, its caches cold, with each test's CPU and
# numba's compiles (issue 13|14, stop 70, fastci70: a before / after of a test change, or two
# stops' trees on the same unchanged files, without README's halves or xdist).
#
#   bash bench/trees_cpu_ab.sh TREE TAG [PYTEST ARGS...]
#
# Runs `python -m pytest -q` in TREE with an emptied NUMBA_CACHE_DIR and XDG_CACHE_HOME (numba's
# cache and ~/.cache/dualgrad-fused cold, as on a fresh machine) under DUALGRAD_ENGINE as set
# (unset: every test runs); its wall, user and sys seconds and pytest's last line are appended
# to /tmp/trees_cpu_ab/times, each test's CPU to /tmp/trees_cpu_ab/TAG/cpt.* (`python
# bench/cpu_per_test.py /tmp/trees_cpu_ab/TAG/cpt`), each compile to /tmp/trees_cpu_ab/TAG/clog.*
# (`python bench/compile_log.py /tmp/trees_cpu_ab/TAG/clog`).  Start two trees at once (`&`) so
# that they share the machine's load; alternate their order over rounds.  Prints only.
set -u
tree=$(cd "$1" && pwd); tag=$2; shift 2
bench=$(cd "$(dirname "$0")" && pwd)
out=/tmp/trees_cpu_ab/$tag
rm -rf "$out"; mkdir -p "$out/nc" "$out/xdg"
cd "$tree" || exit 2
echo "$tag start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> /tmp/trees_cpu_ab/times
NUMBA_CACHE_DIR="$out/nc" XDG_CACHE_HOME="$out/xdg" PYTHONPATH="$tree:$bench" CPU_PER_TEST="$out/cpt" \
    COMPILE_LOG="$out/clog" /usr/bin/time -f "$tag wall %e user %U sys %S" -a -o /tmp/trees_cpu_ab/times \
    python -m pytest -q -p no:cacheprovider -p cpu_per_test -p compile_log "$@" > "$out/log" 2>&1
tail -1 "$out/log" >> /tmp/trees_cpu_ab/times
