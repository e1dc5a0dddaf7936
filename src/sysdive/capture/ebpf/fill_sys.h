/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * Fillers for waiting, signals, credentials and a few socket calls (select, epoll_wait,
 * futex, nanosleep, kill/tkill/tgkill, setuid/setgid/setresuid/setresgid, shutdown,
 * socketpair). Included by probe.bpf.c only, after fill_fs.h (whose small helpers it uses).
 */

/* PPME_SYSCALL_SELECT_E/X: -, res */
ENTER(select) { return empty_event(PPME_SYSCALL_SELECT_E); }
EXIT(select) { return res_exit(ret, PPME_SYSCALL_SELECT_X); }

/* PPME_SYSCALL_EPOLLWAIT_E: maxevents; _X: res */
ENTER(epoll_wait) { return u64_enter(PPME_SYSCALL_EPOLLWAIT_E, sc_arg(regs, 2)); }
EXIT(epoll_wait) { return res_exit(ret, PPME_SYSCALL_EPOLLWAIT_X); }

/* futex ops and flags keep Linux's values in the PPM table; an unknown op becomes 0 */
static __always_inline __u16 futex_op_to_ppm(__u64 op)
{
	__u16 cmd = op & 127;

	return (cmd <= 12 ? cmd : 0) | (op & 128) | (op & 256);
}

/* PPME_SYSCALL_FUTEX_E: addr, op, val; _X: res */
ENTER(futex)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_FUTEX_E, 3, FIXED_SIZE(3, 18)))
		return 0;
	ev_u64(&e, sc_arg(regs, 0));
	ev_u16(&e, futex_op_to_ppm(sc_arg(regs, 1)));
	ev_u64(&e, sc_arg(regs, 2));
	ev_submit_fixed(&e);
	return 0;
}
EXIT(futex) { return res_exit(ret, PPME_SYSCALL_FUTEX_X); }

/* PPME_SYSCALL_NANOSLEEP_E: interval (ns, from the caller's timespec); _X: res */
ENTER(nanosleep)
{
	struct { __s64 sec, nsec; } ts = {0, 0};

	if (bpf_probe_read_user(&ts, sizeof(ts), (void *)sc_arg(regs, 0)))
		COUNT(copy_fail);
	return u64_enter(PPME_SYSCALL_NANOSLEEP_E, ts.sec * 1000000000ULL + ts.nsec);
}
EXIT(nanosleep) { return res_exit(ret, PPME_SYSCALL_NANOSLEEP_X); }

/* PPME_SYSCALL_KILL_E / TKILL_E: pid, sig; TGKILL_E: pid, tid, sig; _X: res */
static __always_inline int pid_sig_enter(struct pt_regs *regs, __u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 2, FIXED_SIZE(2, 9)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u8(&e, (__u8)sc_arg(regs, 1));
	ev_submit_fixed(&e);
	return 0;
}

ENTER(kill) { return pid_sig_enter(regs, PPME_SYSCALL_KILL_E); }
EXIT(kill) { return res_exit(ret, PPME_SYSCALL_KILL_X); }
ENTER(tkill) { return pid_sig_enter(regs, PPME_SYSCALL_TKILL_E); }
EXIT(tkill) { return res_exit(ret, PPME_SYSCALL_TKILL_X); }
ENTER(tgkill)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SYSCALL_TGKILL_E, 3, FIXED_SIZE(3, 17)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u64(&e, (__s64)(int)sc_arg(regs, 1));
	ev_u8(&e, (__u8)sc_arg(regs, 2));
	ev_submit_fixed(&e);
	return 0;
}
EXIT(tgkill) { return res_exit(ret, PPME_SYSCALL_TGKILL_X); }

