"""The argument sets of the CLI parity suite.

Each case runs ``sysdig -r CAPTURE ARGS...`` and ``sysdive -r CAPTURE ARGS...``; their stdout
must be byte-identical. sysdig's output is stored in ``expected/<name>.out`` (``.out.gz`` when
large). Outputs are kept small with ``-n`` or filters where the full capture is not needed.

An argument ``@NAME`` stands for the path of sample capture NAME (for a second ``-r``).

``xfail`` names a feature that is known to be missing: the case is expected to mismatch, and
the test fails as soon as it matches, so the marker gets removed when the feature lands.
"""

from __future__ import annotations

from dataclasses import replace

from support import CURL, IPV6, SAMPLES, USER0, Case
from support import case as _c

CAPTURES = SAMPLES

CONTAINER_FIELDS = ("*%evt.num %container.id %container.name %container.image "
                    "%container.image.id %container.type %container.privileged "
                    "%container.mounts %container.image.repository %container.image.tag "
                    "%container.image.digest %container.healthcheck "
                    "%container.liveness_probe %container.readiness_probe")
K8S_FIELDS = ("*%evt.num %k8s.pod.name %k8s.pod.id %k8s.pod.label.app %k8s.pod.labels "
              "%k8s.rc.name %k8s.rc.label.x %k8s.svc.name %k8s.svc.id %k8s.ns.name "
              "%k8s.ns.labels %k8s.rs.name %k8s.deployment.name %k8s.deployment.label.a/b")


EVT_FIELDS = ("*%evt.num %evt.type %evt.dir %evt.arg.fd %evt.arg[0] %evt.arg[1] "
              "%evt.rawarg.res %evt.res %evt.rawres %evt.failed %evt.latency %evt.is_io "
              "%evt.buflen")
TIME_FIELDS = ("*%evt.num %evt.time %evt.time.s %evt.datetime %evt.rawtime %evt.rawtime.s "
               "%evt.rawtime.ns %evt.reltime %evt.deltatime %evt.latency.s %evt.latency.ns "
               "%evt.outputtime")
PROC_FIELDS = ("*%evt.num %proc.pid %proc.ppid %proc.name %proc.pname %proc.aname "
               "%proc.aname[2] %proc.apid %proc.exe %proc.args %proc.cmdline %proc.cwd "
               "%proc.vmsize %proc.vmrss %proc.vmswap %proc.nthreads %proc.nchilds")
THREAD_FIELDS = ("*%evt.num %thread.tid %thread.vtid %thread.ismain %thread.exectime "
                 "%thread.totexectime %thread.vmsize %thread.vmrss %thread.pfmajor "
                 "%thread.pfminor %thread.nametid")
FD_FIELDS = ("*%evt.num %evt.type %fd.num %fd.type %fd.typechar %fd.name %fd.directory "
             "%fd.filename %fd.sip %fd.cip %fd.lip %fd.rip %fd.sport %fd.cport %fd.lport "
             "%fd.rport %fd.l4proto %fd.sockfamily %fd.is_server")
USER_FIELDS = "*%evt.num %user.uid %user.name %user.homedir %user.shell %group.gid %group.name"

