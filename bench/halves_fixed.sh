#!/usr/bin/env bash
# What README's eager half costs before its first test: start, collection and the tests it
# leaves out (issue 13|14, stop 63, fastci63), before against after.
#
#   bash bench/halves_fixed.sh BEFORE_TREE AFTER_TREE RECORD OUT_DIR ROUNDS
#
# Each tree's committed files (git archive of HEAD) are copied into OUT_DIR: no bytecode there.
# RECORD (a file a fused half of such a tree wrote, /tmp/dualgrad-halves-*/*.txt) is put in
# each copy's record folder (tests/_halves.py), as if its fused half had just run.  Then,
# ROUNDS times, alternating which goes first, three eager halves with `-n 2` that run no test
# (bench/left_out.py keeps only the tests the tree's conftest skips): before and after with
# PYTHONDONTWRITEBYTECODE=1 (every process compiles the test modules and dualgrad from
# source, as in an environment that sets it), and "after+pyc": the after copy with the
# bytecode a first run without the variable wrote (what .ci/run's clean clone gives the
# second half).  Each run's wall, user and sys seconds (the workers' too) and pytest's last
# line go to OUT_DIR/times.  Prints only.
set -u
out=$4; rounds=$5
bench=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for name in before after pyc; do
    src=$([ "$name" = before ] && echo "$1" || echo "$2")
    rm -rf "${out:?}/$name" && mkdir "$out/$name"
    git -C "$src" archive HEAD | tar -x -C "$out/$name"
    folder=$(cd "$out/$name/tests" && PYTHONPATH="$out/$name" python -c \
        "import _halves, os; print(_halves.folder(os.getcwd()))")
    mkdir -p "$folder" && cp "$3" "$folder/"
done
run() {     # name [VAR=value ...]
    local name=$1; shift
    echo "$name start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> "$out/times"
    (cd "$out/$name" && env "$@" PYTHONPATH="$out/$name:$bench" DUALGRAD_ENGINE=eager \
        /usr/bin/time -f "$name wall %e user %U sys %S" -a -o "$out/times" \
        python -m pytest -q -n 2 -p no:cacheprovider -p left_out > "$out/$name.log" 2>&1)
    tail -1 "$out/$name.log" >> "$out/times"
}
run pyc -u PYTHONDONTWRITEBYTECODE         # writes the after copy's bytecode
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) = 1 ]; then order="before after pyc"; else order="pyc after before"; fi
    for t in $order; do
        if [ "$t" = pyc ]; then run pyc -u PYTHONDONTWRITEBYTECODE; else run "$t" PYTHONDONTWRITEBYTECODE=1; fi
    done
done
cat "$out/times"