/* PPME_SYSCALL_SETUID_E / SETGID_E: id; SETRESUID_E / SETRESGID_E: three ids; _X: res */
ENTER(setuid) { return u32_enter(PPME_SYSCALL_SETUID_E, (__u32)sc_arg(regs, 0)); }
EXIT(setuid) { return res_exit(ret, PPME_SYSCALL_SETUID_X); }
ENTER(setgid) { return u32_enter(PPME_SYSCALL_SETGID_E, (__u32)sc_arg(regs, 0)); }
EXIT(setgid) { return res_exit(ret, PPME_SYSCALL_SETGID_X); }

static __always_inline int three_ids_enter(struct pt_regs *regs, __u16 type)
{
	struct ev e;

	if (!ev_begin_fixed(&e, type, 3, FIXED_SIZE(3, 12)))
		return 0;
	ev_u32(&e, (__u32)sc_arg(regs, 0));
	ev_u32(&e, (__u32)sc_arg(regs, 1));
	ev_u32(&e, (__u32)sc_arg(regs, 2));
	ev_submit_fixed(&e);
	return 0;
}

ENTER(setresuid) { return three_ids_enter(regs, PPME_SYSCALL_SETRESUID_E); }
EXIT(setresuid) { return res_exit(ret, PPME_SYSCALL_SETRESUID_X); }
ENTER(setresgid) { return three_ids_enter(regs, PPME_SYSCALL_SETRESGID_E); }
EXIT(setresgid) { return res_exit(ret, PPME_SYSCALL_SETRESGID_X); }

/* PPME_SOCKET_SHUTDOWN_E: fd, how (SHUT_* keep their values); _X: res */
ENTER(shutdown)
{
	struct ev e;

	if (!ev_begin_fixed(&e, PPME_SOCKET_SHUTDOWN_E, 2, FIXED_SIZE(2, 9)))
		return 0;
	ev_u64(&e, (__s64)(int)sc_arg(regs, 0));
	ev_u8(&e, (__u8)sc_arg(regs, 1));
	ev_submit_fixed(&e);
	return 0;
}
EXIT(shutdown) { return res_exit(ret, PPME_SOCKET_SHUTDOWN_X); }

/* PPME_SOCKET_SOCKETPAIR_E: domain, type, proto (as passed) */
ENTER(socketpair) { return three_ids_enter(regs, PPME_SOCKET_SOCKETPAIR_E); }

/* PPME_SOCKET_SOCKETPAIR_X: res, fd1, fd2, source, peer (the unix_sock addresses, which
 * sysdig uses to pair the two ends) */
EXIT(socketpair)
{
	struct ev e;
	int fds[2] = {0, 0};
	__u64 src = 0, peer = 0;

	if (ret >= 0) {
		if (bpf_probe_read_user(fds, sizeof(fds), (void *)sc_arg(regs, 3)) == 0) {
			struct socket *sock = fd_socket(bpf_get_current_task_btf(), fds[0]);

			if (sock) {
				struct unix_sock *us = (struct unix_sock *)BPF_CORE_READ(sock, sk);

				src = (__u64)us;
				peer = (__u64)BPF_CORE_READ(us, peer);
			}
		} else {
			fds[0] = fds[1] = 0;
		}
	}
	if (!ev_begin_fixed(&e, PPME_SOCKET_SOCKETPAIR_X, 5, FIXED_SIZE(5, 40)))
		return 0;
	ev_u64(&e, ret);
	ev_u64(&e, (__s64)fds[0]);
	ev_u64(&e, (__s64)fds[1]);
	ev_u64(&e, src);
	ev_u64(&e, peer);
	ev_submit_fixed(&e);
	return 0;
}

/* ---- poll, ppoll ------------------------------------------------------------------------------ */
#define POLL_MAXFDS 16 /* as many pollfds as 0.29.3 records */

