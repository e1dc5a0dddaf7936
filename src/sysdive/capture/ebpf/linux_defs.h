/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * Linux x86_64 ABI constants the probe needs. vmlinux.h carries types and enums from BTF but
 * no preprocessor macros, and this machine has no kernel headers, so the few values used are
 * spelled out here (uapi values; stable ABI).
 */
#ifndef SYSDIVE_LINUX_DEFS_H
#define SYSDIVE_LINUX_DEFS_H

/* Syscall numbers that have a dedicated filler (x86_64 table). */
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_stat 4
#define NR_fstat 5
#define NR_lstat 6
#define NR_poll 7
#define NR_lseek 8
#define NR_mmap 9
#define NR_mprotect 10
#define NR_munmap 11
#define NR_brk 12
#define NR_ioctl 16
#define NR_pread64 17
#define NR_pwrite64 18
#define NR_readv 19
#define NR_writev 20
#define NR_access 21
#define NR_pipe 22
#define NR_select 23
#define NR_dup 32
#define NR_dup2 33
#define NR_nanosleep 35
#define NR_socket 41
#define NR_connect 42
#define NR_accept 43
#define NR_sendfile 40
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_shutdown 48
#define NR_bind 49
#define NR_listen 50
#define NR_socketpair 53
#define NR_setsockopt 54
#define NR_getsockopt 55
#define NR_clone 56
#define NR_fork 57
#define NR_vfork 58
#define NR_execve 59
#define NR_kill 62
#define NR_fcntl 72
#define NR_chdir 80
#define NR_fchdir 81
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_creat 85
#define NR_unlink 87
#define NR_setuid 105
#define NR_setgid 106
#define NR_setresuid 117
#define NR_setresgid 119
#define NR_tkill 200
#define NR_futex 202
#define NR_epoll_wait 232
#define NR_tgkill 234
#define NR_openat 257
#define NR_mkdirat 258
#define NR_unlinkat 263
#define NR_ppoll 271
#define NR_renameat 264
#define NR_eventfd 284
#define NR_accept4 288
#define NR_eventfd2 290
#define NR_dup3 292
#define NR_pipe2 293
#define NR_preadv 295
#define NR_pwritev 296
#define NR_renameat2 316
#define NR_execveat 322
#define NR_clone3 435
#define NR_openat2 437

/* open(2) flags (asm-generic/fcntl.h, octal). O_SYNC and O_TMPFILE are multi-bit. */
#define L_O_ACCMODE 00000003
#define L_O_WRONLY 00000001
#define L_O_RDWR 00000002
#define L_O_CREAT 00000100
#define L_O_EXCL 00000200
#define L_O_TRUNC 00001000
#define L_O_APPEND 00002000
#define L_O_NONBLOCK 00004000
#define L_O_DSYNC 00010000
#define L_O_DIRECT 00040000
#define L_O_LARGEFILE 00100000
#define L_O_DIRECTORY 00200000
#define L_O_CLOEXEC 02000000
#define L_O_SYNC (04000000 | L_O_DSYNC)
#define L_O_TMPFILE (020000000 | L_O_DIRECTORY)

/* mmap(2) */
#define L_PROT_READ 0x1
#define L_PROT_WRITE 0x2
#define L_PROT_EXEC 0x4
#define L_PROT_SEM 0x8
#define L_PROT_GROWSDOWN 0x01000000
#define L_PROT_GROWSUP 0x02000000
#define L_MAP_SHARED 0x01
#define L_MAP_PRIVATE 0x02
#define L_MAP_FIXED 0x10
#define L_MAP_ANONYMOUS 0x20
#define L_MAP_32BIT 0x40
#define L_MAP_GROWSDOWN 0x0100
#define L_MAP_DENYWRITE 0x0800
#define L_MAP_EXECUTABLE 0x1000
#define L_MAP_LOCKED 0x2000
#define L_MAP_NORESERVE 0x4000
#define L_MAP_POPULATE 0x8000
#define L_MAP_NONBLOCK 0x10000

/* clone(2) */
#define L_CLONE_VM 0x00000100
#define L_CLONE_FS 0x00000200
#define L_CLONE_FILES 0x00000400
#define L_CLONE_SIGHAND 0x00000800
#define L_CLONE_PTRACE 0x00002000
#define L_CLONE_VFORK 0x00004000
#define L_CLONE_PARENT 0x00008000
#define L_CLONE_THREAD 0x00010000
#define L_CLONE_NEWNS 0x00020000
#define L_CLONE_SYSVSEM 0x00040000
#define L_CLONE_SETTLS 0x00080000
#define L_CLONE_PARENT_SETTID 0x00100000
#define L_CLONE_CHILD_CLEARTID 0x00200000
#define L_CLONE_UNTRACED 0x00800000
#define L_CLONE_CHILD_SETTID 0x01000000
#define L_CLONE_NEWCGROUP 0x02000000
#define L_CLONE_NEWUTS 0x04000000
#define L_CLONE_NEWIPC 0x08000000
#define L_CLONE_NEWUSER 0x10000000
#define L_CLONE_NEWPID 0x20000000
#define L_CLONE_NEWNET 0x40000000
#define L_CLONE_IO 0x80000000UL

/* openat2(2) resolve flags */
#define L_RESOLVE_NO_XDEV 0x01
#define L_RESOLVE_NO_MAGICLINKS 0x02
#define L_RESOLVE_NO_SYMLINKS 0x04
#define L_RESOLVE_BENEATH 0x08
#define L_RESOLVE_IN_ROOT 0x10
#define L_RESOLVE_CACHED 0x20

/* sockets */
#define L_AF_UNIX 1
#define L_AF_INET 2
#define L_AF_INET6 10
#define UNIX_PATH_MAX 108

/* inode modes and flags */
#define L_S_IFMT 00170000
#define L_S_IFSOCK 0140000
#define L_S_IFLNK 0120000
#define L_S_IFREG 0100000
#define L_S_IFDIR 0040000
#define L_S_IMMUTABLE (1 << 3)
#define L_SB_RDONLY (1 << 0)
#define L_MAY_WRITE 0x00000002

/* capabilities (bit numbers) */
#define L_CAP_DAC_OVERRIDE 1
#define L_CAP_FOWNER 3

#define L_AT_FDCWD (-100)
#define L_AT_REMOVEDIR 0x200
#define L_AT_SYMLINK_NOFOLLOW 0x100
#define L_AT_EMPTY_PATH 0x1000
#define L_RLIMIT_NOFILE 7
#define L_TS_COMPAT 0x0002 /* thread_info.status: task is in a 32-bit syscall */
#define L_PF_KTHREAD 0x00200000

#endif
