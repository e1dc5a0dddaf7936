"""topcontainers_cpu: containers by CPU share over the capture (sysdig's
topcontainers_cpu.lua): topprocs_cpu keyed by container name."""

from __future__ import annotations

from sysdive.chisels.builtin.topprocs_cpu import TopProcsCpu
from sysdive.chisels.table import TableSpec


class TopContainersCpu(TopProcsCpu):
    name = "topcontainers_cpu"
    short_description = "Top containers by CPU usage"
    category = "CPU Usage"
    description = "Show the top containers defined by the highest CPU utilization."

    def on_init(self) -> None:
        super().on_init()
        # The same table whether or not -pc is given.
        self.spec = TableSpec(("container.name",), ("container.name",), "thread.exectime",
                              "CPU%", top=10, units="timepct")
        self.key_fields = [self.request_field(k) for k in self.spec.keys]
        self.keys = [f.value for f in self.key_fields]
