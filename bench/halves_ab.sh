#!/usr/bin/env bash
# README's two halves on some test files, before against after (issue 13|14, stop 62, fastci62).
#
#   bash bench/halves_ab.sh BEFORE_TREE AFTER_TREE OUT_DIR ROUNDS FILE...
#
# Each tree (a checkout: its dualgrad and its tests/) runs its DUALGRAD_ENGINE=fused half on FILE...
# with a numba cache of its own, emptied first (NUMBA_CACHE_DIR: cold, as on a fresh clone); that
# half writes the tree's record (tests/_halves.py).  Then the eager halves, alternating
# before / after ROUNDS times (after first in even rounds), each on its tree's now-warm cache.
# Each run's wall, user and sys seconds (the workers' too) and pytest's last line go to
# OUT_DIR/times; each test's CPU to OUT_DIR/cpt.<tree>.<engine>.<round>.* (bench/cpu_per_test.py:
# `python bench/cpu_per_test.py OUT_DIR/cpt.after.eager.1`).  Prints only; -n 2 as on 2 cores.
set -u
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); out=$3; rounds=$4; shift 4
bench=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out/nc_before" "$out/nc_after"
rm -rf "$out"/nc_before/* "$out"/nc_after/*
run() {     # before|after, engine, round, files
    local name=$1 engine=$2 round=$3 tree; shift 3
    tree=$([ "$name" = before ] && echo "$before" || echo "$after")
    local tag="$name.$engine.$round"
    echo "$name $engine $round start $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)" >> "$out/times"
    (cd "$tree" && PYTHONPATH="$tree:$bench" NUMBA_CACHE_DIR="$out/nc_$name" CPU_PER_TEST="$out/cpt.$tag" \
        DUALGRAD_ENGINE=$engine /usr/bin/time -f "$name $engine $round wall %e user %U sys %S" \
        -a -o "$out/times" python -m pytest -q -n 2 -p no:cacheprovider -p cpu_per_test "$@" \
        > "$out/$tag.log" 2>&1)
    tail -1 "$out/$tag.log" >> "$out/times"
}
files=("$@")
run before fused 1 "${files[@]}"
run after fused 1 "${files[@]}"
for r in $(seq 1 "$rounds"); do
    if [ $((r % 2)) = 1 ]; then order="before after"; else order="after before"; fi
    for t in $order; do run "$t" eager "$r" "${files[@]}"; done
done
cat "$out/times"
