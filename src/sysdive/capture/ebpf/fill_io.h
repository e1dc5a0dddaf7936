/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * Fillers for file and memory syscalls. Included by probe.bpf.c only. Each ENTER/EXIT body
 * writes the params of one 0.29.3 event, in table order; comments name the event.
 * Exit fillers read the syscall arguments from pt_regs, which still hold them at sys_exit.
 */

/* A data param of n bytes (at most 4) copied straight into a ring reservation. */
#define SMALL_DATA 4

static __always_inline void ev_small_data(struct ev *e, __u64 buf, __u32 n)
{
	/* Copied to the stack first: the kernel's hardened-usercopy check of the destination is
	 * cheap for the stack and costly for ring (vmalloc) memory. The 8-byte store then zeroes
	 * the padding and slack as well, since the event length varies from here on. */
	__u64 tmp = 0;

	e->tail_zeroed = true;
	VERIFIER_MASK(n, 7); /* n <= SMALL_DATA already; the reservation has room for 8 */
	if (n && bpf_probe_read_user(&tmp, n, (void *)buf)) {
		count_copy_fail(e);
		tmp = 0;
		n = 0;
	}
	*(__u64 *)(e->b + e->off) = tmp;
	ev_len(e, n);
}

/*
 * res + data exits (read/write/pread/pwrite/sendto/recv...): `n` bytes at `buf`, already cut to
 * the snaplen. Up to SMALL_DATA bytes the event is built in place in the ring, the fast path
 * of syscall storms; larger ones go through the scratch buffer.
 */
static __always_inline int res_data_exit(__u16 type, long ret, __u64 buf, __u32 n)
{
	struct ev e;

	if (n <= SMALL_DATA) {
		if (!ev_begin_fixed(&e, type, 2, FIXED_SIZE(2, 8 + SMALL_DATA)))
			return 0;
		ev_u64(&e, ret);
		ev_small_data(&e, buf, n);
		ev_submit_fixed(&e);
		return 0;
	}
	if (!ev_begin(&e, type, 2))
		return 0;
	ev_u64(&e, ret);
	ev_user_bytes(&e, (void *)buf, n);
	ev_submit(&e);
	return 0;
}

/* read/pread/recv-style data: what the call returned, up to the snaplen */
static __always_inline __u32 ret_len(long ret)
{
	__u64 n = ret > 0 ? (__u64)ret : 0;

	return n < snaplen ? n : snaplen;
}

/* write/pwrite data: the caller's buffer as passed, up to the snaplen (even if the call failed,
 * which is what 0.29.3 records) */
static __always_inline __u32 arg_len(__u64 len)
{
	return len < snaplen ? len : snaplen;
}

/* data params built in the scratch buffer (events with more params after the data) */
static __always_inline void ev_data_ret(struct ev *e, __u64 buf, long ret)
{
	ev_user_bytes(e, ret > 0 ? (void *)buf : NULL, ret_len(ret));
}

/* PPME_SYSCALL_READ_E / WRITE_E: fd, size */
static __always_inline int fd_size_enter(struct pt_regs *regs, __u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 2, FIXED_SIZE(2, 12)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u32(&e, (__u32)sc_arg(regs, 2));
	ev_submit_fixed(&e);
	return 0;
}

ENTER(read) { return fd_size_enter(regs, PPME_SYSCALL_READ_E); }
ENTER(write) { return fd_size_enter(regs, PPME_SYSCALL_WRITE_E); }

/* PPME_SYSCALL_READ_X / PREAD_X: res, data */
static __always_inline int read_exit(struct pt_regs *regs, long ret, __u16 type)
{
	return res_data_exit(type, ret, sc_arg(regs, 1), ret_len(ret));
}

/* PPME_SYSCALL_WRITE_X / PWRITE_X: res, data */
static __always_inline int write_exit(struct pt_regs *regs, long ret, __u16 type)
{
	return res_data_exit(type, ret, sc_arg(regs, 1), arg_len(sc_arg(regs, 2)));
}

EXIT(read) { return read_exit(regs, ret, PPME_SYSCALL_READ_X); }
EXIT(write) { return write_exit(regs, ret, PPME_SYSCALL_WRITE_X); }

