#!/usr/bin/env bash
# CLI table for issue #11: time and max RSS per command, size and emotion levels.
# Run from the repository root after `cargo build --release --examples`; prints "N LEVELS COMMAND seconds KB".
B=${PEAKEND:-target/release/peakend}
G=${GENERATE:-target/release/examples/generate}
D=${SCALE_DIR:-/tmp/scale}
mkdir -p $D
sizes="${SIZES:-1000 10000 100000 1000000}"
for n in $sizes; do
  for l in 5 21 1001 0; do
    f=$D/L${n}_$l.json
    [ -s $f ] || $G $n 100 4 1 $l > $f
    for cmd in validate analyze simulate recommend; do
      extra=""
      [ $cmd = simulate ] && extra="--set t500=3"
      [ $cmd = analyze ] && extra="--format json"
      [ $cmd = recommend ] && extra="--format json"
      /usr/bin/time -o /tmp/t.txt -f "%e %M" timeout 300 $B $cmd $f $extra > /dev/null 2>/tmp/err.txt; r=$(tail -1 /tmp/t.txt)
      echo "$n $l $cmd $r"
    done
  done
done
