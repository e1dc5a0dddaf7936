"""Syscall names and the x86_64 syscall routing of the sysdig 0.29.3 driver.

Names come from ``g_syscall_info_table`` (userspace/libscap/syscall_info_table.c) and the
routing from ``g_syscall_table`` / ``g_syscall_code_routing_table`` (driver/syscall_table.c) of
falcosecurity/libs at e5c53d64, evaluated with the x86_64 ``__NR_*`` numbers. The trailing
comments name the x86_64 syscall of each native number.
"""

from __future__ import annotations

from enum import IntFlag

__all__ = [
    "SYSCALL_FLAGS",
    "SYSCALL_NAMES",
    "SYSCALL_NR_TO_SC",
    "SYSCALL_ROUTING",
    "SyscallFlag",
]


class SyscallFlag(IntFlag):
    """Per-syscall driver flags (``UF_*``) from the syscall table."""

    NONE = 0
    USED = 1 << 0
    NEVER_DROP = 1 << 1
    ALWAYS_DROP = 1 << 2
    SIMPLEDRIVER_KEEP = 1 << 3
    ATOMIC = 1 << 4
    UNINTERESTING = 1 << 5


SYSCALL_NAMES: tuple[str, ...] = (
    "<unknown>",  # 0
    "restart_syscall",  # 1
    "exit",  # 2
    "read",  # 3
    "write",  # 4
    "open",  # 5
    "close",  # 6
    "creat",  # 7
    "link",  # 8
    "unlink",  # 9
    "chdir",  # 10
    "time",  # 11
    "mknod",  # 12
    "chmod",  # 13
    "stat",  # 14
    "lseek",  # 15
    "getpid",  # 16
    "mount",  # 17
    "ptrace",  # 18
    "alarm",  # 19
    "fstat",  # 20
    "pause",  # 21
    "utime",  # 22
    "access",  # 23
    "sync",  # 24
    "kill",  # 25
    "rename",  # 26
    "mkdir",  # 27
    "rmdir",  # 28
    "dup",  # 29
    "pipe",  # 30
    "times",  # 31
    "brk",  # 32
    "acct",  # 33
    "ioctl",  # 34
    "fcntl",  # 35
    "setpgid",  # 36
    "umask",  # 37
    "chroot",  # 38
    "ustat",  # 39
    "dup2",  # 40
    "getppid",  # 41
    "getpgrp",  # 42
    "setsid",  # 43
    "sethostname",  # 44
    "setrlimit",  # 45
    "getrusage",  # 46
    "gettimeofday",  # 47
    "settimeofday",  # 48
    "symlink",  # 49
    "lstat",  # 50
    "readlink",  # 51
    "uselib",  # 52
    "swapon",  # 53
    "reboot",  # 54
    "mmap",  # 55
    "munmap",  # 56
    "truncate",  # 57
    "ftruncate",  # 58
    "fchmod",  # 59
    "getpriority",  # 60
    "setpriority",  # 61
    "statfs",  # 62
    "fstatfs",  # 63
    "syslog",  # 64
    "setitimer",  # 65
    "getitimer",  # 66
    "uname",  # 67
    "vhangup",  # 68
    "wait4",  # 69
    "swapoff",  # 70
    "sysinfo",  # 71
    "fsync",  # 72
    "setdomainname",  # 73
    "adjtimex",  # 74
    "mprotect",  # 75
    "init_module",  # 76
    "delete_module",  # 77
    "quotactl",  # 78
    "getpgid",  # 79
    "fchdir",  # 80
    "sysfs",  # 81
    "personality",  # 82
    "getdents",  # 83
    "select",  # 84
    "flock",  # 85
    "msync",  # 86
    "readv",  # 87
    "writev",  # 88
    "getsid",  # 89
    "fdatasync",  # 90
    "mlock",  # 91
    "munlock",  # 92
    "mlockall",  # 93
    "munlockall",  # 94
    "sched_setparam",  # 95
    "sched_getparam",  # 96
    "sched_setscheduler",  # 97
    "sched_getscheduler",  # 98
    "sched_yield",  # 99
    "sched_get_priority_max",  # 100
    "sched_get_priority_min",  # 101
    "sched_rr_get_interval",  # 102
    "nanosleep",  # 103
    "mremap",  # 104
    "poll",  # 105
    "prctl",  # 106
    "rt_sigaction",  # 107
    "rt_sigprocmask",  # 108
    "rt_sigpending",  # 109
    "rt_sigtimedwait",  # 110
    "rt_sigqueueinfo",  # 111
    "rt_sigsuspend",  # 112
    "getcwd",  # 113
    "capget",  # 114
    "capset",  # 115
    "sendfile",  # 116
    "getrlimit",  # 117
    "lchown",  # 118
    "getuid",  # 119
    "getgid",  # 120
    "geteuid",  # 121
    "getegid",  # 122
    "setreuid",  # 123
    "setregid",  # 124
    "getgroups",  # 125
    "setgroups",  # 126
    "fchown",  # 127
    "setresuid",  # 128
    "getresuid",  # 129
    "setresgid",  # 130
    "getresgid",  # 131
    "chown",  # 132
    "setuid",  # 133
    "setgid",  # 134
    "setfsuid",  # 135
    "setfsgid",  # 136
    "pivot_root",  # 137
    "mincore",  # 138
    "madvise",  # 139
    "gettid",  # 140
    "setxattr",  # 141
    "lsetxattr",  # 142
    "fsetxattr",  # 143
    "getxattr",  # 144
    "lgetxattr",  # 145
    "fgetxattr",  # 146
    "listxattr",  # 147
    "llistxattr",  # 148
    "flistxattr",  # 149
    "removexattr",  # 150
    "lremovexattr",  # 151
    "fremovexattr",  # 152
    "tkill",  # 153
    "futex",  # 154
    "sched_setaffinity",  # 155
    "sched_getaffinity",  # 156
    "set_thread_area",  # 157
    "get_thread_area",  # 158
    "io_setup",  # 159
    "io_destroy",  # 160
    "io_getevents",  # 161
    "io_submit",  # 162
    "io_cancel",  # 163
    "exit_group",  # 164
    "epoll_create",  # 165
    "epoll_ctl",  # 166
    "epoll_wait",  # 167
    "remap_file_pages",  # 168
    "set_tid_address",  # 169
    "timer_create",  # 170
    "timer_settime",  # 171
    "timer_gettime",  # 172
    "timer_getoverrun",  # 173
    "timer_delete",  # 174
    "clock_settime",  # 175
    "clock_gettime",  # 176
    "clock_getres",  # 177
    "clock_nanosleep",  # 178
    "tgkill",  # 179
    "utimes",  # 180
    "mq_open",  # 181
    "mq_unlink",  # 182
    "mq_timedsend",  # 183
    "mq_timedreceive",  # 184
    "mq_notify",  # 185
    "mq_getsetattr",  # 186
    "kexec_load",  # 187
    "waitid",  # 188
    "add_key",  # 189
    "request_key",  # 190
    "keyctl",  # 191
    "ioprio_set",  # 192
    "ioprio_get",  # 193
    "inotify_init",  # 194
    "inotify_add_watch",  # 195
    "inotify_rm_watch",  # 196
    "openat",  # 197
    "mkdirat",  # 198
    "mknodat",  # 199
    "fchownat",  # 200
    "futimesat",  # 201
    "unlinkat",  # 202
    "renameat",  # 203
    "linkat",  # 204
    "symlinkat",  # 205
    "readlinkat",  # 206
    "fchmodat",  # 207
    "faccessat",  # 208
    "pselect6",  # 209
    "ppoll",  # 210
    "unshare",  # 211
    "set_robust_list",  # 212
    "get_robust_list",  # 213
    "splice",  # 214
    "tee",  # 215
    "vmsplice",  # 216
    "getcpu",  # 217
    "epoll_pwait",  # 218
    "utimensat",  # 219
    "signalfd",  # 220
    "timerfd_create",  # 221
    "eventfd",  # 222
    "timerfd_settime",  # 223
    "timerfd_gettime",  # 224
    "signalfd4",  # 225
    "eventfd2",  # 226
    "epoll_create1",  # 227
    "dup3",  # 228
    "pipe2",  # 229
    "inotify_init1",  # 230
    "preadv",  # 231
    "pwritev",  # 232
    "rt_tgsigqueueinfo",  # 233
    "perf_event_open",  # 234
    "fanotify_init",  # 235
    "prlimit64",  # 236
    "clock_adjtime",  # 237
    "syncfs",  # 238
    "setns",  # 239
    "getdents64",  # 240
    "socket",  # 241
    "bind",  # 242
    "connect",  # 243
    "listen",  # 244
    "accept",  # 245
    "getsockname",  # 246
    "getpeername",  # 247
    "socketpair",  # 248
    "sendto",  # 249
    "recvfrom",  # 250
    "shutdown",  # 251
    "setsockopt",  # 252
    "getsockopt",  # 253
    "sendmsg",  # 254
    "sendmmsg",  # 255
    "recvmsg",  # 256
    "recvmmsg",  # 257
    "accept4",  # 258
    "semop",  # 259
    "semget",  # 260
    "semctl",  # 261
    "msgsnd",  # 262
    "msgrcv",  # 263
    "msgget",  # 264
    "msgctl",  # 265
    "shmdt",  # 266
    "shmget",  # 267
    "shmctl",  # 268
    "statfs64",  # 269
    "fstatfs64",  # 270
    "fstatat64",  # 271
    "sendfile64",  # 272
    "ugetrlimit",  # 273
    "bdflush",  # 274
    "sigprocmask",  # 275
    "ipc",  # 276
    "socketcall",  # 277
    "stat64",  # 278
    "lstat64",  # 279
    "fstat64",  # 280
    "fcntl64",  # 281
    "mmap2",  # 282
    "newselect",  # 283
    "sgetmask",  # 284
    "ssetmask",  # 285
    "sigpending",  # 286
    "olduname",  # 287
    "umount",  # 288
    "signal",  # 289
    "nice",  # 290
    "stime",  # 291
    "llseek",  # 292
    "waitpid",  # 293
    "pread64",  # 294
    "pwrite64",  # 295
    "arch_prctl",  # 296
    "shmat",  # 297
    "sigreturn",  # 298
    "fallocate",  # 299
    "newfstatat",  # 300
    "process_vm_readv",  # 301
    "process_vm_writev",  # 302
    "fork",  # 303
    "vfork",  # 304
    "setuid",  # 305
    "getuid",  # 306
    "setgid",  # 307
    "geteuid",  # 308
    "getgid",  # 309
    "setresuid",  # 310
    "setresgid",  # 311
    "getresuid",  # 312
    "getresgid",  # 313
    "finit_module",  # 314
    "bpf",  # 315
    "seccomp",  # 316
    "sigaltstack",  # 317
    "getrandom",  # 318
    "fadvise64",  # 319
    "renameat2",  # 320
    "userfaultfd",  # 321
    "openat2",  # 322
    "umount2",  # 323
    "execve",  # 324
    "execveat",  # 325
    "copy_file_range",  # 326
    "clone",  # 327
    "clone3",  # 328
)
"""Syscall name by ``PPM_SC_*`` id: what a generic event (ids 0/1) prints as ``evt.type``.

Index 0 is the placeholder ``<unknown>``.
"""