/* PPME_SYSCALL_PREAD_E / PWRITE_E: fd, size, pos */
static __always_inline int fd_size_pos_enter(struct pt_regs *regs, __u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 3, FIXED_SIZE(3, 20)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u32(&e, (__u32)sc_arg(regs, 2));
	ev_u64(&e, sc_arg(regs, 3));
	ev_submit_fixed(&e);
	return 0;
}

ENTER(pread64) { return fd_size_pos_enter(regs, PPME_SYSCALL_PREAD_E); }
ENTER(pwrite64) { return fd_size_pos_enter(regs, PPME_SYSCALL_PWRITE_E); }
EXIT(pread64) { return read_exit(regs, ret, PPME_SYSCALL_PREAD_X); }
EXIT(pwrite64) { return write_exit(regs, ret, PPME_SYSCALL_PWRITE_X); }

/* Events whose only enter param is the fd: close, readv, bind (PPME_*_E: fd) */
static __always_inline int fd_enter(struct pt_regs *regs, __u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 1, FIXED_SIZE(1, 8)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_submit_fixed(&e);
	return 0;
}

/* Exits whose only param is the return value: close, listen (res), socket (fd) */
static __always_inline int res_exit(long ret, __u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 1, FIXED_SIZE(1, 8)))
		return 0;
	ev_u64(&e, ret);
	ev_submit_fixed(&e);
	return 0;
}

/* Events without params (clone/fork/vfork/clone3/accept enter) */
static __always_inline int empty_event(__u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 0, FIXED_SIZE(0, 0)))
		return 0;
	ev_submit_fixed(&e);
	return 0;
}

ENTER(close) { return fd_enter(regs, PPME_SYSCALL_CLOSE_E); }
EXIT(close) { return res_exit(ret, PPME_SYSCALL_CLOSE_X); }

/* ---- readv / writev: the data is gathered from up to 32 iovecs ---------------------------- */
#define MAX_IOV 32

/* Sum of the iov lengths (capped at `cap` when cap >= 0) and, when want_data, the bytes of the
 * iovecs up to the snaplen written as a BYTEBUF param. Returns the size. */
static __always_inline __u64 iov_fetch(struct iovec *iov, __u64 uiov, __u64 cnt)
{
	__u64 n = cnt > MAX_IOV ? MAX_IOV : cnt;

	if (!uiov || !n)
		return 0;
	if (bpf_probe_read_user(iov, (n * sizeof(struct iovec)) & 0x3FF, (void *)uiov))
		return 0;
	return n;
}

static __always_inline __u64 iov_total(struct iovec *iov, __u64 n)
{
	__u64 total = 0;

	for (int j = 0; j < MAX_IOV; j++) {
		if (j >= n)
			break;
		total += iov[j].iov_len;
	}
	return total;
}

/* The data of an iovec array, up to the snaplen: one bpf_loop step per buffer. A loop the
 * verifier checks once per step function, where an unrolled one multiplied the states of every
 * readv/writev/msg filler (seconds of load time). */
struct iov_copy {
	struct ev *e;
	struct iovec *iov;
	__u64 n;
	__u32 want;
	__u32 got;
};

static long iov_copy_step(__u32 j, struct iov_copy *c)
{
	struct ev *e = c->e;
	struct iovec *v;
	__u32 chunk;

	if (j >= c->n || c->got >= c->want)
		return 1;
	v = &c->iov[j & (MAX_IOV - 1)];
	chunk = v->iov_len < c->want - c->got ? v->iov_len : c->want - c->got;
	if (bpf_probe_read_user(e->b + ((e->off + c->got) & HALF_MASK), chunk & HALF_MASK,
				v->iov_base)) {
		count_copy_fail(e);
		return 1;
	}
	c->got += chunk;
	return 0;
}

static __always_inline void ev_iov_data(struct ev *e, struct iovec *iov, __u64 n, __u64 size)
{
	struct iov_copy c = {.e = e, .iov = iov, .n = n, .got = 0};

	c.want = ev_room(e, size < snaplen ? size : snaplen);
	bpf_loop(MAX_IOV, iov_copy_step, &c, 0);
	ev_len(e, c.got);
}

static __always_inline struct tmp_area *tmp_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&tmp_map, &zero);
}