static __always_inline __u16 poll_events_to_ppm(__s16 ev)
{
	__u16 r = 0;

	if (ev & 0x001) r |= 1;    /* POLLIN */
	if (ev & 0x002) r |= 2;    /* POLLPRI */
	if (ev & 0x004) r |= 4;    /* POLLOUT */
	if (ev & 0x2000) r |= 8;   /* POLLRDHUP */
	if (ev & 0x008) r |= 16;   /* POLLERR */
	if (ev & 0x010) r |= 32;   /* POLLHUP */
	if (ev & 0x020) r |= 64;   /* POLLNVAL */
	if (ev & 0x040) r |= 128;  /* POLLRDNORM */
	if (ev & 0x080) r |= 256;  /* POLLRDBAND */
	if (ev & 0x100) r |= 512;  /* POLLWRNORM */
	if (ev & 0x200) r |= 1024; /* POLLWRBAND */
	return r;
}

/* An FDLIST param: u16 count, then (s64 fd, u16 flags) per pollfd: the requested events at
 * enter, the returned ones at exit. */
static __always_inline void ev_pollfds(struct ev *e, struct tmp_area *tmp, struct pt_regs *regs,
				       bool enter)
{
	struct pollfd *fds = (struct pollfd *)tmp->addr;
	__u64 nfds = sc_arg(regs, 1);
	__u32 n = nfds < POLL_MAXFDS ? nfds : POLL_MAXFDS;
	__u32 at = 2;

	if (n && bpf_probe_read_user(fds, (n * sizeof(struct pollfd)) & 0xFF, (void *)sc_arg(regs, 0))) {
		COUNT(copy_fail);
		n = 0;
	}
	for (int j = 0; j < POLL_MAXFDS; j++) {
		if (j >= n)
			break;
		*(__s64 *)(e->b + ((e->off + at) & HALF_MASK)) = fds[j].fd;
		*(__u16 *)(e->b + ((e->off + at + 8) & HALF_MASK)) =
			poll_events_to_ppm(enter ? fds[j].events : fds[j].revents);
		at += 10;
	}
	*(__u16 *)(e->b + (e->off & HALF_MASK)) = (__u16)n;
	ev_len(e, at);
}

/* PPME_SYSCALL_POLL_E: fds, timeout (ms) */
ENTER(poll)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;

	if (!tmp || !ev_begin(&e, PPME_SYSCALL_POLL_E, 2))
		return 0;
	ev_pollfds(&e, tmp, regs, true);
	ev_u64(&e, sc_arg(regs, 2)); /* the register as is, like 0.29.3 */
	ev_submit(&e);
	return 0;
}

/* PPME_SYSCALL_POLL_X / PPOLL_X: res, fds */
static __always_inline int poll_exit(struct pt_regs *regs, long ret, __u16 type)
{
	struct tmp_area *tmp = tmp_get();
	struct ev e;

	if (!tmp || !ev_begin(&e, type, 2))
		return 0;
	ev_u64(&e, ret);
	ev_pollfds(&e, tmp, regs, false);
	ev_submit(&e);
	return 0;
}

EXIT(poll) { return poll_exit(regs, ret, PPME_SYSCALL_POLL_X); }

/* PPME_SYSCALL_PPOLL_E: fds, timeout (ns; all ones when none), sigmask (first word) */
ENTER(ppoll)
{
	struct tmp_area *tmp = tmp_get();
	struct { __s64 sec, nsec; } ts = {0, 0};
	__u64 tp = sc_arg(regs, 2), sp = sc_arg(regs, 3), timeout = (__u64)-1, mask = 0;
	struct ev e;

	if (tp) {
		if (bpf_probe_read_user(&ts, sizeof(ts), (void *)tp))
			COUNT(copy_fail);
		timeout = ts.sec * 1000000000ULL + ts.nsec;
	}
	if (sp && bpf_probe_read_user(&mask, sizeof(mask), (void *)sp))
		COUNT(copy_fail);
	if (!tmp || !ev_begin(&e, PPME_SYSCALL_PPOLL_E, 3))
		return 0;
	ev_pollfds(&e, tmp, regs, true);
	ev_u64(&e, timeout);
	ev_u32(&e, (__u32)mask);
	ev_submit(&e);
	return 0;
}
EXIT(ppoll) { return poll_exit(regs, ret, PPME_SYSCALL_PPOLL_X); }