SYSCALL_NR_TO_SC: dict[int, int] = {
    0: 3,  # read -> read
    1: 4,  # write -> write
    2: 5,  # open -> open
    3: 6,  # close -> close
    4: 14,  # stat -> stat
    5: 20,  # fstat -> fstat
    6: 50,  # lstat -> lstat
    7: 105,  # poll -> poll
    8: 15,  # lseek -> lseek
    9: 55,  # mmap -> mmap
    10: 75,  # mprotect -> mprotect
    11: 56,  # munmap -> munmap
    12: 32,  # brk -> brk
    13: 107,  # rt_sigaction -> rt_sigaction
    14: 108,  # rt_sigprocmask -> rt_sigprocmask
    15: 298,  # rt_sigreturn -> sigreturn
    16: 34,  # ioctl -> ioctl
    17: 294,  # pread64 -> pread64
    18: 295,  # pwrite64 -> pwrite64
    19: 87,  # readv -> readv
    20: 88,  # writev -> writev
    21: 23,  # access -> access
    22: 30,  # pipe -> pipe
    23: 84,  # select -> select
    24: 99,  # sched_yield -> sched_yield
    25: 104,  # mremap -> mremap
    26: 86,  # msync -> msync
    27: 138,  # mincore -> mincore
    28: 139,  # madvise -> madvise
    29: 267,  # shmget -> shmget
    30: 297,  # shmat -> shmat
    31: 268,  # shmctl -> shmctl
    32: 29,  # dup -> dup
    33: 40,  # dup2 -> dup2
    34: 21,  # pause -> pause
    35: 103,  # nanosleep -> nanosleep
    36: 66,  # getitimer -> getitimer
    37: 19,  # alarm -> alarm
    38: 65,  # setitimer -> setitimer
    39: 16,  # getpid -> getpid
    40: 116,  # sendfile -> sendfile
    41: 241,  # socket -> socket
    42: 243,  # connect -> connect
    43: 245,  # accept -> accept
    44: 249,  # sendto -> sendto
    45: 250,  # recvfrom -> recvfrom
    46: 254,  # sendmsg -> sendmsg
    47: 256,  # recvmsg -> recvmsg
    48: 251,  # shutdown -> shutdown
    49: 242,  # bind -> bind
    50: 244,  # listen -> listen
    51: 246,  # getsockname -> getsockname
    52: 247,  # getpeername -> getpeername
    53: 248,  # socketpair -> socketpair
    54: 252,  # setsockopt -> setsockopt
    55: 253,  # getsockopt -> getsockopt
    56: 327,  # clone -> clone
    57: 303,  # fork -> fork
    58: 304,  # vfork -> vfork
    59: 324,  # execve -> execve
    60: 2,  # exit -> exit
    61: 69,  # wait4 -> wait4
    62: 25,  # kill -> kill
    63: 67,  # uname -> uname
    64: 260,  # semget -> semget
    65: 259,  # semop -> semop
    66: 261,  # semctl -> semctl
    67: 266,  # shmdt -> shmdt
    68: 264,  # msgget -> msgget
    69: 262,  # msgsnd -> msgsnd
    70: 263,  # msgrcv -> msgrcv
    71: 265,  # msgctl -> msgctl
    72: 35,  # fcntl -> fcntl
    73: 85,  # flock -> flock
    74: 72,  # fsync -> fsync
    75: 90,  # fdatasync -> fdatasync
    76: 57,  # truncate -> truncate
    77: 58,  # ftruncate -> ftruncate
    78: 83,  # getdents -> getdents
    79: 113,  # getcwd -> getcwd
    80: 10,  # chdir -> chdir
    81: 80,  # fchdir -> fchdir
    82: 26,  # rename -> rename
    83: 27,  # mkdir -> mkdir
    84: 28,  # rmdir -> rmdir
    85: 7,  # creat -> creat
    86: 8,  # link -> link
    87: 9,  # unlink -> unlink
    88: 49,  # symlink -> symlink
    89: 51,  # readlink -> readlink
    90: 13,  # chmod -> chmod
    91: 59,  # fchmod -> fchmod
    92: 132,  # chown -> chown
    93: 127,  # fchown -> fchown
    94: 118,  # lchown -> lchown
    95: 37,  # umask -> umask
    96: 47,  # gettimeofday -> gettimeofday
    97: 117,  # getrlimit -> getrlimit
    98: 46,  # getrusage -> getrusage
    99: 71,  # sysinfo -> sysinfo
    100: 31,  # times -> times
    101: 18,  # ptrace -> ptrace
    102: 119,  # getuid -> getuid
    103: 64,  # syslog -> syslog
    104: 120,  # getgid -> getgid
    105: 133,  # setuid -> setuid
    106: 134,  # setgid -> setgid
    107: 121,  # geteuid -> geteuid
    108: 122,  # getegid -> getegid
    109: 36,  # setpgid -> setpgid
    110: 41,  # getppid -> getppid
    111: 42,  # getpgrp -> getpgrp
    112: 43,  # setsid -> setsid
    113: 123,  # setreuid -> setreuid
    114: 124,  # setregid -> setregid
    115: 125,  # getgroups -> getgroups
    116: 126,  # setgroups -> setgroups
    117: 128,  # setresuid -> setresuid
    118: 129,  # getresuid -> getresuid
    119: 130,  # setresgid -> setresgid
    120: 131,  # getresgid -> getresgid
    121: 79,  # getpgid -> getpgid
    122: 135,  # setfsuid -> setfsuid
    123: 136,  # setfsgid -> setfsgid
    124: 89,  # getsid -> getsid
    125: 114,  # capget -> capget
    126: 115,  # capset -> capset
    127: 109,  # rt_sigpending -> rt_sigpending
    128: 110,  # rt_sigtimedwait -> rt_sigtimedwait
    129: 111,  # rt_sigqueueinfo -> rt_sigqueueinfo
    130: 112,  # rt_sigsuspend -> rt_sigsuspend
    131: 317,  # sigaltstack -> sigaltstack
    132: 22,  # utime -> utime
    133: 12,  # mknod -> mknod
    134: 52,  # uselib -> uselib
    135: 82,  # personality -> personality
    136: 39,  # ustat -> ustat
    137: 62,  # statfs -> statfs
    138: 63,  # fstatfs -> fstatfs
    139: 81,  # sysfs -> sysfs
    140: 60,  # getpriority -> getpriority
    141: 61,  # setpriority -> setpriority
    142: 95,  # sched_setparam -> sched_setparam
    143: 96,  # sched_getparam -> sched_getparam
    144: 97,  # sched_setscheduler -> sched_setscheduler
    145: 98,  # sched_getscheduler -> sched_getscheduler
    146: 100,  # sched_get_priority_max -> sched_get_priority_max
    147: 101,  # sched_get_priority_min -> sched_get_priority_min
    148: 102,  # sched_rr_get_interval -> sched_rr_get_interval
    149: 91,  # mlock -> mlock
    150: 92,  # munlock -> munlock
    151: 93,  # mlockall -> mlockall
    152: 94,  # munlockall -> munlockall
    153: 68,  # vhangup -> vhangup
    155: 137,  # pivot_root -> pivot_root
    157: 106,  # prctl -> prctl
    158: 296,  # arch_prctl -> arch_prctl
    159: 74,  # adjtimex -> adjtimex
    160: 45,  # setrlimit -> setrlimit
    161: 38,  # chroot -> chroot
    162: 24,  # sync -> sync
    163: 33,  # acct -> acct
    164: 48,  # settimeofday -> settimeofday
    165: 17,  # mount -> mount
    166: 323,  # umount2 -> umount2
    167: 53,  # swapon -> swapon
    168: 70,  # swapoff -> swapoff
    169: 54,  # reboot -> reboot
    170: 44,  # sethostname -> sethostname
    171: 73,  # setdomainname -> setdomainname
    175: 76,  # init_module -> init_module
    176: 77,  # delete_module -> delete_module
    179: 78,  # quotactl -> quotactl
    186: 140,  # gettid -> gettid
    188: 141,  # setxattr -> setxattr
    189: 142,  # lsetxattr -> lsetxattr
    190: 143,  # fsetxattr -> fsetxattr
    191: 144,  # getxattr -> getxattr
    192: 145,  # lgetxattr -> lgetxattr
    193: 146,  # fgetxattr -> fgetxattr
    194: 147,  # listxattr -> listxattr
    195: 148,  # llistxattr -> llistxattr
    196: 149,  # flistxattr -> flistxattr
    197: 150,  # removexattr -> removexattr
    198: 151,  # lremovexattr -> lremovexattr
    199: 152,  # fremovexattr -> fremovexattr
    200: 153,  # tkill -> tkill
    201: 11,  # time -> time
    202: 154,  # futex -> futex
    203: 155,  # sched_setaffinity -> sched_setaffinity
    204: 156,  # sched_getaffinity -> sched_getaffinity
    205: 157,  # set_thread_area -> set_thread_area
    206: 159,  # io_setup -> io_setup
    207: 160,  # io_destroy -> io_destroy
    208: 161,  # io_getevents -> io_getevents
    209: 162,  # io_submit -> io_submit
    210: 163,  # io_cancel -> io_cancel
    211: 158,  # get_thread_area -> get_thread_area
    213: 165,  # epoll_create -> epoll_create
    216: 168,  # remap_file_pages -> remap_file_pages
    217: 240,  # getdents64 -> getdents64
    218: 169,  # set_tid_address -> set_tid_address
    219: 1,  # restart_syscall -> restart_syscall
    221: 319,  # fadvise64 -> fadvise64
    222: 170,  # timer_create -> timer_create
    223: 171,  # timer_settime -> timer_settime
    224: 172,  # timer_gettime -> timer_gettime
    225: 173,  # timer_getoverrun -> timer_getoverrun
    226: 174,  # timer_delete -> timer_delete
    227: 175,  # clock_settime -> clock_settime
    228: 176,  # clock_gettime -> clock_gettime
    229: 177,  # clock_getres -> clock_getres
    230: 178,  # clock_nanosleep -> clock_nanosleep
    231: 164,  # exit_group -> exit_group
    232: 167,  # epoll_wait -> epoll_wait
    233: 166,  # epoll_ctl -> epoll_ctl
    234: 179,  # tgkill -> tgkill
    235: 180,  # utimes -> utimes
    240: 181,  # mq_open -> mq_open
    241: 182,  # mq_unlink -> mq_unlink
    242: 183,  # mq_timedsend -> mq_timedsend
    243: 184,  # mq_timedreceive -> mq_timedreceive
    244: 185,  # mq_notify -> mq_notify
    245: 186,  # mq_getsetattr -> mq_getsetattr
    246: 187,  # kexec_load -> kexec_load
    247: 188,  # waitid -> waitid
    248: 189,  # add_key -> add_key
    249: 190,  # request_key -> request_key
    250: 191,  # keyctl -> keyctl
    251: 192,  # ioprio_set -> ioprio_set
    252: 193,  # ioprio_get -> ioprio_get
    253: 194,  # inotify_init -> inotify_init
    254: 195,  # inotify_add_watch -> inotify_add_watch
    255: 196,  # inotify_rm_watch -> inotify_rm_watch
    257: 197,  # openat -> openat
    258: 198,  # mkdirat -> mkdirat
    259: 199,  # mknodat -> mknodat
    260: 200,  # fchownat -> fchownat
    261: 201,  # futimesat -> futimesat
    262: 300,  # newfstatat -> newfstatat
    263: 202,  # unlinkat -> unlinkat
    264: 203,  # renameat -> renameat
    265: 204,  # linkat -> linkat
    266: 205,  # symlinkat -> symlinkat
    267: 206,  # readlinkat -> readlinkat
    268: 207,  # fchmodat -> fchmodat
    269: 208,  # faccessat -> faccessat
    270: 209,  # pselect6 -> pselect6
    271: 210,  # ppoll -> ppoll
    272: 211,  # unshare -> unshare
    273: 212,  # set_robust_list -> set_robust_list
    274: 213,  # get_robust_list -> get_robust_list
    275: 214,  # splice -> splice
    276: 215,  # tee -> tee
    278: 216,  # vmsplice -> vmsplice
    280: 219,  # utimensat -> utimensat
    281: 218,  # epoll_pwait -> epoll_pwait
    282: 220,  # signalfd -> signalfd
    283: 221,  # timerfd_create -> timerfd_create
    284: 222,  # eventfd -> eventfd
    285: 299,  # fallocate -> fallocate
    286: 223,  # timerfd_settime -> timerfd_settime
    287: 224,  # timerfd_gettime -> timerfd_gettime
    288: 258,  # accept4 -> accept4
    289: 225,  # signalfd4 -> signalfd4
    290: 226,  # eventfd2 -> eventfd2
    291: 227,  # epoll_create1 -> epoll_create1
    292: 228,  # dup3 -> dup3
    293: 229,  # pipe2 -> pipe2
    294: 230,  # inotify_init1 -> inotify_init1
    295: 231,  # preadv -> preadv
    296: 232,  # pwritev -> pwritev
    297: 233,  # rt_tgsigqueueinfo -> rt_tgsigqueueinfo
    298: 234,  # perf_event_open -> perf_event_open
    299: 257,  # recvmmsg -> recvmmsg
    300: 235,  # fanotify_init -> fanotify_init
    302: 236,  # prlimit64 -> prlimit64
    305: 237,  # clock_adjtime -> clock_adjtime
    306: 238,  # syncfs -> syncfs
    307: 255,  # sendmmsg -> sendmmsg
    308: 239,  # setns -> setns
    309: 217,  # getcpu -> getcpu
    310: 301,  # process_vm_readv -> process_vm_readv
    311: 302,  # process_vm_writev -> process_vm_writev
    313: 314,  # finit_module -> finit_module
    316: 320,  # renameat2 -> renameat2
    317: 316,  # seccomp -> seccomp
    318: 318,  # getrandom -> getrandom
    321: 315,  # bpf -> bpf
    322: 325,  # execveat -> execveat
    323: 321,  # userfaultfd -> userfaultfd
    326: 326,  # copy_file_range -> copy_file_range
    435: 328,  # clone3 -> clone3
    437: 322,  # openat2 -> openat2
}
"""x86_64 native syscall number to ``PPM_SC_*`` id (index into :data:`SYSCALL_NAMES`)."""

