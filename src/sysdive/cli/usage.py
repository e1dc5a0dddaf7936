"""The ``sysdive -h`` text."""

USAGE = """\
Usage: sysdive [options] -r FILE [-p FORMAT] [filter]

Reads sysdig .scap captures (plain or gzip, concatenated sections too) and prints, filters
and copies their events exactly as sysdig 0.29.3 does.

Input and output
  -r, --readfile FILE     read events from FILE (repeatable: each file is read in turn)
  -w, --writefile FILE    write the events that pass the filter to FILE (sysdig reads it)
  -z, --compress          gzip the file written with -w
  -F, --fatfile           with -w, keep filtered-out state-changing events as state-only
  -n, --numevents N       stop after N events that passed the filter
  -M SECONDS              stop after SECONDS of capture time
  -s, --snaplen N         bytes of I/O buffers to capture (live capture)

Printing
  -p, --print FORMAT      output format: %field tokens and text; a leading * prints lines
                          with missing fields as <NA>. -pc/-pk/-pm: container presets;
                          -pp prints the default format
  -j, --json              one JSON object per event (fields of the format, keys sorted)
  -A, --print-ascii       buffers: printable text and line ends only
  -x, --print-hex         buffers: hex rows
  -X, --print-hex-ascii   buffers: hex rows with their ASCII
  -b, --print-base64      buffers: base64
  -v, --verbose           do not cut buffers to 80 characters; counters on stderr at exit
  -t, --timetype h|a|r|d|D  evt.outputtime as time of day, absolute, relative to the first
                          event, latency of the call, or delta to the previous line
  -q, --quiet             print no events (with -S or -w)
  -S, --summary           print a table of event counts at the end
  -d, --displayflt        apply the filter after state tracking, to the printed lines only
  -D, --debug             also print internal events (procinfo, ...)
  -P, --progress          print the percentage of the file read on stderr
  --unbuffered            flush after every line

Live capture (without -r; root)
  -w FILE                 write every event (or, with a filter, the matching ones) to FILE
  -C MB, -G S, -e N, -W N rotate the -w file by size, time or events; keep N files
  -U, --suppress-comm NAME  skip threads named NAME and their descendants
  --buffer-size BYTES     event buffer per CPU (default 32M)
  In-kernel pre-filters (events not generated at all, so a busy host costs little):
  --pid PID[,PID]         these processes and every process they start
  --comm NAME[,NAME]      threads named NAME and the processes they start
  --cgroup PATH           processes in this cgroup or below it (/docker/ID, or a directory
                          under /sys/fs/cgroup; cgroup v1 and v2)
  --container NAME|ID     processes of this Docker container (its cgroup)
  --syscalls LIST         only these syscalls (names, @file, @net, @proc, @mem, @state),
                          plus the ones process and fd names need (@state)
  --pid and --comm select together (either matches); --cgroup/--container and --syscalls
  narrow that further. Each option may be repeated.

Containers (live capture)
  --cri PATH              CRI socket (containerd, CRI-O) for container metadata, instead of
                          /run/containerd/containerd.sock (repeatable)
  --cri-timeout MS        how long one CRI request may take (default 1000)

Memory
  --memory-story [FILTER] one screen: the processes and containers that grew (rate, time to
                          the cgroup limit), the brk/mmap/munmap that grew them, the top
                          allocating stacks (live only) and the OOM kills. With -r FILE it
                          reads a capture; without, it captures live (root) for -M SECONDS
                          or until Ctrl-C, into -w FILE if given. -j prints JSON
  --alloc-stacks [TARGET] (live, root) user call stacks at every heap-growing brk and anonymous mmap,
                          unwound without frame pointers; bytes and calls per stack.
                          TARGET: proc.pid=PID, container.name=NAME, container.id=ID, or
                          nothing for the whole host. Stops after -M SECONDS or Ctrl-C.
                          -j prints JSON
  --top N                 stacks shown (default 10)
  --flamegraph FILE       also write a flame graph of the stacks (SVG)

Listing
  -l, --list              list the fields usable in filters and formats (-lv: with detail)
  -L, --list-events       list the event types
  -h, --help              this text
  --version               sysdive's version

Filters use sysdig's language: evt.type in (brk,mmap) and proc.name contains cur.
Unlike sysdig 0.29.3, 'and' binds tighter than 'or', so mixing them needs no brackets.
"""