ENTER(readv) { return fd_enter(regs, PPME_SYSCALL_READV_E); }

/* PPME_SYSCALL_READV_X: res, size, data */
EXIT(readv)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__u64 n, size = 0;

	if (!tmp || !ev_begin(&e, PPME_SYSCALL_READV_X, 3))
		return 0;
	n = iov_fetch(tmp->iov, sc_arg(regs, 1), sc_arg(regs, 2));
	size = iov_total(tmp->iov, n);
	if (ret < 0)
		size = 0;
	else if (size > (__u64)ret)
		size = ret;
	ev_u64(&e, ret);
	ev_u32(&e, (__u32)size);
	ev_iov_data(&e, tmp->iov, n, size);
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_WRITEV_E: fd, size */
ENTER(writev)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__u64 n;

	if (!tmp || !ev_begin(&e, PPME_SYSCALL_WRITEV_E, 2))
		return 0;
	n = iov_fetch(tmp->iov, sc_arg(regs, 1), sc_arg(regs, 2));
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u32(&e, (__u32)iov_total(tmp->iov, n));
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_WRITEV_X: res, data (the buffers as passed, up to the snaplen) */
EXIT(writev)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;
	__u64 n;

	if (!tmp || !ev_begin(&e, PPME_SYSCALL_WRITEV_X, 2))
		return 0;
	n = iov_fetch(tmp->iov, sc_arg(regs, 1), sc_arg(regs, 2));
	ev_u64(&e, ret);
	ev_iov_data(&e, tmp->iov, n, iov_total(tmp->iov, n));
	ev_submit(&e);
	return 0;
}

/* ---- open family ----------------------------------------------------------------------------- */
#define PATH_MAX_READ 4096