SYSCALL_ROUTING: dict[int, tuple[int, int]] = {
    0: (6, 3),  # read
    1: (8, 4),  # write
    2: (2, 5),  # open
    3: (4, 6),  # close
    4: (66, 14),  # stat
    5: (70, 20),  # fstat
    6: (68, 50),  # lstat
    7: (80, 105),  # poll
    8: (86, 15),  # lseek
    9: (160, 55),  # mmap
    10: (328, 75),  # mprotect
    11: (164, 56),  # munmap
    12: (158, 32),  # brk
    13: (0, 107),  # rt_sigaction
    14: (0, 108),  # rt_sigprocmask
    15: (0, 298),  # rt_sigreturn
    16: (170, 34),  # ioctl
    17: (112, 294),  # pread64
    18: (114, 295),  # pwrite64
    19: (116, 87),  # readv
    20: (118, 88),  # writev
    21: (264, 23),  # access
    22: (60, 30),  # pipe
    23: (82, 84),  # select
    24: (0, 99),  # sched_yield
    25: (0, 104),  # mremap
    26: (0, 86),  # msync
    27: (0, 138),  # mincore
    28: (0, 139),  # madvise
    29: (0, 267),  # shmget
    30: (0, 297),  # shmat
    31: (0, 268),  # shmctl
    32: (124, 29),  # dup
    33: (124, 40),  # dup2
    34: (0, 21),  # pause
    35: (134, 103),  # nanosleep
    36: (0, 66),  # getitimer
    37: (0, 19),  # alarm
    38: (0, 65),  # setitimer
    39: (0, 16),  # getpid
    40: (188, 116),  # sendfile
    41: (18, 241),  # socket
    42: (22, 243),  # connect
    43: (246, 245),  # accept
    44: (30, 249),  # sendto
    45: (34, 250),  # recvfrom
    46: (48, 254),  # sendmsg
    47: (52, 256),  # recvmsg
    48: (36, 251),  # shutdown
    49: (20, 242),  # bind
    50: (24, 244),  # listen
    51: (38, 246),  # getsockname
    52: (40, 247),  # getpeername
    53: (42, 248),  # socketpair
    54: (44, 252),  # setsockopt
    55: (46, 253),  # getsockopt
    56: (222, 327),  # clone
    57: (224, 303),  # fork
    58: (226, 304),  # vfork
    59: (292, 324),  # execve
    60: (0, 2),  # exit
    61: (0, 69),  # wait4
    62: (128, 25),  # kill
    63: (0, 67),  # uname
    64: (262, 260),  # semget
    65: (250, 259),  # semop
    66: (252, 261),  # semctl
    67: (0, 266),  # shmdt
    68: (0, 264),  # msgget
    69: (0, 262),  # msgsnd
    70: (0, 263),  # msgrcv
    71: (0, 265),  # msgctl
    72: (150, 35),  # fcntl
    73: (242, 85),  # flock
    74: (0, 72),  # fsync
    75: (0, 90),  # fdatasync
    76: (0, 57),  # truncate
    77: (0, 58),  # ftruncate
    78: (236, 83),  # getdents
    79: (92, 113),  # getcwd
    80: (94, 10),  # chdir
    81: (96, 80),  # fchdir
    82: (174, 26),  # rename
    83: (276, 27),  # mkdir
    84: (278, 28),  # rmdir
    85: (58, 7),  # creat
    86: (308, 8),  # link
    87: (300, 9),  # unlink
    88: (178, 49),  # symlink
    89: (0, 51),  # readlink
    90: (314, 13),  # chmod
    91: (316, 59),  # fchmod
    92: (0, 132),  # chown
    93: (0, 127),  # fchown
    94: (0, 118),  # lchown
    95: (0, 37),  # umask
    96: (0, 47),  # gettimeofday
    97: (140, 117),  # getrlimit
    98: (0, 46),  # getrusage
    99: (0, 71),  # sysinfo
    100: (0, 31),  # times
    101: (168, 18),  # ptrace
    102: (202, 119),  # getuid
    103: (0, 64),  # syslog
    104: (206, 120),  # getgid
    105: (198, 133),  # setuid
    106: (200, 134),  # setgid
    107: (204, 121),  # geteuid
    108: (208, 122),  # getegid
    109: (294, 36),  # setpgid
    110: (0, 41),  # getppid
    111: (0, 42),  # getpgrp
    112: (274, 43),  # setsid
    113: (0, 123),  # setreuid
    114: (0, 124),  # setregid
    115: (0, 125),  # getgroups
    116: (0, 126),  # setgroups
    117: (192, 128),  # setresuid
    118: (210, 129),  # getresuid
    119: (194, 130),  # setresgid
    120: (212, 131),  # getresgid
    121: (0, 79),  # getpgid
    122: (0, 135),  # setfsuid
    123: (0, 136),  # setfsgid
    124: (0, 89),  # getsid
    125: (0, 114),  # capget
    126: (0, 115),  # capset
    127: (0, 109),  # rt_sigpending
    128: (0, 110),  # rt_sigtimedwait
    129: (0, 111),  # rt_sigqueueinfo
    130: (0, 112),  # rt_sigsuspend
    131: (0, 317),  # sigaltstack
    132: (0, 22),  # utime
    133: (0, 12),  # mknod
    134: (0, 52),  # uselib
    135: (0, 82),  # personality
    136: (0, 39),  # ustat
    137: (0, 62),  # statfs
    138: (0, 63),  # fstatfs
    139: (0, 81),  # sysfs
    140: (0, 60),  # getpriority
    141: (0, 61),  # setpriority
    142: (0, 95),  # sched_setparam
    143: (0, 96),  # sched_getparam
    144: (0, 97),  # sched_setscheduler
    145: (0, 98),  # sched_getscheduler
    146: (0, 100),  # sched_get_priority_max
    147: (0, 101),  # sched_get_priority_min
    148: (0, 102),  # sched_rr_get_interval
    149: (0, 91),  # mlock
    150: (0, 92),  # munlock
    151: (0, 93),  # mlockall
    152: (0, 94),  # munlockall
    153: (0, 68),  # vhangup
    155: (0, 137),  # pivot_root
    157: (0, 106),  # prctl
    158: (0, 296),  # arch_prctl
    159: (0, 74),  # adjtimex
    160: (142, 45),  # setrlimit
    161: (266, 38),  # chroot
    162: (0, 24),  # sync
    163: (0, 33),  # acct
    164: (0, 48),  # settimeofday
    165: (256, 17),  # mount
    166: (258, 323),  # umount2
    167: (0, 53),  # swapon
    168: (0, 70),  # swapoff
    169: (0, 54),  # reboot
    170: (0, 44),  # sethostname
    171: (0, 73),  # setdomainname
    175: (0, 76),  # init_module
    176: (0, 77),  # delete_module
    179: (190, 78),  # quotactl
    186: (0, 140),  # gettid
    188: (0, 141),  # setxattr
    189: (0, 142),  # lsetxattr
    190: (0, 143),  # fsetxattr
    191: (0, 144),  # getxattr
    192: (0, 145),  # lgetxattr
    193: (0, 146),  # fgetxattr
    194: (0, 147),  # listxattr
    195: (0, 148),  # llistxattr
    196: (0, 149),  # flistxattr
    197: (0, 150),  # removexattr
    198: (0, 151),  # lremovexattr
    199: (0, 152),  # fremovexattr
    200: (130, 153),  # tkill
    201: (0, 11),  # time
    202: (64, 154),  # futex
    203: (0, 155),  # sched_setaffinity
    204: (0, 156),  # sched_getaffinity
    205: (0, 157),  # set_thread_area
    206: (0, 159),  # io_setup
    207: (0, 160),  # io_destroy
    208: (0, 161),  # io_getevents
    209: (0, 162),  # io_submit
    210: (0, 163),  # io_cancel
    211: (0, 158),  # get_thread_area
    213: (0, 165),  # epoll_create
    216: (0, 168),  # remap_file_pages
    217: (238, 240),  # getdents64
    218: (0, 169),  # set_tid_address
    219: (0, 1),  # restart_syscall
    221: (0, 319),  # fadvise64
    222: (0, 170),  # timer_create
    223: (0, 171),  # timer_settime
    224: (0, 172),  # timer_gettime
    225: (0, 173),  # timer_getoverrun
    226: (0, 174),  # timer_delete
    227: (0, 175),  # clock_settime
    228: (0, 176),  # clock_gettime
    229: (0, 177),  # clock_getres
    230: (0, 178),  # clock_nanosleep
    231: (0, 164),  # exit_group
    232: (78, 167),  # epoll_wait
    233: (0, 166),  # epoll_ctl
    234: (132, 179),  # tgkill
    235: (0, 180),  # utimes
    240: (0, 181),  # mq_open
    241: (0, 182),  # mq_unlink
    242: (0, 183),  # mq_timedsend
    243: (0, 184),  # mq_timedreceive
    244: (0, 185),  # mq_notify
    245: (0, 186),  # mq_getsetattr
    246: (0, 187),  # kexec_load
    247: (0, 188),  # waitid
    248: (0, 189),  # add_key
    249: (0, 190),  # request_key
    250: (0, 191),  # keyctl
    251: (0, 192),  # ioprio_set
    252: (0, 193),  # ioprio_get
    253: (138, 194),  # inotify_init
    254: (0, 195),  # inotify_add_watch
    255: (0, 196),  # inotify_rm_watch
    257: (306, 197),  # openat
    258: (304, 198),  # mkdirat
    259: (0, 199),  # mknodat
    260: (0, 200),  # fchownat
    261: (0, 201),  # futimesat
    262: (0, 300),  # newfstatat
    263: (302, 202),  # unlinkat
    264: (176, 203),  # renameat
    265: (310, 204),  # linkat
    266: (180, 205),  # symlinkat
    267: (0, 206),  # readlinkat
    268: (312, 207),  # fchmodat
    269: (0, 208),  # faccessat
    270: (0, 209),  # pselect6
    271: (254, 210),  # ppoll
    272: (284, 211),  # unshare
    273: (0, 212),  # set_robust_list
    274: (0, 213),  # get_robust_list
    275: (166, 214),  # splice
    276: (0, 215),  # tee
    278: (0, 216),  # vmsplice
    280: (0, 219),  # utimensat
    281: (0, 218),  # epoll_pwait
    282: (126, 220),  # signalfd
    283: (136, 221),  # timerfd_create
    284: (62, 222),  # eventfd
    285: (0, 299),  # fallocate
    286: (0, 223),  # timerfd_settime
    287: (0, 224),  # timerfd_gettime
    288: (248, 258),  # accept4
    289: (126, 225),  # signalfd4
    290: (62, 226),  # eventfd2
    291: (0, 227),  # epoll_create1
    292: (124, 228),  # dup3
    293: (60, 229),  # pipe2
    294: (138, 230),  # inotify_init1
    295: (120, 231),  # preadv
    296: (122, 232),  # pwritev
    297: (0, 233),  # rt_tgsigqueueinfo
    298: (0, 234),  # perf_event_open
    299: (54, 257),  # recvmmsg
    300: (0, 235),  # fanotify_init
    302: (144, 236),  # prlimit64
    305: (0, 237),  # clock_adjtime
    306: (0, 238),  # syncfs
    307: (50, 255),  # sendmmsg
    308: (240, 239),  # setns
    309: (0, 217),  # getcpu
    310: (0, 301),  # process_vm_readv
    311: (0, 302),  # process_vm_writev
    313: (0, 314),  # finit_module
    316: (318, 320),  # renameat2
    317: (298, 316),  # seccomp
    318: (0, 318),  # getrandom
    321: (296, 315),  # bpf
    322: (330, 325),  # execveat
    323: (320, 321),  # userfaultfd
    326: (332, 326),  # copy_file_range
    435: (334, 328),  # clone3
    437: (326, 322),  # openat2
}
"""x86_64 native syscall number to ``(enter event id, PPM_SC id)``.

The exit event id is always the enter id + 1. Syscalls the driver has no dedicated event for
are routed to the generic pair (enter id 0, ``PPME_GENERIC_E``), whose first param carries the
PPM_SC id. Numbers missing here are not traced at all.
"""

