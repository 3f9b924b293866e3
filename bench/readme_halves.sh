#!/usr/bin/env bash
# README's test command's two halves, whole, on a clean clone of a tree (issue 13|14, stop 71,
# eager71): what each half costs and what it ran.
#
#   bash bench/readme_halves.sh TREE OUT_DIR
#
# TREE (a repository; its HEAD is cloned, as .ci/run's clone) runs its DUALGRAD_ENGINE=fused
# half, which writes the tree's record (tests/_halves.py), then its eager half, each `-n 2` as
# README's `-n auto` on two cores, with the environment's interpreter (PYTHONPATH at the clone:
# no install) and PYTHONDONTWRITEBYTECODE unset as in .ci/run.  Each half's wall, user and sys
# seconds (the workers' too), the load as it starts and pytest's last line go to OUT_DIR/times;
# each test's outcome to OUT_DIR/<engine>.xml (junit: `python bench/junit_outcomes.py A B`
# compares two runs file by file).  Prints only.
#
# With REUSE=1, OUT_DIR/tree (an earlier run's clone, its numba cache warm) runs again and
# OUT_DIR/times is appended to; set another DUALGRAD_* variable (DUALGRAD_RUN=warm, say) for
# a record folder of its own (an earlier first half's record is read too, tests/_halves.py).
set -u
tree=$(cd "$1" && pwd); out=$2
if [ "${REUSE:-0}" != 1 ]; then
    rm -rf "$out"; mkdir -p "$out"
    git clone -q "$tree" "$out/tree"
    (cd "$tree" && git diff --quiet HEAD) || echo "readme_halves: $tree has uncommitted changes (not copied)" >&2
fi
cd "$out/tree" || exit 2
unset PYTHONDONTWRITEBYTECODE
echo "tree $(git rev-parse --short HEAD)" >> "$out/times"
for engine in fused eager; do
    echo "$engine start $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/times"
    PYTHONPATH="$out/tree" DUALGRAD_ENGINE=$engine \
        /usr/bin/time -f "$engine wall %e user %U sys %S" -a -o "$out/times" \
        python -m pytest -q -n 2 --junitxml="$out/$engine.xml" > "$out/$engine.log" 2>&1
    tail -1 "$out/$engine.log" >> "$out/times"
done
echo "end $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/times"
cat "$out/times"