CASES: tuple[Case, ...] = (
    # --- default line and presets --------------------------------------------------------
    _c("curl_default", CURL),
    _c("ipv6_default", IPV6),
    _c("user0_default", USER0),
    _c("curl_pc", CURL, "-pc", "-n", "300"),
    _c("ipv6_pc", IPV6, "-pc"),
    _c("user0_pc", USER0, "-pc", "container.id!=host and evt.num<1700"),
    _c("user0_debug_container_type", USER0, "-D", "evt.type=container"),
    # --- filter operators ----------------------------------------------------------------
    _c("filter_eq", CURL, "evt.type=connect"),
    _c("filter_ne", CURL, "evt.type!=mmap and evt.num<420"),
    _c("filter_lt", CURL, "evt.num<330"),
    _c("filter_le", CURL, "evt.num<=330"),
    _c("filter_gt", CURL, "evt.num>1200"),
    _c("filter_ge", CURL, "evt.num>=1200"),
    _c("filter_contains", CURL, "fd.name contains resolv"),
    _c("filter_icontains", CURL, "fd.name icontains ReSoLv"),
    _c("filter_startswith", CURL, "fd.name startswith /etc"),
    _c("filter_endswith", CURL, "fd.name endswith .so.6"),
    _c("filter_glob", CURL, "fd.name glob /lib/*/libc*"),
    _c("filter_in", CURL, "evt.type in (socket, getsockopt, setsockopt)"),
    _c("filter_pmatch", CURL, "fd.name pmatch (/etc, /usr/share)"),
    _c("filter_exists", CURL, "fd.sip exists"),
    _c("filter_bool_parens", CURL,
       "(evt.type=open or evt.type=stat) and not fd.name contains lib"),
    _c("filter_not_and", CURL, "not evt.type=mmap and evt.num<400"),
    _c("filter_or_chain", IPV6, "evt.type=bind or evt.type=listen or evt.type=accept"),
    _c("filter_rawres_lt", CURL, "evt.rawres<0"),
    _c("filter_failed", USER0, "evt.failed=true"),
    _c("filter_proc_user0", USER0, "proc.name=bash and evt.dir=<"),
    _c("filter_user_name", USER0, "user.name=root and evt.type in (execve, clone, procexit)"),
    _c("filter_fd_port", IPV6, "fd.sport=8080 or fd.cport>0"),
    _c("filter_display_d", CURL, "-d", "evt.type=close"),
    # A filter whose event types cannot be narrowed (evt.num matches any type).
    _c("filter_untyped_or", IPV6, "evt.type=listen or evt.num=0"),
    _c("filter_untyped_ne", USER0, "-n", "300", "proc.name!=zzz"),
    # --- -p formats ----------------------------------------------------------------------
    _c("p_star_evt", CURL, "-n", "520", "-p", EVT_FIELDS),
    _c("p_nostar_fd", CURL, "-n", "600", "-p", "%evt.num %evt.type %fd.name"),
    _c("p_width", CURL, "-n", "400", "-p", "%10proc.name|%5evt.num|%8evt.type|%3evt.cpu|%2evt.info"),
    _c("p_escapes", IPV6, "-p", "%evt.num\\t%evt.type\\n%evt.info"),
    _c("p_evt_args", IPV6, "-p", "*%evt.num %evt.arg.fd %evt.arg.addr %evt.arg.tuple "
       "%evt.arg[2] %evt.args %evt.info"),
    _c("p_evt_fields", IPV6, "-p", EVT_FIELDS),
    _c("p_evt_time", CURL, "-n", "460", "-p", TIME_FIELDS),
    _c("p_evt_buffer", CURL, "-p", "*%evt.num %evt.buflen %evt.buffer",
       "evt.is_io=true"),
    _c("p_evt_buffer_ipv6", IPV6, "-p", "*%evt.num %evt.buflen %evt.buffer %evt.is_io"),
    _c("p_evt_misc", USER0, "-n", "300", "-p",
       "*%evt.num %evt.category %evt.cpu %evt.is_wait %evt.is_io_read %evt.is_io_write "
       "%evt.io_dir %syscall.type %evt.count %evt.abspath"),
    _c("p_proc", CURL, "-p", PROC_FIELDS, "evt.type in (execve, clone, procexit, open)"),
    _c("p_proc_user0", USER0, "-p", PROC_FIELDS,
       "evt.type in (execve, clone, procexit, open, kill, wait4)"),
    _c("p_thread", CURL, "-n", "300", "-p", THREAD_FIELDS),
    _c("p_thread_user0", USER0, "-p", THREAD_FIELDS, "evt.type in (clone, execve, futex)"),
    _c("p_fd", CURL, "-p", FD_FIELDS, "fd.num>=0"),
    _c("p_fd_ipv6", IPV6, "-p", FD_FIELDS),
    _c("p_fd_user0", USER0, "-p", FD_FIELDS, "evt.type in (open, close, pipe, read, write)"
       " and evt.num<2500"),
    _c("p_user_group", USER0, "-n", "400", "-p", USER_FIELDS),
    _c("p_user_group_curl", CURL, "-n", "420", "-p", USER_FIELDS),
    # Filters and formats that read no fd state: fd-only parsing is skipped for rejected
    # events (Parser.skippable_types fd_state=False); the output must not change.
    _c("p_vmrss_brk", CURL, "-p", "%proc.vmrss", "evt.type=brk and proc.name contains cur"),
    _c("p_thread_only_mem", CURL, "-p", "*%evt.num %evt.latency %evt.type %evt.dir "
       "%proc.name %proc.vmrss %proc.vmsize %thread.tid",
       "evt.type in (brk, mmap, munmap, mprotect, access, execve, clone, procexit)"),
    _c("p_thread_only_user0", USER0, "-p", PROC_FIELDS,
       "evt.type in (brk, mmap, futex, nanosleep, wait4, kill) and proc.name != bash"),
    # fd.dev of files and directories (open exits and the fd lists); sysdig prints
    # uninitialised memory for other fd types (it differs from run to run), so not those.
    _c("p_fd_dev", CURL, "-p", "*%evt.num %evt.type %fd.name %fd.dev %fd.dev.major %fd.dev.minor",
       "fd.type in (file, directory)"),
    _c("p_fd_dev_user0", USER0, "-p", "*%evt.num %fd.num %fd.name %fd.dev %fd.dev.major "
       "%fd.dev.minor", "fd.type in (file, directory) and evt.dir=<"),
    # Filters over evt.type, proc.name and fd.name only: the batch loop rejects the events
    # of types that change no state without building them (Parser.reject_fast).
    _c("fast_fd_name", CURL, "-p", "%evt.num %evt.type %fd.name %proc.name",
       "fd.name contains libc"),
    _c("fast_fd_name_user0", USER0, "-p", "%evt.num %evt.type %fd.name %evt.latency",
       "fd.name contains lib or (evt.type in (read, write) and proc.name != bash)"),
    _c("fast_fd_name_ipv6", IPV6, "-p", "%evt.num %evt.type %fd.num %fd.name",
       "not fd.name startswith /dev and evt.type != clock_gettime"),
    # Filters that may match any type: generic syscall events and procinfo (of threads the
    # table lacks too) are rejected without an Event when evt.type is not read; proc.name
    # compared in C (the filter compiler's native form over the thread's comm).
    _c("fast_untyped_comm", USER0, "-p", "%evt.num %evt.type %proc.name %thread.tid",
       "proc.name=sshd"),
    _c("fast_untyped_comm_ne", IPV6, "-p", "%evt.num %evt.type %proc.name",
       "proc.name!=sshd and proc.name!=bash"),
    _c("fast_untyped_or", CURL, "-p", "%evt.num %evt.type %fd.name %proc.name",
       "proc.name startswith zz or fd.name contains /etc"),
    _c("fast_untyped_type", CURL, "-p", "%evt.num %evt.type %proc.name",
       "evt.type=mprotect or proc.name=nothing"),
    _c("p_thread_only_io", IPV6, "-p", USER_FIELDS + " %evt.type %evt.latency",
       "evt.type in (read, write, brk, poll) or proc.pid < 0"),
    # --- output flags --------------------------------------------------------------------
    _c("json", CURL, "-j", "-n", "420"),
    _c("json_ipv6", IPV6, "-j"),
    _c("json_p", IPV6, "-j", "-p", "%evt.num %evt.type %fd.name %proc.name"),
    _c("json_x", CURL, "-j", "-x", "evt.is_io=true"),
    _c("json_A", CURL, "-j", "-A", "evt.is_io=true"),
    _c("json_b", IPV6, "-j", "-b"),
    _c("json_X", IPV6, "-j", "-X"),
    _c("ascii_A", CURL, "-A", "evt.is_io=true"),
    _c("hex_x", CURL, "-x", "evt.is_io=true"),
    _c("hexascii_X", CURL, "-X", "evt.is_io=true"),
    _c("base64_b", CURL, "-b", "evt.is_io=true"),
    _c("hex_x_ipv6", IPV6, "-x"),
    _c("verbose_v", CURL, "-v", "evt.is_io=true or evt.type=execve"),
    _c("snaplen_s", CURL, "-s", "2000", "evt.is_io=true"),
    _c("snaplen_s_v", CURL, "-s", "2000", "-v", "-A", "evt.type=read"),
    _c("snaplen_atoi", IPV6, "-s", "abc"),  # sysdig reads -s with atoi(): no error
    _c("time_h", CURL, "-t", "h", "-n", "380"),
    _c("time_a", CURL, "-t", "a", "-n", "380"),
    _c("time_r", CURL, "-t", "r", "-n", "380"),
    _c("time_d", CURL, "-t", "d", "-n", "380"),
    _c("time_D", CURL, "-t", "D", "-n", "380"),
    _c("time_d_filter", USER0, "-t", "d", "evt.type=select"),
    _c("time_r_ipv6", IPV6, "-t", "r"),
    _c("count_n", USER0, "-n", "500"),
    _c("summary_S", CURL, "-S", "evt.type in (open, close, connect)"),
    _c("summary_S_q", CURL, "-S", "-q"),
    _c("summary_S_q_ipv6", IPV6, "-S", "-q"),
    _c("summary_S_q_user0", USER0, "-S", "-q"),
    _c("summary_S_q_filter", USER0, "-S", "-q", "evt.dir=< and proc.name!=bash"),
    _c("summary_S_twice", CURL, "-S", "-S", "-q"),
    _c("summary_S_n", USER0, "-S", "-n", "100"),
    _c("summary_S_debug", USER0, "-S", "-q", "-D"),
    _c("quiet_q", CURL, "-q"),  # nothing on stdout, like sysdig
    _c("debug_D", CURL, "-D", "evt.num<20 or evt.num>1500"),
    _c("debug_D_ipv6", IPV6, "-D", "-n", "34"),
    _c("debug_D_user0", USER0, "-D", "evt.type in (procinfo, signaldeliver, procexit)"),
    _c("progress_P", IPV6, "-P"),
    _c("progress_P_filter", CURL, "-P", "evt.type=connect"),
    # --- several -r files: numbering, state and -n restart with each file -----------------
    _c("multi_file", CURL, "-r", "@" + IPV6, "evt.type in (socket, connect, bind, listen)"),
    _c("multi_file_t_r", IPV6, "-r", "@" + CURL, "-t", "r", "evt.type in (socket, connect)"),
    _c("multi_file_S", CURL, "-r", "@" + IPV6, "-S", "-q"),
    _c("multi_file_n", CURL, "-r", "@" + IPV6, "-n", "25",
       "evt.type in (socket, connect, bind, listen, read, write, accept)"),
    # --- event types that are rare in the captures (each printed at least once) -----------
    _c("rare_curl", CURL, "evt.type in (clone, execve, exit, exit_group, procexit, pipe, "
       "getrusage, getrlimit, arch_prctl, madvise, set_tid_address, gettimeofday, stat, "
       "getpeername, getsockname, futex, ioctl)"),
    _c("rare_user0", USER0, "evt.type in (kill, pause, wait4, getdents, nanosleep, setpgid, "
       "statfs, alarm, ftruncate, getpid, timerfd_settime, inotify_add_watch, sigreturn, "
       "signaldeliver, epoll_wait, epoll_pwait, pselect6, getuid, getgid, geteuid, getegid, "
       "munmap, brk, pipe, execve, clone, exit_group, procexit, set_robust_list, "
       "set_tid_address, getrlimit, arch_prctl)"),
    _c("rare_user0_io", USER0, "-n", "40", "evt.type in (poll, mmap, close, stat, mprotect, "
       "access, fstat, open, rt_sigaction, ioctl)"),
    # --- containers (run_as_user_0_container: an nginx container with container events) ---
    _c("user0_pc_all", USER0, "-pc"),
    _c("user0_pk", USER0, "-pk"),
    _c("user0_pm", USER0, "-pm", "-n", "400"),
    _c("user0_p_container", USER0, "-p", CONTAINER_FIELDS),
    _c("user0_p_container_nostar", USER0, "-p", "%evt.num %container.name %container.image "
       "%proc.name"),
    _c("user0_p_mounts", USER0, "-p", "*%evt.num %container.mount[0] %container.mount[/x*] "
       "%container.mount.source[0] %container.mount.dest[/etc] %container.mount.mode[1] "
       "%container.mount.rdwr[0] %container.mount.propagation[0]", "container.id!=host"),
    _c("user0_p_k8s", USER0, "-p", K8S_FIELDS, "evt.num<2000"),
    _c("user0_p_mesos", USER0, "-n", "300", "-p", "*%evt.num %mesos.task.name "
       "%mesos.task.label.x|%marathon.app.labels %marathon.app.label.a.b %marathon.group.id"),
    _c("user0_json_container", USER0, "-j", "-p", CONTAINER_FIELDS, "evt.num<2200"),
    _c("user0_json_pc", USER0, "-j", "-pc", "evt.num<2000"),
    _c("user0_json_pk", USER0, "-j", "-pk", "container.id!=host"),
    _c("filter_container_name", USER0, "container.name=hopeful_taussig"),
    _c("filter_container_not_name", USER0, "-pc", "not container.name=hopeful_taussig and "
       "evt.num<600"),
    _c("filter_container_id", USER0, "-pc", "container.id=697956520d89 and evt.type=open"),
    _c("filter_container_host", USER0, "-pc", "container.id=host and evt.dir=<"),
    _c("filter_container_image", USER0, "-pc", "container.image=nginx and fd.type=file"),
    _c("filter_container_image_ops", USER0, "-pc", "container.image.repository startswith ngi "
       "and container.image.tag=latest and container.image.id contains f68d"),
    _c("filter_container_type", USER0, "-pc", "container.type=docker and evt.type in "
       "(execve, clone)"),
    _c("filter_container_contains", USER0, "-pc", "container.name contains taussig and "
       "proc.name=nginx"),
    _c("filter_container_in", USER0, "-pc", "container.name in (hopeful_taussig, nothere) "
       "and evt.type=write"),
    _c("filter_container_glob", USER0, "-pc", "container.name glob hope*sig and evt.dir=>"),
    _c("filter_container_privileged", USER0, "-pc", "container.privileged=false and "
       "evt.type=close"),
    _c("filter_container_exists", USER0, "-pc", "container.image exists and evt.type=mmap"),
    _c("filter_container_digest", USER0, "-pc", "container.image.digest startswith sha256: "
       "and evt.type=brk"),
    _c("filter_container_healthcheck", USER0, "-pc", "container.healthcheck=NONE"),
    _c("filter_k8s_missing", USER0, "-pc", "k8s.pod.name exists or k8s.ns.name=default"),
    _c("filter_container_mount", USER0, "-pc", "container.mounts=\"\" and evt.type=open"),
    _c("summary_S_container", USER0, "-S", "-q", "container.id!=host"),
)

# Every argument set above that runs on another capture, run on the container capture too.
CASES += tuple(
    replace(c, name="u0_" + c.name, capture=USER0) for c in CASES if c.capture != USER0
)

