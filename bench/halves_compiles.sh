#!/usr/bin/env bash
# README's two halves on some test files of one tree, with each test's CPU and numba's compiles
# (issue 13|14, stop 69, fastci69).
#
#   bash bench/halves_compiles.sh TREE TAG FILE...
#
# A clean copy of the tree (git clone, as .ci/run's) runs its DUALGRAD_ENGINE=fused half on FILE...
# (`-n 2`, numba's cache cold in the copy as on CI's clone; that half writes the tree's record,
# tests/_halves.py), then its eager half on the cache and record the fused half left.  Each half's
# wall, user and sys seconds (the workers' too) and pytest's last line go to /tmp/halves.TAG/times;
# each test's CPU to cpt.<engine>.* (`python bench/cpu_per_test.py /tmp/halves.TAG/cpt.fused`),
# each compile to clog.<engine>.* (`python bench/compile_log.py /tmp/halves.TAG/clog.eager`).
# Two trees started at once (a before and an after) share the machine's load.  With no FILE the
# whole suite runs (pyproject's testpaths); with COLD=1 XDG_CACHE_HOME is a fresh folder of the
# run, so dualgrad's generated fused kernels (dualgrad-fused) start cold too, as on a fresh
# machine, and pytest's 60 slowest durations end each log (stop 72, fastci72).  Prints only.
set -u
tree=$(cd "$1" && pwd); tag=$2; shift 2
bench=$(cd "$(dirname "$0")" && pwd)
out=/tmp/halves.$tag
rm -rf "$out"; mkdir -p "$out"
git clone -q "$tree" "$out/tree"
(cd "$tree" && git diff --quiet HEAD) || echo "halves_compiles: $tree has uncommitted changes (not copied)" >&2
cd "$out/tree" || exit 2
unset PYTHONDONTWRITEBYTECODE
extra=()
if [ "${COLD:-0}" = 1 ]; then
    mkdir -p "$out/xdg"; export XDG_CACHE_HOME="$out/xdg"; extra=(--durations=60)
fi
for engine in fused eager; do
    echo "$engine start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> "$out/times"
    PYTHONPATH="$out/tree:$bench" CPU_PER_TEST="$out/cpt.$engine" COMPILE_LOG="$out/clog.$engine" \
        DUALGRAD_ENGINE=$engine /usr/bin/time -f "$engine wall %e user %U sys %S" -a -o "$out/times" \
        python -m pytest -q -n 2 -p no:cacheprovider -p cpu_per_test -p compile_log "${extra[@]}" "$@" \
        > "$out/$engine.log" 2>&1
    tail -1 "$out/$engine.log" >> "$out/times"
done
echo "end $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> "$out/times"
cat "$out/times"
