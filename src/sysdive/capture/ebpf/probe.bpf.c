// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only
/*
 * sysdive live-capture probe: system calls as scap event blocks.
 *
 * Every record this program puts into the ring buffer is one complete scap v2 event block
 * (block type 0x216, length, cpu id, 26-byte event header, u16 param lengths, params, padding,
 * trailer) using the ids and param layouts of the sysdig 0.29.3 event table. The consumer
 * therefore writes ring records to the capture file without decoding them.
 *
 * Layout of the program:
 *  - tp_btf/sys_enter and tp_btf/sys_exit dispatch on the syscall number: a tail call into the
 *    per-syscall filler when there is one (prog arrays enter_progs/exit_progs), otherwise the
 *    generic event (PPME_GENERIC_E/X, carrying the PPM_SC id from the sc_ppm table that the
 *    loader fills from sysdive.schema).
 *  - tp_btf/sched_process_exit emits procexit.
 *  - tp_btf/sched_process_fork passes a process's selection (--pid, --comm) and suppression
 *    (-U) on to the tasks it creates (prefilter.h, which also holds every pre-filter).
 *  - tp_btf/mark_victim (+ fentry/oom_kill_process) emits OOM kills (fill_oom.h).
 * Tail calls keep each filler a separately verified program, so adding fillers does not make
 * the verifier's job (or load time) grow with the product of their branches.
 *
 * Every event is written in place in its CPU's buffer (see the maps below); the consumer
 * merges the CPUs' streams by timestamp. BPF runs from tracepoints with preemption disabled
 * (the faultable syscall tracepoints of kernels >= 6.13 disable it around BPF explicitly), so
 * a CPU's buffer is never written by two events at once.
 *
 * To add a tracepoint program (e.g. an OOM event): write it like sched_process_exit in its own
 * fill_*.h, with ev_begin/ev_submit; the loader attaches every program whose name is listed
 * in loader._DISPATCHERS. It must run in task context, like the syscall tracepoints.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "linux_defs.h"
#include "schema_ids.h"

/* The helpers used (probe_read_user and friends) are GPL-only, so the object as loaded is
 * GPL-licensed; the source is also available under Apache-2.0 like the rest of sysdive. */
char LICENSE[] SEC("license") = "GPL";

#ifndef SYSDIVE_SOURCE_HASH
#define SYSDIVE_SOURCE_HASH "unknown"
#endif
/* Checked by the tests against the sources, so a stale shipped object is caught. */
const char sysdive_source[] SEC("sysdive_meta") = "sysdive-src-sha256:" SYSDIVE_SOURCE_HASH;

#define SYSCALL_TABLE_SIZE 512

/* ---- settings, fixed at load time (.rodata) ---------------------------------------------- */
const volatile __u32 self_tgid = 0;      /* the consumer never traces itself */
const volatile __u32 filter_tgid = 0;    /* 0: every process */
const volatile __u32 snaplen = 80;       /* bytes of I/O buffers copied */
const volatile __u64 boot_to_epoch_ns = 0; /* epoch time of CLOCK_BOOTTIME 0 */
const volatile __u16 sc_ppm[SYSCALL_TABLE_SIZE] = {}; /* native nr -> PPM_SC id */
#define MAX_SUPPRESS 8
const volatile __u32 n_suppress = 0;     /* -U: threads with one of these comms are skipped */
const volatile __u64 suppress_comm[MAX_SUPPRESS][2] = {}; /* comm, NUL-padded to 16 bytes */

/* ---- maps ----------------------------------------------------------------------------------- */

/*
 * Event buffers: per CPU, a cycle of `nchunks` chunks in one mmapable ARRAY (element
 * cpu * nchunks + k is chunk k of that CPU), which the consumer maps and reads in place.
 * A CPU's events are written back to back, directly in their final scap layout: no ring
 * record headers, no reservation lock, no copy. Only the programs of one CPU write its
 * buffer, and never two at once (they run with preemption disabled, from task context), so
 * the producer needs no atomic operation: it fills an event, then publishes it by storing
 * the new head (x86's total store order makes the data visible first).
 *
 * An event starts below CHUNK_START in a chunk; the element has room after that for the
 * largest event, so an event never wraps. When a chunk is full, its fill is recorded and the
 * producer moves to the next chunk if the consumer has released it, else the event is lost
 * and counted.
 */