/* PPME_SYSCALL_OPEN_E: name, flags, mode */
ENTER(open)
{
	struct ev e;
	__u64 flags = sc_arg(regs, 1);

	if (!ev_begin(&e, PPME_SYSCALL_OPEN_E, 3))
		return 0;
	ev_user_str(&e, (void *)sc_arg(regs, 0), PATH_MAX_READ);
	ev_u32(&e, open_flags_to_ppm(flags));
	ev_u32(&e, open_mode_to_ppm(flags, sc_arg(regs, 2)));
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_OPEN_X: fd, name, flags, mode, dev */
EXIT(open)
{
	struct ev e;
	__u64 flags = sc_arg(regs, 1);

	if (!ev_begin(&e, PPME_SYSCALL_OPEN_X, 5))
		return 0;
	ev_u64(&e, ret);
	ev_user_str(&e, (void *)sc_arg(regs, 0), PATH_MAX_READ);
	ev_u32(&e, open_flags_to_ppm(flags));
	ev_u32(&e, open_mode_to_ppm(flags, sc_arg(regs, 2)));
	ev_u32(&e, ret >= 0 ? fd_dev(bpf_get_current_task_btf(), ret) : 0);
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_CREAT_E: name, mode */
ENTER(creat)
{
	struct ev e;

	if (!ev_begin(&e, PPME_SYSCALL_CREAT_E, 2))
		return 0;
	ev_user_str(&e, (void *)sc_arg(regs, 0), PATH_MAX_READ);
	ev_u32(&e, open_mode_to_ppm(L_O_CREAT, sc_arg(regs, 1)));
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_CREAT_X: fd, name, mode, dev */
EXIT(creat)
{
	struct ev e;

	if (!ev_begin(&e, PPME_SYSCALL_CREAT_X, 4))
		return 0;
	ev_u64(&e, ret);
	ev_user_str(&e, (void *)sc_arg(regs, 0), PATH_MAX_READ);
	ev_u32(&e, open_mode_to_ppm(L_O_CREAT, sc_arg(regs, 1)));
	ev_u32(&e, ret >= 0 ? fd_dev(bpf_get_current_task_btf(), ret) : 0);
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_OPENAT_2_E: dirfd, name, flags, mode */
ENTER(openat)
{
	struct ev e;
	__u64 flags = sc_arg(regs, 2);

	if (!ev_begin(&e, PPME_SYSCALL_OPENAT_2_E, 4))
		return 0;
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	ev_u32(&e, open_flags_to_ppm(flags));
	ev_u32(&e, open_mode_to_ppm(flags, sc_arg(regs, 3)));
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_OPENAT_2_X: fd, dirfd, name, flags, mode, dev */
EXIT(openat)
{
	struct ev e;
	__u64 flags = sc_arg(regs, 2);

	if (!ev_begin(&e, PPME_SYSCALL_OPENAT_2_X, 6))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	ev_u32(&e, open_flags_to_ppm(flags));
	ev_u32(&e, open_mode_to_ppm(flags, sc_arg(regs, 3)));
	ev_u32(&e, ret >= 0 ? fd_dev(bpf_get_current_task_btf(), ret) : 0);
	ev_submit(&e);
	return 0;
}

/* openat2's flags, mode and resolve come from the user's struct open_how */
static __always_inline void openat2_how(struct ev *e, __u64 uhow)
{
	struct open_how how = {};

	if (uhow && bpf_probe_read_user(&how, sizeof(how), (void *)uhow))
		count_copy_fail(e);
	ev_u32(e, open_flags_to_ppm(how.flags));
	ev_u32(e, open_mode_to_ppm(how.flags, how.mode));
	ev_u32(e, resolve_to_ppm(how.resolve));
}

/* PPME_SYSCALL_OPENAT2_E: dirfd, name, flags, mode, resolve */
ENTER(openat2)
{
	struct ev e;

	if (!ev_begin(&e, PPME_SYSCALL_OPENAT2_E, 5))
		return 0;
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	openat2_how(&e, sc_arg(regs, 2));
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_OPENAT2_X: fd, dirfd, name, flags, mode, resolve */
EXIT(openat2)
{
	struct ev e;

	if (!ev_begin(&e, PPME_SYSCALL_OPENAT2_X, 6))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, dirfd_to_ppm(sc_arg(regs, 0)));
	ev_user_str(&e, (void *)sc_arg(regs, 1), PATH_MAX_READ);
	openat2_how(&e, sc_arg(regs, 2));
	ev_submit(&e);
	return 0;
}

/* ---- memory ------------------------------------------------------------------------------------ */
/* PPME_SYSCALL_BRK_4_E: addr */
ENTER(brk)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_BRK_4_E, 1, FIXED_SIZE(1, 8)))
		return 0;
	ev_u64(&e, sc_arg(regs, 0));
	ev_submit_fixed(&e);
	return 0;
}

/* PPME_SYSCALL_BRK_4_X / MMAP_X / MUNMAP_X: res, vm_size, vm_rss, vm_swap (kB) */
static __always_inline int vm_exit(long ret, __u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 4, FIXED_SIZE(4, 20)))
		return 0;
	ev_u64(&e, ret);
	ev_vm(&e, bpf_get_current_task_btf());
	ev_submit_fixed(&e);
	return 0;
}

EXIT(brk) { return vm_exit(ret, PPME_SYSCALL_BRK_4_X); }
EXIT(mmap) { return vm_exit(ret, PPME_SYSCALL_MMAP_X); }
EXIT(munmap) { return vm_exit(ret, PPME_SYSCALL_MUNMAP_X); }

/* PPME_SYSCALL_MMAP_E: addr, length, prot, flags, fd, offset */
ENTER(mmap)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_MMAP_E, 6, FIXED_SIZE(6, 40)))
		return 0;
	ev_u64(&e, sc_arg(regs, 0));
	ev_u64(&e, sc_arg(regs, 1));
	ev_u32(&e, prot_to_ppm(sc_arg(regs, 2)));
	ev_u32(&e, mmap_flags_to_ppm(sc_arg(regs, 3)));
	ev_u64(&e, (__s64)(int)sc_arg(regs, 4)); /* fd is an int: -1 for anonymous maps */
	ev_u64(&e, sc_arg(regs, 5));
	ev_submit_fixed(&e);
	return 0;
}

/* PPME_SYSCALL_MUNMAP_E: addr, length */
ENTER(munmap)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_MUNMAP_E, 2, FIXED_SIZE(2, 16)))
		return 0;
	ev_u64(&e, sc_arg(regs, 0));
	ev_u64(&e, sc_arg(regs, 1));
	ev_submit_fixed(&e);
	return 0;
}
