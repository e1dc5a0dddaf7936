#!/bin/sh
# build.sh OUTDIR FP: the leaky server and its stripped library, with frame pointers (FP=fp)
# or without (FP=nofp).
set -e
here=$(dirname "$0"); out=$1
if [ "$2" = fp ]; then fp=-fno-omit-frame-pointer; else fp=-fomit-frame-pointer; fi
mkdir -p "$out"
gcc -O2 $fp -fPIC -shared -o "$out/libleaky.so" "$here/leakylib.c"
strip --strip-unneeded "$out/libleaky.so"
gcc -O2 $fp -o "$out/leakyserver" "$here/leakyserver.c" -L"$out" -lleaky -Wl,-rpath,'$ORIGIN'