_SF = SyscallFlag

SYSCALL_FLAGS: dict[int, SyscallFlag] = {
    0: _SF.USED,  # read
    1: _SF.USED,  # write
    2: _SF.USED | _SF.NEVER_DROP,  # open
    3: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # close
    4: _SF.USED | _SF.ALWAYS_DROP,  # stat
    5: _SF.USED | _SF.ALWAYS_DROP,  # fstat
    6: _SF.USED | _SF.ALWAYS_DROP,  # lstat
    7: _SF.USED | _SF.ALWAYS_DROP,  # poll
    8: _SF.USED | _SF.ALWAYS_DROP,  # lseek
    9: _SF.USED | _SF.ALWAYS_DROP,  # mmap
    10: _SF.USED,  # mprotect
    11: _SF.USED | _SF.ALWAYS_DROP,  # munmap
    12: _SF.USED | _SF.ALWAYS_DROP,  # brk
    16: _SF.USED | _SF.ALWAYS_DROP,  # ioctl
    17: _SF.USED,  # pread64
    18: _SF.USED,  # pwrite64
    19: _SF.USED,  # readv
    20: _SF.USED,  # writev
    21: _SF.USED | _SF.ALWAYS_DROP,  # access
    22: _SF.USED | _SF.NEVER_DROP,  # pipe
    23: _SF.USED | _SF.ALWAYS_DROP,  # select
    32: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # dup
    33: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # dup2
    34: _SF.USED | _SF.ALWAYS_DROP,  # pause
    35: _SF.USED | _SF.ALWAYS_DROP,  # nanosleep
    37: _SF.USED | _SF.ALWAYS_DROP,  # alarm
    40: _SF.USED,  # sendfile
    41: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # socket
    42: _SF.USED | _SF.SIMPLEDRIVER_KEEP,  # connect
    43: _SF.USED | _SF.SIMPLEDRIVER_KEEP,  # accept
    44: _SF.USED,  # sendto
    45: _SF.USED,  # recvfrom
    46: _SF.USED,  # sendmsg
    47: _SF.USED,  # recvmsg
    48: _SF.USED,  # shutdown
    49: _SF.USED | _SF.NEVER_DROP,  # bind
    50: _SF.USED,  # listen
    51: _SF.USED | _SF.ALWAYS_DROP,  # getsockname
    52: _SF.USED | _SF.ALWAYS_DROP,  # getpeername
    53: _SF.USED | _SF.NEVER_DROP,  # socketpair
    54: _SF.USED | _SF.ALWAYS_DROP,  # setsockopt
    55: _SF.USED,  # getsockopt
    56: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # clone
    57: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # fork
    58: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # vfork
    59: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # execve
    62: _SF.USED,  # kill
    64: _SF.USED | _SF.ALWAYS_DROP,  # semget
    65: _SF.USED | _SF.ALWAYS_DROP,  # semop
    66: _SF.USED | _SF.ALWAYS_DROP,  # semctl
    72: _SF.USED,  # fcntl
    73: _SF.USED | _SF.ALWAYS_DROP,  # flock
    78: _SF.USED | _SF.ALWAYS_DROP,  # getdents
    79: _SF.USED | _SF.ALWAYS_DROP,  # getcwd
    80: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # chdir
    81: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # fchdir
    82: _SF.USED,  # rename
    83: _SF.USED,  # mkdir
    84: _SF.USED,  # rmdir
    85: _SF.USED | _SF.NEVER_DROP,  # creat
    86: _SF.USED,  # link
    87: _SF.USED,  # unlink
    88: _SF.USED,  # symlink
    90: _SF.USED,  # chmod
    91: _SF.USED,  # fchmod
    94: _SF.USED,  # lchown
    97: _SF.USED | _SF.NEVER_DROP,  # getrlimit
    101: _SF.USED,  # ptrace
    102: _SF.USED,  # getuid
    103: _SF.USED | _SF.ALWAYS_DROP,  # syslog
    104: _SF.USED,  # getgid
    105: _SF.USED,  # setuid
    106: _SF.USED,  # setgid
    107: _SF.USED,  # geteuid
    108: _SF.USED,  # getegid
    109: _SF.USED | _SF.ALWAYS_DROP,  # setpgid
    112: _SF.USED | _SF.ALWAYS_DROP,  # setsid
    117: _SF.USED,  # setresuid
    118: _SF.USED,  # getresuid
    119: _SF.USED,  # setresgid
    120: _SF.USED,  # getresgid
    132: _SF.USED | _SF.ALWAYS_DROP,  # utime
    134: _SF.USED | _SF.ALWAYS_DROP,  # uselib
    142: _SF.USED | _SF.ALWAYS_DROP,  # sched_setparam
    143: _SF.USED | _SF.ALWAYS_DROP,  # sched_getparam
    160: _SF.USED | _SF.NEVER_DROP,  # setrlimit
    161: _SF.USED | _SF.NEVER_DROP,  # chroot
    165: _SF.USED,  # mount
    166: _SF.USED,  # umount2
    179: _SF.USED,  # quotactl
    200: _SF.USED,  # tkill
    202: _SF.USED | _SF.ALWAYS_DROP,  # futex
    213: _SF.USED | _SF.ALWAYS_DROP,  # epoll_create
    217: _SF.USED | _SF.ALWAYS_DROP,  # getdents64
    232: _SF.USED | _SF.ALWAYS_DROP,  # epoll_wait
    233: _SF.USED | _SF.ALWAYS_DROP,  # epoll_ctl
    234: _SF.USED,  # tgkill
    253: _SF.USED | _SF.NEVER_DROP,  # inotify_init
    257: _SF.USED | _SF.NEVER_DROP,  # openat
    258: _SF.USED,  # mkdirat
    263: _SF.USED,  # unlinkat
    264: _SF.USED,  # renameat
    265: _SF.USED,  # linkat
    266: _SF.USED,  # symlinkat
    268: _SF.USED,  # fchmodat
    270: _SF.USED | _SF.ALWAYS_DROP,  # pselect6
    271: _SF.USED | _SF.ALWAYS_DROP,  # ppoll
    272: _SF.USED | _SF.ALWAYS_DROP,  # unshare
    275: _SF.USED,  # splice
    282: _SF.USED | _SF.NEVER_DROP,  # signalfd
    283: _SF.USED | _SF.NEVER_DROP,  # timerfd_create
    284: _SF.USED | _SF.NEVER_DROP,  # eventfd
    288: _SF.USED | _SF.SIMPLEDRIVER_KEEP,  # accept4
    289: _SF.USED | _SF.NEVER_DROP,  # signalfd4
    290: _SF.USED | _SF.NEVER_DROP,  # eventfd2
    292: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # dup3
    293: _SF.USED | _SF.NEVER_DROP,  # pipe2
    294: _SF.USED | _SF.NEVER_DROP,  # inotify_init1
    295: _SF.USED,  # preadv
    296: _SF.USED,  # pwritev
    299: _SF.USED,  # recvmmsg
    302: _SF.USED | _SF.NEVER_DROP,  # prlimit64
    307: _SF.USED,  # sendmmsg
    308: _SF.USED,  # setns
    310: _SF.USED,  # process_vm_readv
    311: _SF.USED,  # process_vm_writev
    316: _SF.USED,  # renameat2
    317: _SF.USED,  # seccomp
    321: _SF.USED,  # bpf
    322: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # execveat
    323: _SF.USED | _SF.NEVER_DROP,  # userfaultfd
    326: _SF.USED,  # copy_file_range
    435: _SF.USED | _SF.NEVER_DROP | _SF.SIMPLEDRIVER_KEEP,  # clone3
    437: _SF.USED,  # openat2
}
"""x86_64 native syscall number to its ``UF_*`` flags (numbers not listed have none).

A syscall without :attr:`SyscallFlag.USED` is recorded as a generic event and may always be
dropped; a USED one is recorded with its table event pair under these flags (for a few, such as
pause, that pair is itself the generic one).
"""
