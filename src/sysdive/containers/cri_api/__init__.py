"""The CRI v1 messages sysdive uses: ``runtime_v1.proto`` and the code protoc generated from it."""
