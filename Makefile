# Rebuilds the live-capture BPF probe shipped in the package (src/sysdive/capture/ebpf/).
# Needs: clang (>= 14), bpftool, libbpf-dev (bpf_helpers.h), python3.
#   make bpf        regenerate schema_ids.h, vmlinux.h (build/, not committed), probe.bpf.o and
#                   allocstack.bpf.o (the allocation-stack probe of sysdive.memory)
#   make bpf-check  fail if the shipped probe.bpf.o was not built from the current sources
#   make ext        build the compiled modules (state/_rowparse.c, scap/_blockwalk.c) in place, for
#                   runs from the tree (pip install -e . builds it too)
#   make cri-api    regenerate the CRI messages (src/sysdive/containers/cri_api/) from their
#                   .proto with grpcio-tools (pip install grpcio-tools)
#   make clean      remove build/
EBPF := src/sysdive/capture/ebpf
BUILD := build/bpf
CLANG ?= clang
BPFTOOL ?= bpftool
PYTHON ?= python3
BTF ?= /sys/kernel/btf/vmlinux
SOURCES := $(EBPF)/probe.bpf.c $(EBPF)/builder.h $(EBPF)/helpers.h $(EBPF)/fill_io.h \
	$(EBPF)/fill_net.h $(EBPF)/fill_proc.h $(EBPF)/fill_fs.h $(EBPF)/fill_sys.h \
	$(EBPF)/fill_oom.h $(EBPF)/linux_defs.h $(EBPF)/schema_ids.h $(EBPF)/prefilter.h

.PHONY: bpf bpf-check clean ext cri-api

ext:
	$(PYTHON) setup.py -q build_ext --inplace

bpf: $(EBPF)/probe.bpf.o $(EBPF)/allocstack.bpf.o

$(EBPF)/schema_ids.h: $(EBPF)/gen_header.py $(wildcard src/sysdive/schema/*.py)
	PYTHONPATH=src $(PYTHON) -m sysdive.capture.ebpf.gen_header $@

$(BUILD)/vmlinux.h:
	mkdir -p $(BUILD)
	$(BPFTOOL) btf dump file $(BTF) format c > $@.tmp && mv $@.tmp $@

$(EBPF)/probe.bpf.o: $(SOURCES) $(BUILD)/vmlinux.h
	$(CLANG) -target bpf -D__TARGET_ARCH_x86 -O2 -g -Wall -Werror \
		-DSYSDIVE_SOURCE_HASH='"'$$($(PYTHON) $(EBPF)/source.py)'"' \
		-I$(BUILD) -I$(EBPF) -c $(EBPF)/probe.bpf.c -o $(BUILD)/probe.bpf.o
	# drop DWARF (large, machine paths) but keep .BTF/.BTF.ext, which CO-RE needs
	llvm-strip -g $(BUILD)/probe.bpf.o 2>/dev/null || llvm-strip-14 -g $(BUILD)/probe.bpf.o
	cp $(BUILD)/probe.bpf.o $@

$(EBPF)/allocstack.bpf.o: $(EBPF)/allocstack.bpf.c $(BUILD)/vmlinux.h
	$(CLANG) -target bpf -D__TARGET_ARCH_x86 -O2 -g -Wall -Werror \
		-DSYSDIVE_SOURCE_HASH='"'$$(sha256sum $< | cut -d' ' -f1)'"' \
		-I$(BUILD) -c $< -o $(BUILD)/allocstack.bpf.o
	llvm-strip -g $(BUILD)/allocstack.bpf.o 2>/dev/null || llvm-strip-14 -g $(BUILD)/allocstack.bpf.o
	cp $(BUILD)/allocstack.bpf.o $@

bpf-check:
	test "$$($(PYTHON) $(EBPF)/source.py)" = \
		"$$(grep -ao 'sysdive-src-sha256:[0-9a-f]*' $(EBPF)/probe.bpf.o | cut -d: -f2)"
	test "$$(sha256sum $(EBPF)/allocstack.bpf.c | cut -d' ' -f1)" = \
		"$$(grep -ao 'sysdive-src-sha256:[0-9a-f]*' $(EBPF)/allocstack.bpf.o | cut -d: -f2)"

clean:
	rm -rf build

CRI_API := src/sysdive/containers/cri_api
cri-api:
	$(PYTHON) -m grpc_tools.protoc -Isrc --python_out=src --pyi_out=src \
		$(CRI_API)/runtime_v1.proto $(CRI_API)/containerd_events.proto
