"""Memory monitoring of a host and its containers over time.

``sysdive-monitor`` runs an agent that samples the host, every container's cgroup and the
processes inside them (:mod:`.sampler`), keeps the samples in an embedded time-series store
(:mod:`.store`, sqlite in WAL mode), raises alerts (:mod:`.alerts`, with OOM kills read from
the kernel in :mod:`.kmsg`), and serves a dashboard, a JSON API and Prometheus' ``/metrics``
(:mod:`.web`, :mod:`.metrics`). Nothing here changes the host: every endpoint reads.
"""
