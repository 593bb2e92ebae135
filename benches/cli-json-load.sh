#!/usr/bin/env bash
# validate vs Python json.load, three paired runs at 300k and 1M (issue #11). Run from the repository root.
B=${PEAKEND:-target/release/peakend}
G=${GENERATE:-target/release/examples/generate}
for n in 300000 1000000; do
  f=/tmp/scale/L${n}_21.json
  [ -s $f ] || $G $n 100 4 1 > $f
  for i in 1 2 3; do
    /usr/bin/time -o /tmp/tp.txt -f "%e %M" python3 -c "import json; json.load(open('$f'))"; echo "$n python $(cat /tmp/tp.txt)"
    /usr/bin/time -o /tmp/tp.txt -f "%e %M" $B validate $f > /dev/null; echo "$n validate $(cat /tmp/tp.txt)"
  done
done