#define CHUNK_SHIFT 21
#define CHUNK_START (1U << CHUNK_SHIFT)   /* events start below this offset */
#define CHUNK_SIZE (CHUNK_START + (1U << 17) + 4096) /* + room for any masked offset + length */
#define MAX_CHUNKS 64

struct chunk {
	__u8 buf[CHUNK_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* the loader sets #CPUs * nchunks */
	__type(key, __u32);
	__type(value, struct chunk);
} chunks SEC(".maps");

/* Per-CPU control block, shared with the consumer (layout mirrored in ringbuf.py). */
struct cpu_ctl {
	__u64 head;       /* producer: chunk sequence << 32 | offset of the next event */
	__u64 drops;      /* producer: events lost because every chunk was full */
	__u32 fill[MAX_CHUNKS]; /* producer: bytes used in chunk slot k when it was left */
	__u64 released __attribute__((aligned(64))); /* consumer: chunks below this sequence are free */
	__u8 pad[56];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* the loader sets #CPUs */
	__type(key, __u32);
	__type(value, struct cpu_ctl);
} ctl SEC(".maps");

const volatile __u32 nchunks = 16; /* chunks per CPU, a power of two <= MAX_CHUNKS */

/* Per-CPU counters of what went wrong, read by the consumer (layout mirrored in loader.py).
 * Successful events are counted by the consumer, so the fast path touches no counter. */
struct stats {
	__u64 suppressed; /* events not generated because of the thread's comm (-U) */
	__u64 copy_fail;  /* a param could not be read: the event carries it as <NA> or empty */
	__u64 truncated;  /* a variable param was cut to keep the event under 64 KiB */
	__u64 bad_size;   /* a fixed-size event did not match its size (a probe bug) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} counters SEC(".maps");

#define HALF_MASK 0xFFFF
#define EVT_MAX 65000 /* param bytes stop here: block stays below sysdig's 64 KiB read buffer */

/* Small per-CPU area for values fetched before they are written (sockaddrs, iovecs), which
 * would not fit the 512-byte BPF stack. */
struct tmp_area {
	__u8 addr[128];  /* a user sockaddr, at most sizeof(struct sockaddr_storage) */
	struct iovec iov[32];
	__u32 cg_len;    /* running length of the cgroups param (fill_proc.h) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tmp_area);
} tmp_map SEC(".maps");

#include "builder.h"
#include "helpers.h"
#include "prefilter.h"

#define ENTER(name) SEC("tp_btf/sys_enter") int BPF_PROG(enter_##name, struct pt_regs *regs, long id)
#define EXIT(name) SEC("tp_btf/sys_exit") int BPF_PROG(exit_##name, struct pt_regs *regs, long ret)

#include "fill_io.h"
#include "fill_net.h"
#include "fill_proc.h"
#include "fill_fs.h"
#include "fill_sys.h"
#include "fill_oom.h"

/* ---- tail-call tables ------------------------------------------------------------------------
 * Indexed by syscall number and filled statically: the syscall -> filler binding lives here, next
 * to the fillers, and the loader only has to load the object. */
#define TAIL(nr, prog) [nr] = (void *)&prog

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, __u32);
	__array(values, int(void *));
} enter_progs SEC(".maps") = {
	.values = {
		TAIL(NR_read, enter_read), TAIL(NR_write, enter_write), TAIL(NR_open, enter_open),
		TAIL(NR_close, enter_close), TAIL(NR_mmap, enter_mmap), TAIL(NR_munmap, enter_munmap),
		TAIL(NR_brk, enter_brk), TAIL(NR_pread64, enter_pread64),
		TAIL(NR_pwrite64, enter_pwrite64), TAIL(NR_readv, enter_readv),
		TAIL(NR_writev, enter_writev), TAIL(NR_socket, enter_socket),
		TAIL(NR_connect, enter_connect), TAIL(NR_accept, enter_accept),
		TAIL(NR_sendto, enter_sendto), TAIL(NR_recvfrom, enter_recvfrom),
		TAIL(NR_bind, enter_bind), TAIL(NR_listen, enter_listen), TAIL(NR_clone, enter_clone),
		TAIL(NR_fork, enter_fork), TAIL(NR_vfork, enter_vfork), TAIL(NR_execve, enter_execve),
		TAIL(NR_creat, enter_creat), TAIL(NR_openat, enter_openat),
		TAIL(NR_accept4, enter_accept4), TAIL(NR_clone3, enter_clone3),
		TAIL(NR_openat2, enter_openat2),
		TAIL(NR_stat, enter_stat), TAIL(NR_fstat, enter_fstat), TAIL(NR_lstat, enter_lstat),
		TAIL(NR_lseek, enter_lseek), TAIL(NR_mprotect, enter_mprotect), TAIL(NR_ioctl, enter_ioctl),
		TAIL(NR_access, enter_access), TAIL(NR_pipe, enter_pipe), TAIL(NR_select, enter_select),
		TAIL(NR_dup, enter_dup), TAIL(NR_dup2, enter_dup2), TAIL(NR_nanosleep, enter_nanosleep),
		TAIL(NR_shutdown, enter_shutdown), TAIL(NR_socketpair, enter_socketpair),
		TAIL(NR_kill, enter_kill), TAIL(NR_fcntl, enter_fcntl), TAIL(NR_chdir, enter_chdir),
		TAIL(NR_fchdir, enter_fchdir), TAIL(NR_rename, enter_rename), TAIL(NR_mkdir, enter_mkdir),
		TAIL(NR_rmdir, enter_rmdir), TAIL(NR_unlink, enter_unlink), TAIL(NR_setuid, enter_setuid),
		TAIL(NR_setgid, enter_setgid), TAIL(NR_setresuid, enter_setresuid),
		TAIL(NR_setresgid, enter_setresgid), TAIL(NR_tkill, enter_tkill),
		TAIL(NR_futex, enter_futex), TAIL(NR_epoll_wait, enter_epoll_wait),
		TAIL(NR_tgkill, enter_tgkill), TAIL(NR_mkdirat, enter_mkdirat),
		TAIL(NR_unlinkat, enter_unlinkat), TAIL(NR_renameat, enter_renameat),
		TAIL(NR_eventfd, enter_eventfd), TAIL(NR_eventfd2, enter_eventfd2),
		TAIL(NR_dup3, enter_dup3), TAIL(NR_pipe2, enter_pipe2), TAIL(NR_renameat2, enter_renameat2),
		TAIL(NR_execveat, enter_execveat),
		TAIL(NR_setsockopt, enter_setsockopt), TAIL(NR_getsockopt, enter_getsockopt),
		TAIL(NR_sendmsg, enter_sendmsg), TAIL(NR_recvmsg, enter_recvmsg),
		TAIL(NR_poll, enter_poll), TAIL(NR_ppoll, enter_ppoll),
		TAIL(NR_preadv, enter_preadv), TAIL(NR_pwritev, enter_pwritev), TAIL(NR_sendfile, enter_sendfile),
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SYSCALL_TABLE_SIZE);
	__type(key, __u32);
	__array(values, int(void *));
} exit_progs SEC(".maps") = {
	.values = {
		TAIL(NR_read, exit_read), TAIL(NR_write, exit_write), TAIL(NR_open, exit_open),
		TAIL(NR_close, exit_close), TAIL(NR_mmap, exit_mmap), TAIL(NR_munmap, exit_munmap),
		TAIL(NR_brk, exit_brk), TAIL(NR_pread64, exit_pread64),
		TAIL(NR_pwrite64, exit_pwrite64), TAIL(NR_readv, exit_readv),
		TAIL(NR_writev, exit_writev), TAIL(NR_socket, exit_socket),
		TAIL(NR_connect, exit_connect), TAIL(NR_accept, exit_accept),
		TAIL(NR_sendto, exit_sendto), TAIL(NR_recvfrom, exit_recvfrom),
		TAIL(NR_bind, exit_bind), TAIL(NR_listen, exit_listen), TAIL(NR_clone, exit_clone),
		TAIL(NR_fork, exit_fork), TAIL(NR_vfork, exit_vfork), TAIL(NR_execve, exit_execve),
		TAIL(NR_creat, exit_creat), TAIL(NR_openat, exit_openat),
		TAIL(NR_accept4, exit_accept4), TAIL(NR_clone3, exit_clone3),
		TAIL(NR_openat2, exit_openat2),
		TAIL(NR_stat, exit_stat), TAIL(NR_fstat, exit_fstat), TAIL(NR_lstat, exit_lstat),
		TAIL(NR_lseek, exit_lseek), TAIL(NR_mprotect, exit_mprotect), TAIL(NR_ioctl, exit_ioctl),
		TAIL(NR_access, exit_access), TAIL(NR_pipe, exit_pipe), TAIL(NR_select, exit_select),
		TAIL(NR_dup, exit_dup), TAIL(NR_dup2, exit_dup2), TAIL(NR_nanosleep, exit_nanosleep),
		TAIL(NR_shutdown, exit_shutdown), TAIL(NR_socketpair, exit_socketpair),
		TAIL(NR_kill, exit_kill), TAIL(NR_fcntl, exit_fcntl), TAIL(NR_chdir, exit_chdir),
		TAIL(NR_fchdir, exit_fchdir), TAIL(NR_rename, exit_rename), TAIL(NR_mkdir, exit_mkdir),
		TAIL(NR_rmdir, exit_rmdir), TAIL(NR_unlink, exit_unlink), TAIL(NR_setuid, exit_setuid),
		TAIL(NR_setgid, exit_setgid), TAIL(NR_setresuid, exit_setresuid),
		TAIL(NR_setresgid, exit_setresgid), TAIL(NR_tkill, exit_tkill), TAIL(NR_futex, exit_futex),
		TAIL(NR_epoll_wait, exit_epoll_wait), TAIL(NR_tgkill, exit_tgkill),
		TAIL(NR_mkdirat, exit_mkdirat), TAIL(NR_unlinkat, exit_unlinkat),
		TAIL(NR_renameat, exit_renameat), TAIL(NR_eventfd, exit_eventfd),
		TAIL(NR_eventfd2, exit_eventfd2), TAIL(NR_dup3, exit_dup3), TAIL(NR_pipe2, exit_pipe2),
		TAIL(NR_renameat2, exit_renameat2),
		TAIL(NR_execveat, exit_execveat),
		TAIL(NR_setsockopt, exit_setsockopt), TAIL(NR_getsockopt, exit_getsockopt),
		TAIL(NR_sendmsg, exit_sendmsg), TAIL(NR_recvmsg, exit_recvmsg),
		TAIL(NR_poll, exit_poll), TAIL(NR_ppoll, exit_ppoll),
		TAIL(NR_preadv, exit_preadv), TAIL(NR_pwritev, exit_pwritev), TAIL(NR_sendfile, exit_sendfile),
	},
};

/* ---- generic events and the dispatchers ---------------------------------------------------- */
static __always_inline int generic_event(long id, bool enter)
{
	struct ev e;

	if (enter) {
		if (!ev_begin_fixed(&e, PPME_GENERIC_E, 2, FIXED_SIZE(2, 4)))
			return 0;
		ev_u16(&e, sc_ppm[id & (SYSCALL_TABLE_SIZE - 1)]);
		ev_u16(&e, (__u16)id);
	} else {
		if (!ev_begin_fixed(&e, PPME_GENERIC_X, 1, FIXED_SIZE(1, 2)))
			return 0;
		ev_u16(&e, sc_ppm[id & (SYSCALL_TABLE_SIZE - 1)]);
	}
	ev_submit_fixed(&e);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	if ((__u64)id >= SYSCALL_TABLE_SIZE || syscall_skipped(id) || skip_current())
		return 0;
	/* the hottest calls are filled here: a tail call costs an indirect jump (a retpoline) */
	if (id == NR_read)
		return fd_size_enter(regs, PPME_SYSCALL_READ_E);
	if (id == NR_write)
		return fd_size_enter(regs, PPME_SYSCALL_WRITE_E);
	bpf_tail_call(ctx, &enter_progs, id);
	return generic_event(id, true);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	long id = regs->orig_ax;

	if ((__u64)id >= SYSCALL_TABLE_SIZE || syscall_skipped(id) || skip_current())
		return 0;
	if (id == NR_read)
		return read_exit(regs, ret, PPME_SYSCALL_READ_X);
	if (id == NR_write)
		return write_exit(regs, ret, PPME_SYSCALL_WRITE_X);
	bpf_tail_call(ctx, &exit_progs, id);
	return generic_event(id, false);
}

