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
ENTER(epoll_wait) { return u64_enter(PPME_SYSCALL_EPOLLWAIT_E, (__s64)(int)sc_arg(regs, 2)); }
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
