"""Memory troubleshooting: OOM kills as events (:mod:`~sysdive.memory.oom`) and allocation
stacks (:mod:`~sysdive.memory.stacks`: live capture of user stacks at brk/mmap, unwound with
the ``.eh_frame`` CFI and symbolized from the process's own binaries)."""
